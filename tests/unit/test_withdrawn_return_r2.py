"""R2 (issue 8): a withdrawn request is not the consumer's "first return" to the merchant. A
no-reason return opened and withdrawn, then a purchase and another no-reason return: the second
is the first that counts, so the consumer pays its return leg; without the withdrawal the
merchant would (returned before and bought again since, the R2 reading)."""

from __future__ import annotations

from datetime import timedelta

from domain import ids
from domain.case_values import Shipment
from domain.history import ConsumerMerchantHistory
from domain.service import LineRequest
from domain.values import Party
from tests.unit.builders import (
    CONSUMER,
    DELIVERED,
    MERCHANT,
    PLACED,
    FakeClock,
    memory_app,
    seed,
)


def test_a_withdrawn_return_is_not_the_first_return() -> None:
    clock = FakeClock()
    shop = seed(memory_app(clock), clock)
    clock.now = DELIVERED + timedelta(days=1)
    first = shop.open()
    shop.do("withdraw", first, CONSUMER, reason="changed my mind again")
    history = shop.app.repository.get(ids.history_id(CONSUMER.id, "m1"))
    assert isinstance(history, ConsumerMerchantHistory)
    assert history.prior_returns == 0 and history.return_cases == {}
    # a second purchase, delivered; then a no-reason return of it
    later = PLACED + timedelta(days=5)
    seed(
        shop.app,
        clock,
        order_no="O2",
        placed_at=later,
        delivered_at=later + timedelta(days=1),
        publish=False,
    )
    clock.now = later + timedelta(days=2)
    second = shop.open(order_no="O2", lines=(LineRequest(1, 1),))
    case = shop.app.get_case(second)
    assert case.prior_returns_to_merchant == 0
    shop.do("accept", second, MERCHANT)
    shop.do("ship_return", second, CONSUMER, shipment=Shipment("SF", "SF9", 10_00))
    assert shop.app.get_case(second).shipping_liability.return_leg is Party.CONSUMER
    assert shop.app.get_case(second).entitlement().shipping_fen == 0


def test_a_return_not_withdrawn_still_counts() -> None:
    clock = FakeClock()
    shop = seed(memory_app(clock), clock)
    clock.now = DELIVERED + timedelta(days=1)
    shop.open()
    history = shop.app.repository.get(ids.history_id(CONSUMER.id, "m1"))
    assert history.prior_returns == 1
    assert not history.note_withdrawal(case_no="AS-unknown", actor=CONSUMER, at=clock.now)
