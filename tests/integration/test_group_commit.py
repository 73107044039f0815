"""Group commit (issue 12, domain/group_commit.py) on SQLite and PostgreSQL: commands of many
threads saved in one transaction, each caller with its own result or error.

Batches are made deterministic with the committer's test ``gate``: the first caller leads and
waits at the gate before it takes its batch, the others queue behind it; once every ticket is
queued the gate opens and one batch takes them all. No timing is asserted."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from eventsourcing.persistence import OperationalError

from domain.service import AfterSales, LineRequest, Result
from tests.integration.conftest import MakeApp
from tests.unit.builders import (
    CONSUMER,
    MERCHANT,
    SYSTEM,
    FakeClock,
    Shop,
    cst,
    order_line,
    seed,
)

N = 6


def _orders(shop: Shop, count: int) -> list[str]:
    """``count`` more orders of c1 at m1, each with one case opened on it."""
    cases = []
    for n in range(count):
        order_no = f"GC{n}"
        shop.app.record_order(
            request_id=f"order-{order_no}",
            actor=SYSTEM,
            order_no=order_no,
            consumer_id=CONSUMER.id,
            merchant_id="m1",
            placed_at=cst(2026, 9, 20, 10),
            lines=(order_line(),),
        )
        cases.append(shop.open("complaint", "service", lines=(), order_no=order_no))
    return cases


def _together(app: AfterSales, calls: list[Callable[[], Result]]) -> list[Result | Exception]:
    """Run ``calls`` in threads whose saves all queue before the first batch is taken."""
    committer = app.group_commit
    assert committer is not None
    committer.gate = threading.Event()
    outcomes: list[Result | Exception | None] = [None] * len(calls)
    finished = [0]

    def go(i: int) -> None:
        try:
            outcomes[i] = calls[i]()
        except Exception as error:
            outcomes[i] = error
        finished[0] += 1  # (a caller refused before its save never queues)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while committer.pending() + finished[0] < len(calls) and time.monotonic() < deadline:
        time.sleep(0.005)  # waiting for the callers to queue, not measuring anything
    committer.gate.set()
    for t in threads:
        t.join(timeout=60)
    committer.gate = None
    assert all(not t.is_alive() for t in threads)
    assert all(o is not None for o in outcomes)
    return outcomes  # type: ignore[return-value]


def _note(app: AfterSales, case_no: str, rid: str) -> Callable[[], Result]:
    return lambda: app.add_note(
        request_id=rid, actor=MERCHANT, case_no=case_no, text=f"note {rid}", internal=True
    )


def _notes(app: AfterSales, case_no: str) -> list[str]:
    case = app.get_case(case_no)
    events = app.repository.event_store.get(case.id)
    return [e.reason for e in events if type(e).__name__ == "NoteAdded"]  # type: ignore[attr-defined]


def _stored_after(app: AfterSales, position: int) -> int:
    """Events stored after notification ``position`` (PostgreSQL leaves gaps in the ids)."""
    return len(app.recorder.select_notifications(position + 1, 10_000))


@pytest.fixture
def cases(shop: Shop) -> tuple[Shop, list[str]]:
    return shop, _orders(shop, N)


def test_one_batch_routes_each_result_to_its_caller(cases: tuple[Shop, list[str]]) -> None:
    shop, case_nos = cases
    app = shop.app
    assert app.group_commit is not None
    before = app.group_commit.batches
    results = _together(app, [_note(app, c, f"n-{c}") for c in case_nos])
    assert all(isinstance(r, Result) for r in results), results
    assert [r.key for r in results] == case_nos  # type: ignore[union-attr]
    ids = [r.notification_id for r in results]  # type: ignore[union-attr]
    assert all(i is not None for i in ids) and len(set(ids)) == N
    assert app.group_commit.batches == before + 1 and app.group_commit.largest == N
    for case_no, result in zip(case_nos, results, strict=True):
        assert _notes(app, case_no) == [f"note n-{case_no}"]
        assert app.get_case(case_no).version == result.version  # type: ignore[union-attr]


def test_a_conflicting_command_retries_alone(
    make_app: MakeApp, cases: tuple[Shop, list[str]]
) -> None:
    """Another process moves case 0 after our command loaded it: our batch conflicts, is saved
    again one ticket per transaction, and only case 0's command gets the conflict (and, as
    before, reloads and decides again) while the others are stored as they were."""
    shop, case_nos = cases
    app, other = shop.app, make_app(shop.clock)
    loaded = threading.Event()
    original = app.get_case

    def get_case(case_no: str, version: int | None = None) -> Any:
        found = original(case_no, version)
        if case_no == case_nos[0] and not loaded.is_set():
            loaded.set()
            _note(other, case_no, "elsewhere")()
        return found

    app.get_case = get_case  # type: ignore[method-assign]
    stored = shop.stored()
    saves: list[int] = []
    record = app._record_processing

    def counted(processing: Any) -> Any:
        saves.append(len(processing.events))
        return record(processing)

    assert app.group_commit is not None
    app.group_commit._record = counted  # type: ignore[method-assign]
    results = _together(app, [_note(app, c, f"c-{c}") for c in case_nos])
    app.get_case = original  # type: ignore[method-assign]
    assert all(isinstance(r, Result) and r.changed for r in results), results
    assert [r.key for r in results] == case_nos  # type: ignore[union-attr]
    assert _notes(app, case_nos[0]) == ["note elsewhere", f"note c-{case_nos[0]}"]
    for case_no in case_nos[1:]:
        assert _notes(app, case_no) == [f"note c-{case_no}"]
    # the failed batch (all N), each of its tickets alone, then case 0's retry
    assert saves[0] == 2 * N and saves[1:] == [2] * (N + 1)
    assert _stored_after(app, stored) == 2 + 2 * N  # the other's note, ours: each with a record


def test_the_same_request_twice_in_one_window_is_stored_once(cases: tuple[Shop, list[str]]) -> None:
    shop, case_nos = cases
    app = shop.app
    twin = _note(app, case_nos[0], "twin")
    results = _together(app, [twin, twin, *(_note(app, c, f"t-{c}") for c in case_nos[1:])])
    first, second = results[0], results[1]
    assert isinstance(first, Result) and isinstance(second, Result)
    assert sorted([first.changed, second.changed]) == [False, True]
    assert first.version == second.version
    assert _notes(app, case_nos[0]) == ["note twin"]
    assert all(isinstance(r, Result) and r.changed for r in results[2:])


def test_a_crash_mid_batch_loses_only_the_unacknowledged(cases: tuple[Shop, list[str]]) -> None:
    """The insert of a batch fails (the database went away): every caller of that batch gets the
    error, nothing of it is stored; what earlier batches acknowledged is all there; the same
    requests sent again are stored once."""
    shop, case_nos = cases
    app = shop.app
    acknowledged = app.add_note(
        request_id="before", actor=MERCHANT, case_no=case_nos[0], text="kept", internal=True
    )
    stored = shop.stored()
    recorder: Any = app.recorder
    original = recorder.insert_events

    def crash(*args: Any, **kwargs: Any) -> Any:
        raise OperationalError("server closed the connection unexpectedly")

    recorder.insert_events = crash
    try:
        results = _together(app, [_note(app, c, f"x-{c}") for c in case_nos])
    finally:
        recorder.insert_events = original
    assert all(isinstance(r, OperationalError) for r in results), results
    assert _stored_after(app, stored) == 0
    assert _notes(app, case_nos[0]) == ["kept"]
    assert acknowledged.notification_id is not None and acknowledged.notification_id <= stored
    again = _together(app, [_note(app, c, f"x-{c}") for c in case_nos])
    assert all(isinstance(r, Result) and r.changed for r in again), again
    repeat = _together(app, [_note(app, c, f"x-{c}") for c in case_nos])
    assert all(isinstance(r, Result) and not r.changed for r in repeat), repeat
    assert _stored_after(app, stored) == 2 * N


def test_off_switch_saves_each_command_alone(event_store_url: str) -> None:
    from domain.store_settings import event_store_env

    env = {**event_store_env(event_store_url), "AFTERSALES_GROUP_COMMIT": "0"}
    clock = FakeClock()
    app = AfterSales(env=env, clock=clock)
    try:
        assert app.group_commit is None
        shop = seed(app, clock)
        clock.now = cst(2026, 9, 24, 9)
        case_no = shop.open(lines=(LineRequest(1, 1),))
        assert app.accept(request_id="a", actor=MERCHANT, case_no=case_no).changed
    finally:
        app.close()
