"""Issue 10, the read side survives a bad event: a projection that cannot apply an event parks it
(``parked_events``) and goes on; the other projections go on; a fixed projection replays it.

The bad events are real: a NUL character in free text (PostgreSQL refuses it in TEXT: "cannot
contain NUL"; SQLite stores it) and an amount beyond BIGINT ("bigint out of range"; SQLite:
OverflowError), recorded by the tiny test application of test_runner.py, which checks nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from projections.db import Database, DbConnection
from projections.migrate import migrate
from projections.parking import describe, parked_counts, parked_events
from projections.runner import Runner
from tests.integration.test_runner import (
    TEST_TABLES,
    EventLog,
    Ticket,
    TicketDesk,
    all_notification_ids,
    event_store_env,
    logged_ids,
)

TEXT_TABLE = """
CREATE TABLE test_texts (
    notification_id BIGINT PRIMARY KEY,
    text            TEXT   NOT NULL,
    amount_fen      BIGINT
);
"""

BEYOND_BIGINT = 2**63 + 5  # the 9223372036854775813 fen


class Texts:
    """Stores each ticket's title and amount, and each note's text, as they come."""

    name = "texts"
    tables = ("test_texts",)
    topics: tuple[str, ...] = ()

    def __init__(self) -> None:
        self.refuse = ""  # a "bug": notes containing this text raise ValueError

    def process(self, tx: DbConnection, event: Any, notification_id: int) -> None:
        if isinstance(event, Ticket.Opened):
            text, amount = event.title, event.amount_fen
        else:
            text, amount = event.text, None
            if self.refuse and self.refuse in text:
                raise ValueError(f"cannot read {text!r}")
        tx.execute(
            "INSERT INTO test_texts (notification_id, text, amount_fen) VALUES (?, ?, ?)",
            (notification_id, text, amount),
        )


@pytest.fixture
def db(store_url: str) -> Iterator[Database]:
    database = Database.from_url(store_url)
    migrate(database)
    with database.transaction() as tx:
        tx.executescript(TEST_TABLES + TEXT_TABLE)
    yield database
    database.close()


@pytest.fixture
def desk(store_url: str, tmp_path: Any) -> Iterator[TicketDesk]:
    app = TicketDesk(env=event_store_env(store_url, str(tmp_path / "events.db")))
    yield app
    app.close()


def text_ids(db: Database) -> list[int]:
    with db.connect() as conn:
        rows = conn.execute("SELECT notification_id FROM test_texts ORDER BY 1").fetchall()
    return [int(r["notification_id"]) for r in rows]


def record_bad_events(desk: TicketDesk) -> tuple[int, int]:
    """Good events, a note with a NUL, a ticket beyond BIGINT, good events again.
    Returns the notification ids of the NUL note and of the huge ticket."""
    first = desk.open("good", 100)
    desk.note(first, "fine")
    desk.note(first, "nul\x00here")
    nul_id = desk.recorder.max_notification_id()
    huge = desk.open("huge", BEYOND_BIGINT)
    huge_id = desk.recorder.max_notification_id()
    desk.note(huge, "after the huge one")
    second = desk.open("later", 200)
    for i in range(5):
        desk.note(second, f"later {i}")
    assert nul_id is not None and huge_id is not None
    return nul_id, huge_id


def test_bad_events_are_parked_and_later_events_projected(
    desk: TicketDesk, db: Database, store_url: str
) -> None:
    nul_id, huge_id = record_bad_events(desk)
    runner = Runner(desk, db, [Texts(), EventLog()])

    runner.catch_up(batch_size=4)

    ids = all_notification_ids(desk)
    parked = {p.notification_id: p for p in parked_events(db)}
    # NUL: PostgreSQL refuses it in TEXT; SQLite stores it, so there it is projected.
    bad = [huge_id, nul_id] if store_url.startswith("postgresql") else [huge_id]
    assert sorted(parked) == sorted(bad)
    assert {p.projection for p in parked.values()} == {"texts"}
    if store_url.startswith("postgresql"):
        assert "bigint out of range" in parked[huge_id].error
        assert "cannot contain NUL" in parked[nul_id].error
    else:
        assert parked[huge_id].error.startswith("OverflowError")
    assert parked[huge_id].topic.endswith("Ticket.Opened")
    assert parked[huge_id].originator_version == 1
    assert text_ids(db) == [i for i in ids if i not in bad]  # every later event projected
    assert logged_ids(db) == ids  # the other projection never noticed
    statuses = {s.name: s for s in runner.status()}
    assert (statuses["texts"].lag_events, statuses["texts"].parked) == (0, len(bad))
    assert (statuses["event_log"].lag_events, statuses["event_log"].parked) == (0, 0)

    # A second pass does not park them again, nor repeat anything.
    desk.note(desk.open("more", 1), "more")
    assert runner.catch_up() == 4
    assert parked_counts(db) == {"texts": len(bad)}
    assert [p.attempts for p in parked_events(db)] == [1] * len(bad)


def test_a_fixed_projection_replays_its_parked_events(desk: TicketDesk, db: Database) -> None:
    ticket = desk.open("t", 1)
    for text in ("one", "bug two", "three", "bug four", "five"):
        desk.note(ticket, text)
    texts = Texts()
    texts.refuse = "bug"
    runner = Runner(desk, db, [texts])
    assert runner.catch_up() == 4
    assert len(parked_events(db)) == 2
    assert "ValueError: cannot read 'bug two'" in parked_events(db)[0].error

    result = runner.retry_parked()  # not fixed yet: they stay, one more attempt each
    assert (result.replayed, result.still_parked) == (0, 2)
    assert [p.attempts for p in parked_events(db)] == [2, 2]

    texts.refuse = ""  # the fix
    result = runner.retry_parked(["texts"])
    assert (result.replayed, result.still_parked) == (2, 0)
    assert parked_events(db) == []
    assert text_ids(db) == all_notification_ids(desk)
    assert runner.retry_parked() == type(result)(0, 0)


def test_rebuild_forgets_parked_events_and_meets_them_again(desk: TicketDesk, db: Database) -> None:
    ticket = desk.open("t", 1)
    desk.note(ticket, "bug")
    desk.note(ticket, "ok")
    texts = Texts()
    texts.refuse = "bug"
    runner = Runner(desk, db, [texts])
    runner.catch_up()
    assert parked_counts(db) == {"texts": 1}

    runner.rebuild()  # still broken: parked again, once
    assert [p.attempts for p in parked_events(db)] == [1]
    texts.refuse = ""
    assert runner.rebuild() == 3
    assert parked_counts(db) == {}
    assert text_ids(db) == all_notification_ids(desk)


class DatabaseGone:
    name = "gone"
    tables: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()

    def process(self, tx: DbConnection, event: Any, notification_id: int) -> None:
        raise psycopg.OperationalError("server closed the connection unexpectedly")


def test_a_database_error_is_never_parked(desk: TicketDesk, db: Database) -> None:
    desk.open("t", 1)
    runner = Runner(desk, db, [DatabaseGone()])
    with pytest.raises(psycopg.OperationalError):
        runner.catch_up()
    assert runner.position("gone") == 0  # retried from here later
    assert parked_counts(db) == {}


def test_error_text_is_storable() -> None:
    text = describe(ValueError("a\x00b\udc80" + "x" * 5000))
    assert text.startswith("ValueError: a\\x00b\\udc80x")
    assert len(text) == 1000
