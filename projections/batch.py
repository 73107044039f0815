"""One batch of notifications, read and decoded once, applied to every projection in ONE read-model
transaction (issue 12: one pass over the log, not one per projection).

In that transaction each projection, in name order (so two runners lock tracking rows in the same
order and never deadlock):

1. claims its part of the batch: ``UPDATE projection_tracking SET position = <last id> WHERE name
   = ? AND position = <its old position>``. Another runner that committed this batch first makes
   it change 0 rows: the projection is skipped (it wrote nothing yet) and re-reads its position
   on the next batch;
2. applies the events it wants (its ``topics``; filtered before decoding) after its own position,
   inside a SAVEPOINT: all at once through ``process_batch`` when the projection has one (few
   round trips: one read of the rows it needs, one write per row), else one ``process`` call per
   event. When an event cannot be applied, the projection's savepoint is rolled back and its
   events are applied again one by one with ``process``, each in its own savepoint: a failing
   event is parked (``projections.parking``) and the others are applied. One bad event never
   halts the others, neither the other events nor the other projections;
3. calls ``on_batch_written(name, new_position)``.

Every event is decoded at most once per batch, whichever projections want it; a decoding error
is the event's fault for each projection that wants it (parked for each).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from eventsourcing.persistence import Notification

from projections.db import Cursor, DbConnection, ts
from projections.parking import is_transient, park
from projections.projection import BatchCallback, Projection

__all__ = ["BatchTimings", "DecodedBatch", "apply_batch", "park_event"]

logger = logging.getLogger("aftersales.projections")

PIPELINE = True
"""Use psycopg's pipeline mode for the projections' writes on PostgreSQL (off: for comparison)."""


class _BadEvent(Exception):
    """An event of the batch could not be applied by a projection."""


@dataclass
class BatchTimings:
    """Seconds spent per projection (applying and claiming) and decoding, summed over batches:
    what ``bench.catchup`` reports as each projection's share."""

    per_projection: dict[str, float] = field(default_factory=dict)
    decoding: float = 0.0

    def add(self, name: str, seconds: float) -> None:
        self.per_projection[name] = self.per_projection.get(name, 0.0) + seconds


class DecodedBatch:
    """The batch's notifications, each decoded on first use and only once."""

    def __init__(
        self,
        notifications: Sequence[Notification],
        decode: Callable[[Notification], Any],
        timings: BatchTimings | None = None,
    ) -> None:
        self.notifications = notifications
        self._decode = decode
        self._timings = timings
        self._events: dict[int, Any] = {}
        self._errors: dict[int, Exception] = {}

    def event(self, notification: Notification) -> Any:
        """The decoded event; raises the decoding error (every time) if it cannot be decoded."""
        nid = notification.id
        if nid in self._events:
            return self._events[nid]
        if nid in self._errors:
            raise self._errors[nid]
        started = time.perf_counter()
        try:
            event = self._decode(notification)
        except Exception as error:
            if is_transient(error):
                raise
            self._errors[nid] = error
            raise
        finally:
            if self._timings is not None:
                self._timings.decoding += time.perf_counter() - started
        self._events[nid] = event
        return event

    def wanted(self, projection: Projection, after: int) -> list[Notification]:
        """The notifications after ``after`` that ``projection`` wants (its topics)."""
        topics = frozenset(projection.topics)
        return [n for n in self.notifications if n.id > after and (not topics or n.topic in topics)]


def apply_batch(
    tx: DbConnection,
    batch: DecodedBatch,
    projections: Sequence[Projection],
    positions: dict[str, int],
    *,
    now: datetime,
    on_batch_written: BatchCallback | None = None,
    timings: BatchTimings | None = None,
) -> int:
    """Apply ``batch`` to each projection whose position is before its last id; return the
    number of events handed to the projections (summed). ``positions`` is updated with the
    positions claimed. Must run inside one transaction (``tx``)."""
    new = batch.notifications[-1].id
    count = 0
    for projection in sorted(projections, key=lambda p: p.name):
        old = positions[projection.name]
        if old >= new:
            continue
        started = time.perf_counter()
        claimed = tx.execute(
            "UPDATE projection_tracking SET position = ?, updated_at = ? "
            "WHERE name = ? AND position = ?",
            (new, ts(now), projection.name, old),
        ).rowcount
        if claimed != 1:
            positions[projection.name] = -1  # moved by another runner: re-read it
            continue
        count += _apply_projection(tx, batch, projection, old, now)
        positions[projection.name] = new
        if on_batch_written is not None:
            on_batch_written(projection.name, new)
        if timings is not None:
            timings.add(projection.name, time.perf_counter() - started)
    return count


def _apply_projection(
    tx: DbConnection, batch: DecodedBatch, projection: Projection, old: int, now: datetime
) -> int:
    wanted = batch.wanted(projection, old)
    if not wanted:
        return 0
    tx.execute("SAVEPOINT projection_batch")
    try:
        _apply_fast(tx, batch, projection, wanted)
    except _BadEvent:
        tx.execute("ROLLBACK TO SAVEPOINT projection_batch")
        count = sum(_apply_or_park(tx, batch, projection, n, now) for n in wanted)
        tx.execute("RELEASE SAVEPOINT projection_batch")
        return count
    tx.execute("RELEASE SAVEPOINT projection_batch")
    return len(wanted)


def _apply_fast(
    tx: DbConnection, batch: DecodedBatch, projection: Projection, wanted: list[Notification]
) -> None:
    try:
        items = [(batch.event(n), n.id) for n in wanted]
        process_batch = getattr(projection, "process_batch", None)
        with _pipelined(tx) as conn:
            if process_batch is not None:
                process_batch(conn, items)
            else:
                for event, nid in items:
                    projection.process(conn, event, nid)
    except Exception as error:
        if is_transient(error):
            raise
        raise _BadEvent(projection.name) from error


@contextmanager
def _pipelined(tx: DbConnection) -> Iterator[DbConnection]:
    """On PostgreSQL, the projection's statements in psycopg's pipeline mode: a write whose result
    nobody reads is sent without waiting for its answer, so an event's INSERTs and UPDATEs cost
    no round trip of their own (a SELECT still waits for its rows). Every error has surfaced when
    the block ends (the pipeline is synced), so it is still this projection's. SQLite: as is."""
    if tx.dialect != "postgresql" or not PIPELINE:
        yield tx
        return
    with tx.raw.pipeline():
        yield _PipelinedConnection(tx.raw, tx.dialect)


class _PipelinedConnection(DbConnection):
    """``execute`` in pipeline mode; ``rowcount`` waits for the statement's own result."""

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        return _PipelinedCursor(super().execute(sql, params))


class _PipelinedCursor:
    def __init__(self, cursor: Any) -> None:
        self._cursor = cursor

    @property
    def rowcount(self) -> int:
        self._cursor._fetch_pipeline()  # psycopg: fetch this statement's result (a sync)
        return int(self._cursor.rowcount)

    def fetchone(self) -> Any:
        return self._cursor.fetchone()

    def fetchall(self) -> list[Any]:
        return list(self._cursor.fetchall())

    def __iter__(self) -> Iterator[Any]:
        return iter(self._cursor)


def _apply_or_park(
    tx: DbConnection,
    batch: DecodedBatch,
    projection: Projection,
    notification: Notification,
    now: datetime,
) -> int:
    """Apply one event inside a savepoint; on an error that is the event's fault, undo its
    writes and park it. Returns 1 when applied, 0 when parked."""
    tx.execute("SAVEPOINT apply_event")
    try:
        projection.process(tx, batch.event(notification), notification.id)
    except Exception as error:
        if is_transient(error):
            raise
        tx.execute("ROLLBACK TO SAVEPOINT apply_event")
        tx.execute("RELEASE SAVEPOINT apply_event")
        park_event(tx, projection.name, notification, error, now)
        return 0
    tx.execute("RELEASE SAVEPOINT apply_event")
    return 1


def park_event(
    tx: DbConnection, name: str, notification: Notification, error: Exception, now: datetime
) -> None:
    logger.error(
        "projection %s: parked notification %s (%s v%s): %s",
        name,
        notification.id,
        notification.topic,
        notification.originator_version,
        error,
    )
    park(
        tx,
        name,
        notification_id=notification.id,
        originator_id=str(notification.originator_id),
        originator_version=notification.originator_version,
        topic=notification.topic,
        error=error,
        now=now,
    )
