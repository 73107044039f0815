"""Issue 10 on the real service, every registered projection and the timer worker, both stores:
events as an unchecked writer stored them — a NUL character in a case's description, an order
line paid beyond BIGINT — are parked by the projections that cannot take them; every later event
is projected, every lag returns to 0, and the deadline worker still fires a later case's clock.

The bad values are put into the stored events' bytes after the service recorded placeholders,
so the test keeps meaning something once the service refuses such input at the door.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from domain import ids
from projections.parking import parked_events
from projections.registry import make_runner
from projections.runner import Runner
from projections.timers import TimerWorker
from tests.integration.projection_support import START, World, merchant
from tests.integration.test_tamper import rewrite_state

NUL_PLACEHOLDER = "NULPLACEHOLDER"
HUGE_PLACEHOLDER_FEN = 777_777_777
BEYOND_BIGINT = 2**63 + 5  # the 9223372036854775813 fen


def replace(*pairs: tuple[bytes, bytes]) -> Callable[[bytes], bytes]:
    def edit(state: bytes) -> bytes:
        for old, new in pairs:
            assert state.count(old) == 1, (old, state[:400])
            state = state.replace(old, new)
        return state

    return edit


@pytest.fixture
def world(store_url: str, tmp_path: Path) -> Iterator[World]:
    w = World(store_url, tmp_path)
    yield w
    w.close()


def bad_history(world: World) -> tuple[str, str]:
    """A case whose description holds a NUL, an order paid beyond BIGINT; returns both keys."""
    # rewrite_state reads the event store's place from the URL: the events file on SQLite, the
    # test's schema (search_path option of the read model's URL) on PostgreSQL.
    url = world.app_url if world.store_url.startswith("sqlite") else world.store_url
    nul_case = world.open(description=f"坏了{NUL_PLACEHOLDER}")
    rewrite_state(
        url,
        ids.case_id(nul_case),
        1,
        replace((NUL_PLACEHOLDER.encode(), b"\\u0000")),
    )
    huge_order = world.order(paid_fen=HUGE_PLACEHOLDER_FEN)
    rewrite_state(
        url,
        ids.order_id(huge_order),
        1,
        replace(  # the line's price and its card tender, so that the tenders still add up
            (b'"paid_fen":777777777', b'"paid_fen":%d' % BEYOND_BIGINT),
            (b'"amount_fen":700000000', b'"amount_fen":%d' % (BEYOND_BIGINT - 77777777)),
        ),
    )
    return nul_case, huge_order


def test_every_projection_and_the_timers_go_on_past_bad_events(
    world: World, store_url: str
) -> None:
    nul_case, huge_order = bad_history(world)
    assert "\x00" in world.case(nul_case).description  # really stored
    world.clock.advance(minutes=5)
    world.app.accept(request_id=world.rid(), actor=merchant(), case_no=nul_case)
    later = world.open()  # its R12 merchant decision clock runs out 2 hours after START
    runner: Runner = make_runner(world.app, world.db, clock=world.clock)

    runner.catch_up(batch_size=7)

    parked = parked_events(world.db)
    assert parked, "no projection parked anything"
    where = {(p.projection, p.originator_id) for p in parked}
    assert ("orders", str(ids.order_id(huge_order))) in where  # BIGINT paid_fen
    if store_url.startswith("postgresql"):  # SQLite stores a NUL in TEXT
        assert ("timeline", str(ids.case_id(nul_case))) in where
        assert any("cannot contain NUL" in p.error for p in parked)
    assert any(("bigint out of range" in p.error or "OverflowError" in p.error) for p in parked)
    for status in runner.status():
        assert status.lag_events == 0, status
    with world.db.connect() as conn:
        row = conn.execute("SELECT status FROM case_summary WHERE case_no = ?", (later,)).fetchone()
    assert row is not None and row["status"] == "requested"  # a later case, projected

    worker = TimerWorker(world.app, world.db, runner=runner)
    world.clock.set(START + timedelta(hours=3))
    assert worker.run_once() >= 1
    assert world.breaches(later, "merchant_decision")
    runner.catch_up()
    assert all(s.lag_events == 0 for s in runner.status())


def test_status_lists_parked_events_and_exits_1_until_they_are_replayed(
    store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI: `projections run` warns, `projections status` lists and exits 1, `retry` keeps
    what still fails (and exits 1), an unknown name is refused (exit 2)."""
    from click.testing import CliRunner

    from tests.integration import projection_support
    from web.cli import main

    # The CLI keeps events and read model at one URL: so does this world.
    monkeypatch.setattr(projection_support, "event_store_url", lambda url, _tmp: url)
    monkeypatch.setenv("AFTERSALES_DATABASE_URL", store_url)
    monkeypatch.setenv("AFTERSALES_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("AFTERSALES_SECRET_KEY", "cli-test-secret-key-0123456789")
    world = World(store_url, tmp_path)
    try:
        _nul_case, huge_order = bad_history(world)
        cli = CliRunner()

        run = cli.invoke(main, ["projections", "run", "--once"])
        assert run.exit_code == 0, run.output
        assert "parked event(s)" in run.output

        status = cli.invoke(main, ["projections", "status"])
        assert status.exit_code == 1
        lines = status.output.splitlines()
        assert lines[0].split()[-1] == "parked"
        table = {line.split()[0]: line.split() for line in lines[1:] if line[:1].isalpha()}
        assert int(table["orders"][-1]) >= 1 and int(table["orders"][3]) == 0  # parked, no lag
        assert "orders notification" in status.output
        assert str(ids.order_id(huge_order)) in status.output

        retry = cli.invoke(main, ["projections", "retry", "orders"])
        assert retry.exit_code == 1
        assert "replayed 0 parked event(s)" in retry.output
        unknown = cli.invoke(main, ["projections", "retry", "nope"])
        assert unknown.exit_code == 2
    finally:
        world.close()
