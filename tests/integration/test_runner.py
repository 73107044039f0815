"""The projection runner on SQLite and PostgreSQL, with a tiny test-only application.

The event store and the read model share the PostgreSQL schema of ``pg_url``; on SQLite the
event store is a second file next to the read model.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

import pytest
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event
from eventsourcing.utils import get_topic
from psycopg.conninfo import conninfo_to_dict

from projections.db import Database, DbConnection, ts
from projections.migrate import migrate
from projections.runner import ProjectionStatus, Runner
from projections.tablehash import table_digest
from tests.conftest import pg_schema_of

# -- a tiny application --------------------------------------------------------------------


class Ticket(Aggregate):
    class Opened(Aggregate.Created):
        title: str
        amount_fen: int

    @event(Opened)
    def __init__(self, title: str, amount_fen: int) -> None:
        self.title = title
        self.amount_fen = amount_fen
        self.notes: list[str] = []

    @event("Noted")
    def note(self, text: str) -> None:
        self.notes.append(text)


class TicketDesk(Application[UUID]):
    def open(self, title: str, amount_fen: int) -> UUID:
        ticket = Ticket(title, amount_fen)
        self.save(ticket)
        return ticket.id

    def note(self, ticket_id: UUID, text: str) -> None:
        ticket: Ticket = self.repository.get(ticket_id)
        ticket.note(text)
        self.save(ticket)


def event_store_env(store_url: str, events_file: str) -> dict[str, str]:
    if store_url.startswith("sqlite"):
        return {"PERSISTENCE_MODULE": "eventsourcing.sqlite", "SQLITE_DBNAME": events_file}
    params = conninfo_to_dict(store_url)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": str(params["dbname"]),
        "POSTGRES_HOST": str(params.get("host") or "127.0.0.1"),
        "POSTGRES_PORT": str(params.get("port") or "5432"),
        "POSTGRES_USER": str(params.get("user") or "postgres"),
        "POSTGRES_PASSWORD": str(params.get("password") or ""),
        "POSTGRES_SCHEMA": pg_schema_of(store_url),
    }


# -- test-only projections -----------------------------------------------------------------

TEST_TABLES = """
CREATE TABLE test_event_log (
    notification_id BIGINT NOT NULL,
    ticket_id       TEXT   NOT NULL,
    kind            TEXT   NOT NULL,
    at              TEXT   NOT NULL
);
CREATE TABLE test_tickets (
    ticket_id  TEXT   PRIMARY KEY,
    title      TEXT   NOT NULL,
    amount_fen BIGINT NOT NULL,
    opened_at  TEXT   NOT NULL
);
"""


class EventLog:
    """One row per event, no unique key: a repeated event would show as a duplicate row."""

    name = "event_log"
    tables = ("test_event_log",)
    topics: tuple[str, ...] = ()

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay

    def process(self, tx: DbConnection, event: Any, notification_id: int) -> None:
        if self.delay:
            time.sleep(self.delay)
        tx.execute(
            "INSERT INTO test_event_log (notification_id, ticket_id, kind, at) VALUES (?, ?, ?, ?)",
            (notification_id, str(event.originator_id), type(event).__name__, ts(event.timestamp)),
        )


class OpenedTickets:
    """Only interested in Ticket.Opened."""

    name = "opened_tickets"
    tables = ("test_tickets",)
    topics = (get_topic(Ticket.Opened),)

    def process(self, tx: DbConnection, event: Any, notification_id: int) -> None:
        assert isinstance(event, Ticket.Opened)
        tx.execute(
            "INSERT INTO test_tickets (ticket_id, title, amount_fen, opened_at) "
            "VALUES (?, ?, ?, ?)",
            (str(event.originator_id), event.title, event.amount_fen, ts(event.timestamp)),
        )


# -- fixtures ------------------------------------------------------------------------------


@pytest.fixture
def db(store_url: str) -> Iterator[Database]:
    database = Database.from_url(store_url)
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


def fill(desk: TicketDesk, tickets: int = 10, notes: int = 2) -> int:
    """Record ``tickets`` tickets with ``notes`` notes each; return the number of events."""
    for i in range(tickets):
        ticket_id = desk.open(f"ticket {i}", 100 * i)
        for j in range(notes):
            desk.note(ticket_id, f"note {j}")
    return tickets * (1 + notes)


def all_notification_ids(desk: TicketDesk) -> list[int]:
    return [n.id for n in desk.recorder.select_notifications(None, 1_000_000)]


def logged_ids(db: Database) -> list[int]:
    with db.connect() as conn:
        rows = conn.execute(
            "SELECT notification_id FROM test_event_log ORDER BY notification_id"
        ).fetchall()
    return [int(r["notification_id"]) for r in rows]


def count(db: Database, table: str) -> int:
    with db.connect() as conn:
        return int(conn.execute(f"SELECT COUNT(*) AS n FROM {table}").fetchone()["n"])


def by_name(statuses: list[ProjectionStatus]) -> dict[str, ProjectionStatus]:
    return {s.name: s for s in statuses}


# -- tests ---------------------------------------------------------------------------------


def test_catch_up_processes_each_event_exactly_once(desk: TicketDesk, db: Database) -> None:
    n = fill(desk)
    runner = Runner(desk, db, [EventLog()])

    assert runner.catch_up(batch_size=7) == n
    assert runner.catch_up(batch_size=7) == 0  # nothing new: nothing repeated
    assert logged_ids(db) == all_notification_ids(desk)

    fill(desk, tickets=2)
    assert runner.catch_up(batch_size=7) == 6
    assert logged_ids(db) == all_notification_ids(desk)


def test_crash_after_rows_before_commit_resumes_without_loss_or_repeat(
    desk: TicketDesk, db: Database
) -> None:
    fill(desk)  # 30 events
    batches: list[int] = []

    def crash_on_third_batch(name: str, position: int) -> None:
        batches.append(position)
        if len(batches) == 3:
            raise RuntimeError("simulated crash before commit")

    crashing = Runner(desk, db, [EventLog()], on_batch_written=crash_on_third_batch)
    with pytest.raises(RuntimeError, match="simulated crash"):
        crashing.catch_up(batch_size=4)

    ids = all_notification_ids(desk)
    assert logged_ids(db) == ids[:8]  # two batches committed, the third rolled back
    assert crashing.position("event_log") == ids[7]

    assert Runner(desk, db, [EventLog()]).catch_up(batch_size=4) == len(ids) - 8
    assert logged_ids(db) == ids


def test_two_runners_at_once_do_not_double_rows(
    desk: TicketDesk, db: Database, store_url: str
) -> None:
    n = fill(desk, tickets=10, notes=3)  # 40 events
    second_db = Database.from_url(store_url)  # as if in another process
    runners = [
        Runner(desk, db, [EventLog(delay=0.003)]),
        Runner(desk, second_db, [EventLog(delay=0.003)]),
    ]
    barrier = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def run(runner: Runner) -> None:
        try:
            barrier.wait()
            results.append(runner.catch_up(batch_size=5))
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=run, args=(r,)) for r in runners]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    second_db.close()

    assert not errors
    assert sum(results) == n
    assert logged_ids(db) == all_notification_ids(desk)


def test_two_projections_in_one_database_keep_separate_positions(
    desk: TicketDesk, db: Database
) -> None:
    fill(desk, tickets=3, notes=2)  # ends with a Noted event: filtered out by OpenedTickets
    runner = Runner(desk, db, [EventLog(), OpenedTickets()])
    head = desk.recorder.max_notification_id()

    assert runner.catch_up(names=["event_log"]) == 9
    assert runner.position("event_log") == head
    assert runner.position("opened_tickets") == 0
    assert count(db, "test_tickets") == 0

    assert runner.catch_up() == 3  # only the Opened events reach OpenedTickets
    assert runner.position("opened_tickets") == head  # but its position passes every event
    assert count(db, "test_tickets") == 3
    assert count(db, "test_event_log") == 9


def test_rebuild_gives_identical_table_digest(desk: TicketDesk, db: Database) -> None:
    fill(desk)
    runner = Runner(desk, db, [EventLog(), OpenedTickets()])
    runner.catch_up(batch_size=8)
    log_before = table_digest(db, "test_event_log", ["notification_id"])
    tickets_before = table_digest(db, "test_tickets", "ticket_id")

    calls: list[tuple[int, int]] = []
    assert runner.rebuild(progress=lambda done, total: calls.append((done, total))) == 30 + 10

    assert table_digest(db, "test_event_log", ["notification_id"]) == log_before
    assert table_digest(db, "test_tickets", "ticket_id") == tickets_before
    assert calls[0] == (0, 60)  # 30 notifications for each of two projections
    assert calls[-1] == (60, 60)
    assert [done for done, _ in calls] == sorted(done for done, _ in calls)


def test_rebuild_of_one_projection_leaves_the_other_alone(desk: TicketDesk, db: Database) -> None:
    fill(desk, tickets=4, notes=1)
    runner = Runner(desk, db, [EventLog(), OpenedTickets()])
    runner.catch_up()
    with db.transaction() as tx:
        tx.execute("DELETE FROM test_tickets WHERE title = ?", ("ticket 0",))  # damage it

    assert runner.rebuild(["opened_tickets"]) == 4
    assert count(db, "test_tickets") == 4
    assert logged_ids(db) == all_notification_ids(desk)


def test_digest_changes_when_a_row_changes(desk: TicketDesk, db: Database) -> None:
    fill(desk, tickets=2, notes=0)
    Runner(desk, db, [OpenedTickets()]).catch_up()
    before = table_digest(db, "test_tickets", "ticket_id")
    with db.transaction() as tx:
        tx.execute(
            "UPDATE test_tickets SET amount_fen = amount_fen + 1 WHERE title = ?", ("ticket 1",)
        )
    assert table_digest(db, "test_tickets", "ticket_id") != before


def test_status_shows_lag_then_zero_after_catch_up(desk: TicketDesk, db: Database) -> None:
    n = fill(desk, tickets=4, notes=1)
    later = datetime.now(UTC) + timedelta(hours=1)
    runner = Runner(desk, db, [EventLog(), OpenedTickets()], clock=lambda: later)
    head = desk.recorder.max_notification_id()

    before = by_name(runner.status())["event_log"]
    assert (before.position, before.lag_events, before.updated_at) == (0, n, None)
    assert before.head == head
    assert before.lag_seconds is not None
    assert 3590 < before.lag_seconds < 3700  # the oldest event is about an hour old by `later`

    runner.catch_up()
    for status in runner.status():
        assert (status.position, status.head, status.lag_events, status.lag_seconds) == (
            head,
            head,
            0,
            0.0,
        )
        assert status.updated_at == later


def test_follow_picks_up_new_events_until_stopped(desk: TicketDesk, db: Database) -> None:
    runner = Runner(desk, db, [EventLog()])
    stop = threading.Event()
    follower = threading.Thread(target=runner.follow, kwargs={"poll_interval": 0.02, "stop": stop})
    follower.start()
    try:
        fill(desk, tickets=3, notes=1)
        deadline = time.monotonic() + 10
        while len(logged_ids(db)) < 6 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        stop.set()
        follower.join(timeout=10)
    assert not follower.is_alive()
    assert logged_ids(db) == all_notification_ids(desk)


def test_runner_refuses_two_projections_owning_one_table(desk: TicketDesk, db: Database) -> None:
    class Other(EventLog):
        name = "other"

    with pytest.raises(ValueError, match="test_event_log"):
        Runner(desk, db, [EventLog(), Other()])


@pytest.mark.postgres
def test_gaps_in_notification_ids_do_not_stall(pg_url: str, tmp_path: Any) -> None:
    db = Database.from_url(pg_url)
    migrate(db)
    with db.transaction() as tx:
        tx.executescript(TEST_TABLES)
    desk = TicketDesk(env=event_store_env(pg_url, str(tmp_path / "unused.db")))
    try:
        table = f"{pg_schema_of(pg_url)}.{desk.recorder.events_table_name}"  # type: ignore[attr-defined]
        runner = Runner(desk, db, [EventLog()])

        fill(desk, tickets=2, notes=1)
        with db.transaction() as tx:  # burn sequence values, as rolled-back inserts do
            for _ in range(5):
                tx.execute("SELECT nextval(pg_get_serial_sequence(?, 'notification_id'))", (table,))
        fill(desk, tickets=2, notes=1)

        ids = all_notification_ids(desk)
        assert len(ids) == 8
        assert ids[-1] - ids[0] + 1 > len(ids)  # there is a gap
        assert by_name(runner.status())["event_log"].lag_events == 8

        assert runner.catch_up(batch_size=3) == 8
        assert logged_ids(db) == ids
        status = by_name(runner.status())["event_log"]
        assert (status.position, status.lag_events) == (ids[-1], 0)
    finally:
        desk.close()
        db.close()


def test_runner_works_with_the_in_memory_event_store(sqlite_url: str) -> None:
    desk = TicketDesk()  # POPO recorder: lag is counted by paging, not by SQL
    db = Database.from_url(sqlite_url)
    try:
        migrate(db)
        with db.transaction() as tx:
            tx.executescript(TEST_TABLES)
        n = fill(desk, tickets=3, notes=1)
        runner = Runner(desk, db, [EventLog()])
        assert by_name(runner.status())["event_log"].lag_events == n
        assert runner.catch_up(batch_size=4) == n
        assert by_name(runner.status())["event_log"].lag_events == 0
    finally:
        db.close()
