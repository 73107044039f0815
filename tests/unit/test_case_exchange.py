"""Exchange (R8): like a return, then the replacement is shipped; the case ends when the consumer
confirms it arrived (or is deemed to, issue 7), never on dispatch."""

from __future__ import annotations

from domain.case_values import Status
from domain.deadlines import Clock
from domain.errors import IllegalTransition, NotFound
from domain.values import CaseKind, Reason, Responsibility

from .builders import (
    CONSUMER,
    OTHER_MERCHANT,
    PHOTO,
    RECEIVED,
    accept,
    approve_refund,
    confirm_goods,
    given,
    inspect,
    rate,
    ship_exchange,
    ship_return,
)


def test_no_reason_exchange_walked_to_its_end() -> None:
    g = given(CaseKind.EXCHANGE, Reason.NO_REASON)
    assert Clock.MERCHANT_DECISION in g.case.deadlines
    g.when(accept()).then_events("Accepted")
    assert g.case.status is Status.AWAITING_RETURN and Clock.CONSUMER_SHIP in g.case.deadlines
    g.did(*RECEIVED[1:])
    assert Clock.REFUND_APPROVAL not in g.case.deadlines  # nothing to refund on an exchange
    g.when(inspect(Responsibility.NO_FAULT)).then_events("Inspected")
    assert g.case.status is Status.AWAITING_EXCHANGE
    assert Clock.REPLACEMENT_SHIP in g.case.deadlines  # R8 reading: 48 h to ship it
    g.when(ship_exchange()).then_events("ExchangeShipped")
    assert g.case.status is Status.GOODS_RETURNING
    assert set(g.case.deadlines) == {Clock.CONSUMER_CONFIRM}
    g.when(confirm_goods()).then_events("GoodsReceived", "Closed")
    assert (g.case.status, g.case.outcome) == (Status.CLOSED, "exchanged")
    assert set(g.case.deadlines) == {Clock.POST_CLOSE}  # R9/R10: complain or escalate after
    g.when(rate(5)).then_events("Rated")


def test_defect_exchange_walked_to_its_end() -> None:
    g = given(CaseKind.EXCHANGE, Reason.QUALITY_DEFECT).did(*RECEIVED)
    g.when(inspect(Responsibility.PRODUCT_DEFECT)).then_events("Inspected")
    g.when(ship_exchange()).then_events("ExchangeShipped")
    g.when(confirm_goods()).then_events("GoodsReceived", "Closed")
    assert g.case.outcome == "exchanged"


def test_exchange_refused_after_inspection_finds_user_damage() -> None:
    g = given(CaseKind.EXCHANGE, Reason.NO_REASON).did(*RECEIVED)
    g.when(inspect(Responsibility.USER_DAMAGE, evidence=(PHOTO,))).then_events("Inspected")
    g.when(ship_exchange()).then_error(IllegalTransition, rule="R8")


def test_replacement_cannot_ship_before_the_return_was_inspected() -> None:
    g = given(CaseKind.EXCHANGE, Reason.NO_REASON).did(accept(), ship_return())
    g.when(ship_exchange()).then_error(IllegalTransition, rule="R8", match="return_in_transit")


def test_an_exchange_is_not_refunded() -> None:
    g = given(CaseKind.EXCHANGE, Reason.NO_REASON).did(*RECEIVED, inspect())
    g.when(approve_refund()).then_error(IllegalTransition, rule="R3")


def test_only_the_merchant_ships_the_replacement() -> None:
    g = given(CaseKind.EXCHANGE, Reason.NO_REASON).did(*RECEIVED, inspect())
    g.when(ship_exchange(CONSUMER)).then_error(IllegalTransition, rule="P2")
    g.when(ship_exchange(OTHER_MERCHANT)).then_error(NotFound, rule="input")
