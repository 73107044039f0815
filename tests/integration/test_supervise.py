"""Issue 10, workers supervise themselves: the projection runner and the deadline worker keep
going when the database drops every connection (``pg_terminate_backend``) or a SQLite file stays
locked, and recover without a restart; the read model's pool never hands out a dead connection;
processes starting together on a fresh store never race creating tables.
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest

from projections.db import Database
from projections.event_store import create_event_store_tables, open_service
from projections.migrate import migrate
from projections.runner import Runner
from projections.supervise import Backoff, supervise
from projections.timers import TimerWorker
from tests.integration.projection_support import START, World
from tests.integration.test_runner import (
    TEST_TABLES,
    EventLog,
    TicketDesk,
    all_notification_ids,
    event_store_env,
    fill,
    logged_ids,
)

FAST = Backoff(initial=0.05, maximum=0.4)


def wait_for(condition: Callable[[], bool], timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def terminate_other_backends(url: str) -> int:
    """Drop every other connection to the test database, as a server restart would."""
    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
    return len(rows)


class InThread:
    def __init__(self, target: Callable[[threading.Event], None]) -> None:
        self.stop = threading.Event()
        self.errors: list[BaseException] = []

        def run() -> None:
            try:
                target(self.stop)
            except BaseException as error:  # the loop must never end on its own
                self.errors.append(error)

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=20)
        assert not self.thread.is_alive()


@pytest.fixture
def db(store_url: str) -> Iterator[Database]:
    database = Database.from_url(store_url, busy_timeout=0.2)
    migrate(database)
    with database.transaction() as tx:
        tx.executescript(TEST_TABLES)
    yield database
    database.close()


@pytest.fixture
def desk(store_url: str, tmp_path: Any) -> Iterator[TicketDesk]:
    app = TicketDesk(env=event_store_env(store_url, str(tmp_path / "events.db")))
    yield app
    app.close()


# -- the loop itself ---------------------------------------------------------------------------


def test_supervise_backs_off_exponentially_and_resets_after_a_success(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls: list[float] = []
    outcomes = [psycopg.OperationalError("gone")] * 3 + [None, ValueError("bug"), None]
    stop = threading.Event()

    def step() -> None:
        calls.append(time.monotonic())
        outcome = outcomes[len(calls) - 1]
        if len(calls) == len(outcomes):
            stop.set()
        if outcome is not None:
            raise outcome

    backoff = Backoff(initial=0.05, factor=2.0, maximum=1.0, jitter=0.0)
    with caplog.at_level(logging.WARNING, logger="aftersales.supervise"):
        supervise(step, name="test", interval=0.01, stop=stop, backoff=backoff)
    gaps = [b - a for a, b in itertools.pairwise(calls)]
    assert gaps[0] >= 0.05 and gaps[1] >= 0.1 and gaps[2] >= 0.2  # 0.05, 0.1, 0.2 s
    assert gaps[3] < 0.15  # a success: back to the normal interval (0.01 s)
    assert 0.05 <= gaps[4] < 0.15  # the backoff starts again from its initial delay
    text = caplog.text
    assert "database unavailable (OperationalError: gone)" in text
    assert "recovered after 3 failed attempt(s)" in text
    assert "step failed" in text and "ValueError: bug" in text  # with its traceback


def test_backoff_is_capped() -> None:
    backoff = Backoff(initial=1.0, maximum=30.0, jitter=0.0)
    assert [backoff.next_delay() for _ in range(8)] == [1, 2, 4, 8, 16, 30, 30, 30]


# -- PostgreSQL: every connection dropped under running workers --------------------------------


@pytest.mark.postgres
def test_runner_follows_on_after_every_connection_is_terminated(
    pg_url: str, tmp_path: Any, caplog: pytest.LogCaptureFixture
) -> None:
    db = Database.from_url(pg_url)
    migrate(db)
    with db.transaction() as tx:
        tx.executescript(TEST_TABLES)
    desk = TicketDesk(env=event_store_env(pg_url, ""))
    runner = Runner(desk, db, [EventLog()])
    follower = InThread(lambda stop: runner.follow(0.02, stop, backoff=FAST))
    try:
        fill(desk, tickets=2, notes=1)
        assert wait_for(lambda: len(logged_ids(db)) == 4)
        for _round in range(2):
            assert terminate_other_backends(pg_url) >= 1
            fill(desk, tickets=1, notes=1)  # the writer recovers too (the library retries)
            assert wait_for(lambda: logged_ids(db) == all_notification_ids(desk)), logged_ids(db)
        assert follower.thread.is_alive() and not follower.errors
        follower.close()
        assert logged_ids(db) == all_notification_ids(desk)  # nothing lost, nothing doubled
    finally:
        follower.close()
        desk.close()
        db.close()


@pytest.mark.postgres
def test_read_model_pool_hands_out_no_dead_connection(pg_url: str) -> None:
    db = Database.from_url(pg_url, pool_min_size=3, pool_max_size=3)
    try:
        for _ in range(3):
            with db.connect() as conn:
                conn.execute("SELECT 1").fetchone()
        terminate_other_backends(pg_url)
        started = time.monotonic()
        for _ in range(10):  # every idle connection is dead now: none is handed out
            with db.connect() as conn:
                assert conn.execute("SELECT 1 AS one").fetchone()["one"] == 1
        assert time.monotonic() - started < 1.0  # and no backoff sleeps while replacing them
    finally:
        db.close()


@pytest.mark.postgres
def test_timer_worker_fires_after_every_connection_is_terminated(
    pg_url: str, tmp_path: Path
) -> None:
    world = World(pg_url, tmp_path)
    worker = TimerWorker(world.app, world.db, runner=world.runner)
    loop = InThread(lambda stop: worker.run_forever(0.02, stop, backoff=FAST))
    try:
        first = world.open()
        world.clock.set(START + timedelta(hours=3))  # R12: the merchant's 2 hours are over
        assert wait_for(lambda: bool(world.breaches(first, "merchant_decision")))
        terminate_other_backends(pg_url)
        world.clock.set(START + timedelta(days=1))
        second = world.open()
        world.clock.advance(hours=3)
        assert wait_for(lambda: bool(world.breaches(second, "merchant_decision")))
        assert loop.thread.is_alive() and not loop.errors
    finally:
        loop.close()
        world.close()


# -- SQLite: a file locked for longer than the busy timeout ------------------------------------


def test_runner_waits_out_a_locked_sqlite_file(
    sqlite_url: str, tmp_path: Any, caplog: pytest.LogCaptureFixture
) -> None:
    db = Database.from_url(sqlite_url, busy_timeout=0.1)
    migrate(db)
    with db.transaction() as tx:
        tx.executescript(TEST_TABLES)
    desk = TicketDesk(env=event_store_env(sqlite_url, str(tmp_path / "events.db")))
    runner = Runner(desk, db, [EventLog()])
    assert db.sqlite_path is not None
    holder = sqlite3.connect(db.sqlite_path, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")
        with caplog.at_level(logging.WARNING, logger="aftersales.supervise"):
            follower = InThread(lambda stop: runner.follow(0.02, stop, backoff=FAST))
            fill(desk, tickets=2, notes=1)
            assert wait_for(lambda: "database unavailable" in caplog.text)
            holder.execute("ROLLBACK")
            assert wait_for(lambda: logged_ids(db) == all_notification_ids(desk))
            assert wait_for(lambda: "recovered after" in caplog.text)
        assert follower.thread.is_alive() and not follower.errors
        follower.close()
    finally:
        holder.close()
        desk.close()
        db.close()


# -- tables created once, under a lock ---------------------------------------------------------


def _start(url: str, barrier: Any) -> str:
    """What a worker does at start: create tables if missing (locked), migrate, open."""
    barrier.wait()
    try:
        create_event_store_tables(url)
        with Database.from_url(url) as db:
            migrate(db)
        app = open_service(url)
        app.recorder.max_notification_id()
        app.close()
    except Exception as error:
        return f"{type(error).__name__}: {error}"
    return "ok"


@pytest.mark.parametrize("starts", [4])
def test_processes_starting_together_on_a_fresh_store_do_not_crash(
    store_url: str, starts: int
) -> None:
    for _round in range(2):
        url = store_url if _round == 0 else _fresh(store_url, _round)
        ctx = multiprocessing.get_context("spawn")
        with ctx.Manager() as manager:
            barrier = manager.Barrier(starts)
            with ctx.Pool(starts) as pool:
                results = pool.starmap(_start, [(url, barrier)] * starts)
        assert results == ["ok"] * starts


def _fresh(store_url: str, n: int) -> str:
    """Another fresh store beside ``store_url`` (a new schema or a new file)."""
    if store_url.startswith("sqlite"):
        return store_url.replace("read_model.db", f"fresh{n}.db")
    schema = f"fresh_{os.getpid()}_{n}_{int(time.time() * 1000) % 10**6}"
    with psycopg.connect(store_url, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    from tests.conftest import pg_schema_of

    return store_url.replace(pg_schema_of(store_url), schema)


def test_concurrent_aftersales_migrate_commands_all_succeed(store_url: str, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "AFTERSALES_DATABASE_URL": store_url,
        "AFTERSALES_DATA_DIR": str(tmp_path),
        "AFTERSALES_SECRET_KEY": "cli-test-secret-key-0123456789",
    }
    command = [sys.executable, "-c", "from web.cli import main; main()", "migrate"]
    runs = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(3)
    ]
    outputs = [run.communicate(timeout=120) for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0], outputs
    applied = sorted(out.decode().split()[1] for out, _err in outputs)
    assert sum(int(n) for n in applied) == len(list(Path("migrations").glob("*.sql")))
    with Database.from_url(store_url) as db:
        assert migrate(db) == []  # the read model is complete ...
    app = open_service(store_url)  # ... and so is the event store
    try:
        assert app.recorder.max_notification_id() in (None, 0)
    finally:
        app.close()
