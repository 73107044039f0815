"""Version conflicts on both stores: two AfterSales instances on one database move the same case
at the same moment. A barrier holds both just before they save, so both decided on the same
version; exactly one save wins, the other retries on the fresh case and gets its domain error (or,
if its move is still legal, succeeds on top)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest

from domain import ids
from domain.case_values import Status
from domain.errors import DomainError, IllegalTransition
from domain.request import RequestRecord
from domain.service import AfterSales, LineRequest, Result
from tests.integration.conftest import MakeApp
from tests.unit.builders import CONSUMER, MERCHANT, FakeClock, Shop, cst, seed

OPEN_AT = cst(2026, 9, 24, 9)


class Race:
    """Runs one command on each app in its own thread; both wait at a barrier before saving."""

    def __init__(self, *apps: AfterSales) -> None:
        self.barrier = threading.Barrier(len(apps), timeout=20)
        self.saves: dict[int, int] = {}
        self.loads: dict[int, int] = {}
        for app in apps:
            self._hold_first_save(app)

    def _hold_first_save(self, app: AfterSales) -> None:
        original_save = app.save
        original_get = app.repository.get
        key = id(app)
        self.saves[key] = self.loads[key] = 0

        def save(*objs: Any, **kwargs: Any) -> Any:
            self.saves[key] += 1
            if self.saves[key] == 1:
                self.barrier.wait()  # both have loaded the case and decided
            return original_save(*objs, **kwargs)

        def get(*args: Any, **kwargs: Any) -> Any:
            self.loads[key] += 1
            return original_get(*args, **kwargs)

        app.save = save  # type: ignore[method-assign]
        app.repository.get = get  # type: ignore[method-assign]

    def run(self, *calls: Callable[[], Result]) -> list[Result | DomainError]:
        outcomes: list[Result | DomainError | None] = [None] * len(calls)

        def go(i: int) -> None:
            try:
                outcomes[i] = calls[i]()
            except DomainError as error:
                outcomes[i] = error

        threads = [threading.Thread(target=go, args=(i,)) for i in range(len(calls))]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert all(not t.is_alive() for t in threads)
        assert all(o is not None for o in outcomes), outcomes
        return outcomes  # type: ignore[return-value]


@pytest.fixture
def two(make_app: MakeApp) -> tuple[Shop, AfterSales, AfterSales]:
    clock = FakeClock()
    first = make_app(clock)
    shop = seed(first, clock)
    clock.now = OPEN_AT
    return shop, first, make_app(clock)  # the same clock: both act at the same instant


def test_accept_and_reject_race_exactly_one_wins(two: tuple[Shop, AfterSales, AfterSales]) -> None:
    shop, app1, app2 = two
    case_no = shop.open(reason="quality_defect", description="broken")
    shop.clock.advance(minutes=10)
    race = Race(app1, app2)
    accepted, rejected = race.run(
        lambda: app1.accept(request_id="accept-1", actor=MERCHANT, case_no=case_no),
        lambda: app2.reject(request_id="reject-1", actor=MERCHANT, case_no=case_no, reason="no"),
    )
    winners = [o for o in (accepted, rejected) if isinstance(o, Result)]
    losers = [o for o in (accepted, rejected) if isinstance(o, DomainError)]
    assert len(winners) == 1 and len(losers) == 1, (accepted, rejected)
    loser = losers[0]
    assert isinstance(loser, IllegalTransition) and loser.rule == "R12"
    case = app1.get_case(case_no)
    assert case.version == 3 == winners[0].version  # opened, triaged (R20), the winner
    assert case.status in (Status.AWAITING_RETURN, Status.REJECTED)
    expected = "awaiting_return" if isinstance(accepted, Result) else "rejected"
    assert case.status == expected and f"while it is {expected}" in str(loser)
    # The loser saved once, failed on the version, reloaded the case and then refused.
    assert sorted(race.saves.values()) == [1, 1]
    assert max(race.loads.values()) > min(race.loads.values())
    assert app2.verify(case_no)[0].ok
    # Only the winner's request is on record: the loser's id is free to be used again.
    loser_rid = "reject-1" if isinstance(accepted, Result) else "accept-1"
    winner_rid = "accept-1" if isinstance(accepted, Result) else "reject-1"
    assert app1._find(RequestRecord, ids.request_id(loser_rid)) is None
    assert app1._find(RequestRecord, ids.request_id(winner_rid)) is not None


def test_two_legal_moves_race_and_both_land(two: tuple[Shop, AfterSales, AfterSales]) -> None:
    shop, app1, app2 = two
    case_no = shop.open()
    race = Race(app1, app2)
    outcomes = race.run(
        lambda: app1.add_note(request_id="n1", actor=CONSUMER, case_no=case_no, text="hello"),
        lambda: app2.add_note(request_id="n2", actor=MERCHANT, case_no=case_no, text="hi"),
    )
    assert all(isinstance(o, Result) for o in outcomes)
    versions = sorted(o.version for o in outcomes if isinstance(o, Result))
    assert versions == [3, 4]  # the loser retried on top of the winner
    case = app1.get_case(case_no)
    assert case.version == 4 and app1.verify(case_no)[0].ok
    assert sorted(race.saves.values()) == [1, 2]


def test_two_consumers_open_cases_on_one_unit_only_one_claims_it(
    two: tuple[Shop, AfterSales, AfterSales],
) -> None:
    _, app1, app2 = two
    race = Race(app1, app2)
    outcomes = race.run(
        lambda: app1.open_case(
            request_id="o1",
            actor=CONSUMER,
            order_no="O1",
            kind="return_refund",
            reason_code="no_reason",
            lines=_one_line(),
        ),
        lambda: app2.open_case(
            request_id="o2",
            actor=CONSUMER,
            order_no="O1",
            kind="return_refund",
            reason_code="no_reason",
            lines=_one_line(),
        ),
    )
    errors = [o for o in outcomes if isinstance(o, DomainError)]
    assert len(errors) == 1 and errors[0].rule == "R3.a"
    order = app1.get_order("O1")
    assert len(order.claims) == 1 and len(order.cases) == 1


def _one_line() -> tuple[LineRequest, ...]:
    return (LineRequest(1, 1),)
