"""Idempotent commands on both stores: the same request id, sent again to another AfterSales
instance on the same database, gets the first result back and records nothing more."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from domain.errors import DomainError, InvalidInput
from domain.service import AfterSales, LineRequest, Result
from domain.values import Actor, Role
from tests.integration.conftest import MakeApp
from tests.unit.builders import CONSUMER, MERCHANT, FakeClock, Shop, cst, seed

OPEN_AT = cst(2026, 9, 24, 9)


@pytest.fixture
def two(make_app: MakeApp) -> tuple[Shop, AfterSales, AfterSales]:
    clock = FakeClock()
    first = make_app(clock)
    shop = seed(first, clock)
    clock.now = OPEN_AT
    return shop, first, make_app(clock)


def case_events(app: AfterSales, case_no: str) -> list[str]:
    return [type(e).__name__ for e in app.events.get(app.get_case(case_no).id)]


def open_on(app: AfterSales, request_id: str = "open-1") -> Result:
    return app.open_case(
        request_id=request_id,
        actor=CONSUMER,
        order_no="O1",
        kind="return_refund",
        reason_code="no_reason",
        lines=(LineRequest(1, 1),),
        description="too big",
    )


def test_an_open_repeated_on_another_instance_names_the_same_case(
    two: tuple[Shop, AfterSales, AfterSales],
) -> None:
    shop, app1, app2 = two
    first = open_on(app1)
    stored = shop.stored()
    shop.clock.advance(days=1)  # the repeat comes the next day: the case number must not move
    again = open_on(app2)
    assert (again.key, again.version, dict(again.detail)) == (
        first.key,
        first.version,
        dict(first.detail),
    )
    assert first.changed and not again.changed
    assert shop.stored() == stored
    assert case_events(app2, first.key) == [
        "Opened",
        "Routed",
    ]  # R20: triaged as it opened (issue 7)
    assert list(app2.get_order("O1").claims) == [first.key]


def test_a_move_repeated_on_another_instance_happens_once(
    two: tuple[Shop, AfterSales, AfterSales],
) -> None:
    shop, app1, app2 = two
    case_no = open_on(app1).key
    shop.clock.advance(minutes=5)
    first = app1.accept(request_id="accept-1", actor=MERCHANT, case_no=case_no)
    stored = shop.stored()
    again = app2.accept(request_id="accept-1", actor=MERCHANT, case_no=case_no)
    assert (again.target_id, again.key, again.version) == (
        first.target_id,
        first.key,
        first.version,
    )
    assert not again.changed and shop.stored() == stored
    assert case_events(app1, case_no) == ["Opened", "Routed", "Accepted"]


def test_a_repeat_after_the_case_moved_on_returns_the_first_result(
    two: tuple[Shop, AfterSales, AfterSales],
) -> None:
    shop, app1, app2 = two
    case_no = open_on(app1).key
    first = app1.accept(request_id="accept-1", actor=MERCHANT, case_no=case_no)
    app1.ship_return(
        request_id="ship-1", actor=CONSUMER, case_no=case_no, carrier="SF", tracking_no="1"
    )
    stored = shop.stored()
    again = app2.accept(request_id="accept-1", actor=MERCHANT, case_no=case_no)
    assert again.version == first.version == 3  # not "cannot accept while in transit"
    assert shop.stored() == stored


def test_a_request_id_used_for_another_command_is_refused(
    two: tuple[Shop, AfterSales, AfterSales],
) -> None:
    shop, app1, app2 = two
    case_no = open_on(app1).key
    app1.accept(request_id="r-1", actor=MERCHANT, case_no=case_no)
    stored = shop.stored()
    with pytest.raises(InvalidInput, match="already used for accept"):
        app2.reject(request_id="r-1", actor=MERCHANT, case_no=case_no, reason="no")
    assert shop.stored() == stored


def test_a_refused_command_leaves_its_request_id_free(
    two: tuple[Shop, AfterSales, AfterSales],
) -> None:
    shop, app1, app2 = two
    case_no = open_on(app1).key
    stored = shop.stored()
    with pytest.raises(InvalidInput):
        app1.reject(request_id="r-1", actor=MERCHANT, case_no=case_no, reason=" ")
    assert shop.stored() == stored
    result = app2.reject(request_id="r-1", actor=MERCHANT, case_no=case_no, reason="worn")
    assert result.changed and case_events(app1, case_no) == ["Opened", "Routed", "Rejected"]


def test_the_same_request_racing_on_two_instances_happens_once(
    two: tuple[Shop, AfterSales, AfterSales],
) -> None:
    shop, app1, app2 = two
    case_no = open_on(app1).key
    stored = shop.stored()
    barrier = threading.Barrier(2, timeout=20)
    for app in (app1, app2):
        _hold_first_save(app, barrier)
    results: list[Any] = [None, None]

    def go(i: int, app: AfterSales) -> None:
        try:
            results[i] = app.accept(request_id="accept-1", actor=MERCHANT, case_no=case_no)
        except DomainError as error:  # pragma: no cover - shown by the assertion below
            results[i] = error

    threads = [threading.Thread(target=go, args=(i, a)) for i, a in enumerate((app1, app2))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert all(isinstance(r, Result) for r in results), results
    assert sorted(r.changed for r in results) == [False, True]
    assert {r.version for r in results} == {3}  # opened, triaged (R20), accepted
    assert case_events(app1, case_no) == ["Opened", "Routed", "Accepted"]
    recorded = app1.recorder.select_notifications(stored + 1, 10)
    assert sorted(n.topic.rsplit(".", 1)[-1] for n in recorded) == ["Accepted", "Handled"]


def _hold_first_save(app: AfterSales, barrier: threading.Barrier) -> None:
    original = app.save
    calls = [0]

    def save(*objs: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] == 1:
            barrier.wait()
        return original(*objs, **kwargs)

    app.save = save  # type: ignore[method-assign]


def test_a_request_id_replayed_by_another_actor_does_not_hand_over_the_first_result(
    two: tuple[Shop, AfterSales, AfterSales],
) -> None:
    """P4 / NotFound must not leak: another merchant who sends the same request id learns nothing
    of the first merchant's case (not even its number)."""
    shop, app1, app2 = two
    case_no = open_on(app1).key
    app1.accept(request_id="accept-1", actor=MERCHANT, case_no=case_no)
    stored = shop.stored()
    stranger = Actor(Role.MERCHANT, "m2-staff", merchant_id="m2")
    with pytest.raises(DomainError) as info:
        app2.accept(request_id="accept-1", actor=stranger, case_no="AS-MINE")
    assert case_no not in str(info.value)
    assert shop.stored() == stored


def test_a_request_id_reused_for_another_case_is_refused_not_replayed(
    two: tuple[Shop, AfterSales, AfterSales],
) -> None:
    shop, app1, app2 = two
    first = open_on(app1, "open-1").key
    shop.clock.advance(minutes=1)
    app1.withdraw(request_id="w-1", actor=CONSUMER, case_no=first)
    shop.clock.advance(minutes=1)
    second = open_on(app1, "open-2").key
    stored = shop.stored()
    with pytest.raises(InvalidInput, match="request id"):
        app2.withdraw(request_id="w-1", actor=CONSUMER, case_no=second)
    assert shop.stored() == stored
    assert app2.get_case(second).status == "requested"
