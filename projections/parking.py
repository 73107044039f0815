"""Parked events: what a projection could not apply, kept aside so the read side goes on (issue 10).

The runner applies each event of a batch; when a projection's ``process`` (or decoding the
event) raises an error that is the event's fault — a NUL character PostgreSQL refuses in text,
an amount beyond BIGINT (``bigint out of range``; ``OverflowError`` on SQLite), a value the
projection's code does not expect — only that event's writes are rolled back (a SAVEPOINT), the
event is recorded here, and the batch goes on. Errors that are not the event's fault
(:func:`is_transient`: the connection dropped, the database is locked or missing a table) are
never parked: they abort the batch, which is retried later from the same position.

A parked event is never lost: ``Runner.retry_parked`` replays parked events in notification
order once the projection is fixed, and ``Runner.rebuild`` forgets a projection's parked rows
and meets every event again.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import psycopg
import psycopg.errors

from projections.db import Database, DbConnection, database_unavailable, parse_ts, ts

__all__ = [
    "ERROR_TEXT_LIMIT",
    "ParkedEvent",
    "describe",
    "forget",
    "is_transient",
    "park",
    "parked_counts",
    "parked_events",
    "unpark",
]

ERROR_TEXT_LIMIT = 1000
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")

_NOT_THE_EVENTS_FAULT: tuple[type[Exception], ...] = (
    psycopg.OperationalError,
    psycopg.InterfaceError,
    sqlite3.OperationalError,
    MemoryError,
    psycopg.errors.UndefinedTable,
    psycopg.errors.UndefinedColumn,
    psycopg.errors.InvalidSchemaName,
)


def is_transient(error: BaseException) -> bool:
    """True for errors of the database or its connection rather than of an event: these abort
    the batch (retried later from the same position) and are never parked.

    PostgreSQL: connection lost, admin shutdown, serialization failure, pool timeout
    (``OperationalError``), a closed connection (``InterfaceError``), a missing table or column
    (the read model is not migrated). SQLite: every ``OperationalError`` (locked, busy, I/O,
    no such table).
    """
    if not isinstance(error, Exception):
        return True  # KeyboardInterrupt, SystemExit ... are never an event's fault
    return isinstance(error, _NOT_THE_EVENTS_FAULT) or database_unavailable(error)


def describe(error: BaseException) -> str:
    """``Class: message``, storable on both stores (control characters and lone surrogates
    shown as ``\\xNN``/``\\uNNNN``), at most :data:`ERROR_TEXT_LIMIT` characters."""
    text = f"{type(error).__name__}: {error}"
    text = _CONTROL.sub(lambda m: ascii(m.group())[1:-1], text)
    if len(text) > ERROR_TEXT_LIMIT:
        text = text[: ERROR_TEXT_LIMIT - 1] + "…"
    return text


@dataclass(frozen=True)
class ParkedEvent:
    projection: str
    notification_id: int
    originator_id: str
    originator_version: int
    topic: str
    error: str
    attempts: int
    parked_at: datetime
    last_tried_at: datetime


def park(
    tx: DbConnection,
    projection: str,
    *,
    notification_id: int,
    originator_id: str,
    originator_version: int,
    topic: str,
    error: BaseException,
    now: datetime,
) -> None:
    """Record (or, when it is parked already, count another failed attempt of) one event."""
    tx.execute(
        "INSERT INTO parked_events (projection, notification_id, originator_id, "
        "originator_version, topic, error, attempts, parked_at, last_tried_at) "
        "VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?) "
        "ON CONFLICT (projection, notification_id) DO UPDATE SET "
        "error = excluded.error, attempts = parked_events.attempts + 1, "
        "last_tried_at = excluded.last_tried_at",
        (
            projection,
            notification_id,
            originator_id,
            originator_version,
            topic,
            describe(error),
            ts(now),
            ts(now),
        ),
    )


def unpark(tx: DbConnection, projection: str, notification_id: int) -> bool:
    """Delete one parked row; False when it was gone (another retry took it first)."""
    cursor = tx.execute(
        "DELETE FROM parked_events WHERE projection = ? AND notification_id = ?",
        (projection, notification_id),
    )
    return cursor.rowcount == 1


def forget(tx: DbConnection, projection: str) -> None:
    """Delete every parked row of ``projection`` (its rebuild meets those events again)."""
    tx.execute("DELETE FROM parked_events WHERE projection = ?", (projection,))


def parked_events(
    db: Database, names: Iterable[str] | None = None, *, limit: int | None = None
) -> list[ParkedEvent]:
    """Parked events of ``names`` (all projections when None), by projection then notification."""
    wanted = None if names is None else set(names)
    sql = (
        "SELECT projection, notification_id, originator_id, originator_version, topic, error, "
        "attempts, parked_at, last_tried_at FROM parked_events "
        "ORDER BY projection, notification_id"
    )
    with db.connect() as conn:
        rows = conn.execute(sql).fetchall()
    found = [
        ParkedEvent(
            projection=row["projection"],
            notification_id=int(row["notification_id"]),
            originator_id=row["originator_id"],
            originator_version=int(row["originator_version"]),
            topic=row["topic"],
            error=row["error"],
            attempts=int(row["attempts"]),
            parked_at=parse_ts(row["parked_at"]),
            last_tried_at=parse_ts(row["last_tried_at"]),
        )
        for row in rows
        if wanted is None or row["projection"] in wanted
    ]
    return found if limit is None else found[:limit]


def parked_counts(db: Database) -> dict[str, int]:
    """Number of parked events per projection (projections with none are absent)."""
    with db.connect() as conn:
        rows = conn.execute(
            "SELECT projection, COUNT(*) AS n FROM parked_events GROUP BY projection"
        ).fetchall()
    return {row["projection"]: int(row["n"]) for row in rows}
