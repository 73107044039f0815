"""Follow an eventsourcing application's notification log into read-model tables.

Generic over any ``eventsourcing.application.Application`` (only ``app.recorder`` and
``app.mapper`` are used) and any :class:`Projection`.

Exactly once: for each projection, a batch of notifications is processed and the projection's
new position is written to ``projection_tracking`` in ONE read-model transaction. A crash at any
point either commits both or neither, so no event is lost or applied twice.

Two runners on the same projection: the batch transaction starts with
``UPDATE projection_tracking SET position = <new> WHERE name = ? AND position = <old>``. The
first runner's update locks the row (PostgreSQL) or the database (SQLite ``BEGIN IMMEDIATE``);
the second one, once the first has committed, changes 0 rows, rolls its batch back and carries
on from the new position.

Gaps: notification ids may have gaps on PostgreSQL (rolled-back inserts consume sequence
values). The runner asks for "ids after my position" and takes what comes; it never waits for a
missing id. (This relies on the library's default of inserting under a table lock, which makes
ids visible in order; ``POSTGRES_ENABLE_DB_FUNCTIONS`` inserts without that lock.)

Topics: a projection with ``topics`` receives only events with those topics, but its position
still advances over every notification.

Bad events: an event a projection cannot apply is parked (``projections.parking``), not retried
forever; the batch goes on without it. Filtering happens in Python, before decoding: the
library's SQL topic filter has no index behind it on either store, and with it the runner could
not tell "no matching event yet" from "nothing more to read" without a second query.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from eventsourcing.application import Application
from eventsourcing.persistence import ApplicationRecorder, Notification

from projections.db import Database, DbConnection, check_identifier, parse_ts, ts
from projections.notifications import count_notifications_after
from projections.parking import (
    forget,
    is_transient,
    park,
    parked_counts,
    parked_events,
    unpark,
)
from projections.projection import (
    BatchCallback,
    ProgressCallback,
    Projection,
    ProjectionStatus,
    RetryResult,
)
from projections.supervise import Backoff, supervise

__all__ = [
    "BatchCallback",
    "ProgressCallback",
    "Projection",
    "ProjectionStatus",
    "RetryResult",
    "Runner",
    "count_notifications_after",
]

logger = logging.getLogger("aftersales.projections")


class _PositionMoved(Exception):
    """Another runner advanced the projection first; this batch is rolled back."""


class _BadEvent(Exception):
    """An event of the batch could not be applied: redo the batch event by event (savepoints)."""


class Runner:
    """Feeds ``projections`` from ``app``'s notification log into ``db``.

    ``db`` must be migrated (``projection_tracking`` exists). ``on_batch_written``: see
    :data:`BatchCallback`. ``clock`` is used for ``updated_at`` and ``lag_seconds``.
    """

    def __init__(
        self,
        app: Application[Any],
        db: Database,
        projections: Sequence[Projection],
        *,
        on_batch_written: BatchCallback | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        names = [p.name for p in projections]
        if len(set(names)) != len(names):
            raise ValueError(f"projection names must be unique: {names}")
        owner: dict[str, str] = {}
        for p in projections:
            for table in p.tables:
                check_identifier(table)
                if table in owner:
                    raise ValueError(
                        f"table {table!r} is claimed by projections {owner[table]!r} and "
                        f"{p.name!r}; rebuilding one would erase the other's rows"
                    )
                owner[table] = p.name
        self.app = app
        self.db = db
        self.projections: dict[str, Projection] = {p.name: p for p in projections}
        self.on_batch_written = on_batch_written
        self.clock = clock

    @property
    def recorder(self) -> ApplicationRecorder:
        return self.app.recorder

    # -- positions ---------------------------------------------------------------------

    def _selected(self, names: Iterable[str] | None) -> list[Projection]:
        if names is None:
            return list(self.projections.values())
        selected = []
        for name in names:
            if name not in self.projections:
                raise KeyError(f"unknown projection {name!r}; known: {sorted(self.projections)}")
            selected.append(self.projections[name])
        return selected

    def _ensure_tracking_rows(self, projections: Sequence[Projection]) -> None:
        wanted = [p.name for p in projections]
        with self.db.connect() as conn:
            rows = conn.execute("SELECT name FROM projection_tracking").fetchall()
        missing = [name for name in wanted if name not in {row["name"] for row in rows}]
        if not missing:
            return
        with self.db.transaction() as tx:
            for name in missing:
                tx.execute(
                    "INSERT INTO projection_tracking (name, position, updated_at) "
                    "VALUES (?, 0, ?) ON CONFLICT (name) DO NOTHING",
                    (name, ts(self.clock())),
                )

    def position(self, name: str) -> int:
        """The projection's position (0 if it has never run)."""
        with self.db.connect() as conn:
            row = conn.execute(
                "SELECT position FROM projection_tracking WHERE name = ?", (name,)
            ).fetchone()
        return 0 if row is None else int(row["position"])

    # -- catching up -------------------------------------------------------------------

    def catch_up(
        self,
        batch_size: int = 500,
        progress: ProgressCallback | None = None,
        *,
        names: Iterable[str] | None = None,
    ) -> int:
        """Process everything recorded so far; return how many events were processed.

        Counts events handed to ``process`` in batches this runner committed (events skipped by
        a topic filter, or batches another runner committed first, are not counted).
        """
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        projections = self._selected(names)
        self._ensure_tracking_rows(projections)
        total = 0
        if progress is not None:
            total = sum(
                count_notifications_after(self.recorder, self.position(p.name)) for p in projections
            )
            progress(0, total)
        done = processed = 0
        for projection in projections:
            while True:
                position = self.position(projection.name)
                notifications = self.recorder.select_notifications(
                    position, batch_size, inclusive_of_start=False
                )
                if not notifications:
                    break
                try:
                    processed += self._apply_batch(projection, position, notifications)
                except _PositionMoved:
                    continue  # someone else did this batch; re-read the position
                if progress is not None:
                    done += len(notifications)
                    progress(done, max(total, done))
                if len(notifications) < batch_size:
                    break
        return processed

    def _apply_batch(
        self, projection: Projection, old: int, notifications: Sequence[Notification]
    ) -> int:
        """One transaction for the batch and the new position. When an event cannot be applied,
        the batch is rolled back and redone with a savepoint around each event: a failing event
        is parked (its own writes undone) and the others are applied (issue 10)."""
        try:
            return self._write_batch(projection, old, notifications, careful=False)
        except _BadEvent:
            return self._write_batch(projection, old, notifications, careful=True)

    def _write_batch(
        self,
        projection: Projection,
        old: int,
        notifications: Sequence[Notification],
        *,
        careful: bool,
    ) -> int:
        new = notifications[-1].id
        topics = frozenset(projection.topics)
        count = 0
        with self.db.transaction() as tx:
            # Claim the batch first: this write serialises concurrent runners.
            claimed = tx.execute(
                "UPDATE projection_tracking SET position = ?, updated_at = ? "
                "WHERE name = ? AND position = ?",
                (new, ts(self.clock()), projection.name, old),
            ).rowcount
            if claimed != 1:
                raise _PositionMoved(projection.name)
            for notification in notifications:
                if topics and notification.topic not in topics:
                    continue
                if careful:
                    count += self._apply_or_park(tx, projection, notification)
                    continue
                try:
                    self._apply_one(tx, projection, notification)
                except Exception as error:
                    if is_transient(error):
                        raise
                    raise _BadEvent(notification.id) from error
                count += 1
            if self.on_batch_written is not None:
                self.on_batch_written(projection.name, new)
        return count

    def _apply_one(
        self, tx: DbConnection, projection: Projection, notification: Notification
    ) -> None:
        event = self.app.mapper.to_domain_event(notification)
        projection.process(tx, event, notification.id)

    def _apply_or_park(
        self, tx: DbConnection, projection: Projection, notification: Notification
    ) -> int:
        """Apply one event inside a savepoint; on an error that is the event's fault, undo its
        writes and park it. Returns 1 when applied, 0 when parked."""
        tx.execute("SAVEPOINT apply_event")
        try:
            self._apply_one(tx, projection, notification)
        except Exception as error:
            if is_transient(error):
                raise
            tx.execute("ROLLBACK TO SAVEPOINT apply_event")
            tx.execute("RELEASE SAVEPOINT apply_event")
            self._park(tx, projection, notification, error)
            return 0
        tx.execute("RELEASE SAVEPOINT apply_event")
        return 1

    def _park(
        self,
        tx: DbConnection,
        projection: Projection,
        notification: Notification,
        error: Exception,
    ) -> None:
        logger.error(
            "projection %s: parked notification %s (%s v%s): %s",
            projection.name,
            notification.id,
            notification.topic,
            notification.originator_version,
            error,
        )
        park(
            tx,
            projection.name,
            notification_id=notification.id,
            originator_id=str(notification.originator_id),
            originator_version=notification.originator_version,
            topic=notification.topic,
            error=error,
            now=self.clock(),
        )

    def retry_parked(self, names: Iterable[str] | None = None) -> RetryResult:
        """Apply the parked events of the named projections (all when None) again, each in its
        own transaction, in notification order: one that applies leaves ``parked_events``, one
        that fails again stays with another attempt counted.

        An event replayed here is applied after later events of its aggregate were; a
        projection whose rows depend on that order is better rebuilt (which also replays it).
        """
        replayed = still = 0
        for projection in self._selected(names):
            for parked in parked_events(self.db, [projection.name]):
                found = self.recorder.select_notifications(
                    parked.notification_id, 1, inclusive_of_start=True
                )
                if not found or found[0].id != parked.notification_id:
                    still += 1  # not in the event store: stays parked for a person to look at
                    continue
                notification = found[0]
                try:
                    with self.db.transaction() as tx:
                        if not unpark(tx, projection.name, notification.id):
                            continue  # another retry replayed it first
                        self._apply_one(tx, projection, notification)
                    replayed += 1
                except Exception as error:
                    if is_transient(error):
                        raise
                    with self.db.transaction() as tx:
                        self._park(tx, projection, notification, error)
                    still += 1
        return RetryResult(replayed, still)

    def follow(
        self,
        poll_interval: float = 0.5,
        stop: threading.Event | None = None,
        *,
        batch_size: int = 500,
        backoff: Backoff | None = None,
    ) -> None:
        """Catch up, then poll every ``poll_interval`` seconds until ``stop`` is set.

        Supervised (``projections.supervise``): when the database goes away (connection lost,
        SQLite locked) the error is logged and the next attempt waits with exponential backoff;
        the runner resumes from the committed positions, without a restart.
        """
        supervise(
            lambda: self.catch_up(batch_size),
            name="projections " + ",".join(self.projections),
            interval=poll_interval,
            stop=stop,
            backoff=backoff,
        )

    def rebuild(
        self,
        names: Iterable[str] | None = None,
        progress: ProgressCallback | None = None,
        *,
        batch_size: int = 500,
    ) -> int:
        """Empty the named projections' tables and replay them from the first event.

        Emptying the tables, forgetting their parked events and resetting the positions to 0 is
        one transaction. Returns the number of events processed by the replay (events that still
        fail are parked again).
        """
        projections = self._selected(names)
        self._ensure_tracking_rows(projections)
        with self.db.transaction() as tx:
            for projection in projections:
                for table in projection.tables:
                    tx.execute(f"DELETE FROM {check_identifier(table)}")
                forget(tx, projection.name)
                tx.execute(
                    "UPDATE projection_tracking SET position = 0, updated_at = ? WHERE name = ?",
                    (ts(self.clock()), projection.name),
                )
        return self.catch_up(batch_size, progress, names=[p.name for p in projections])

    # -- status ------------------------------------------------------------------------

    def status(self) -> list[ProjectionStatus]:
        """Position, head and lag of each projection, in the order given to the runner."""
        head = self.recorder.max_notification_id() or 0
        with self.db.connect() as conn:
            rows = {
                row["name"]: (int(row["position"]), row["updated_at"])
                for row in conn.execute(
                    "SELECT name, position, updated_at FROM projection_tracking"
                ).fetchall()
            }
        parked = parked_counts(self.db)
        now = self.clock()
        statuses = []
        for name in self.projections:
            position, updated_at = rows.get(name, (0, None))
            lag_events = count_notifications_after(self.recorder, position)
            lag_seconds: float | None = 0.0
            if lag_events:
                oldest = self.recorder.select_notifications(position, 1, inclusive_of_start=False)
                lag_seconds = self._age(oldest[0], now) if oldest else 0.0
            statuses.append(
                ProjectionStatus(
                    name=name,
                    position=position,
                    head=head,
                    lag_events=lag_events,
                    lag_seconds=lag_seconds,
                    updated_at=parse_ts(updated_at) if updated_at is not None else None,
                    parked=parked.get(name, 0),
                )
            )
        return statuses

    def _age(self, notification: Notification, now: datetime) -> float | None:
        event = self.app.mapper.to_domain_event(notification)
        timestamp = getattr(event, "timestamp", None)
        if not isinstance(timestamp, datetime) or timestamp.tzinfo is None:
            return None
        return max(0.0, (now - timestamp).total_seconds())
