"""Follow an eventsourcing application's notification log into read-model tables.

Generic over any ``eventsourcing.application.Application`` (only ``app.recorder`` and
``app.mapper`` are used) and any :class:`Projection`.

One pass (issue 12): a batch of notifications is read and decoded ONCE and applied to every
projection of the runner (``projections.batch``); ``names=`` selects projections, so one process
per projection stays possible.

Exactly once: a batch of notifications is processed and each projection's new position is
written to ``projection_tracking`` in ONE read-model transaction. A crash at any point either
commits both or neither, so no event is lost or applied twice.

Two runners on the same projection: before writing a projection's rows the batch transaction runs
``UPDATE projection_tracking SET position = <new> WHERE name = ? AND position = <old>``. The
first runner's update locks the row (PostgreSQL) or the database (SQLite ``BEGIN IMMEDIATE``);
the second one, once the first has committed, changes 0 rows, skips that projection in this
batch (nothing of it written) and carries on from the new position. Tracking rows are claimed in
name order, so two runners with overlapping projections never deadlock.

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

from projections.batch import BatchTimings, DecodedBatch, apply_batch, park_event
from projections.db import Database, check_identifier, parse_ts, ts
from projections.notifications import count_notifications_after
from projections.parking import (
    forget,
    is_transient,
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
    "BatchTimings",
    "ProgressCallback",
    "Projection",
    "ProjectionStatus",
    "RetryResult",
    "Runner",
    "count_notifications_after",
]

logger = logging.getLogger("aftersales.projections")

#: A catch-up refreshes its tables' statistics once it has processed this many events, then
#: each time the count has grown this many times over (``Runner._analyze``).
FIRST_ANALYZE = 2_000
ANALYZE_GROWTH = 4


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

    def positions(self, names: Iterable[str]) -> dict[str, int]:
        """Each named projection's position, read in one query (0 if it has never run)."""
        wanted = list(names)
        with self.db.connect() as conn:
            rows = conn.execute("SELECT name, position FROM projection_tracking").fetchall()
        found = {row["name"]: int(row["position"]) for row in rows}
        return {name: found.get(name, 0) for name in wanted}

    def catch_up(
        self,
        batch_size: int = 500,
        progress: ProgressCallback | None = None,
        *,
        names: Iterable[str] | None = None,
        timings: BatchTimings | None = None,
    ) -> int:
        """Process everything recorded so far in ONE pass over the log for all the selected
        projections (``projections.batch``); return how many events were processed.

        Each batch is read once from the position of the projection furthest behind, decoded
        once, and applied to every projection in one transaction. Counts events handed to the
        projections in batches this runner committed, summed over projections (events skipped
        by a topic filter, or batches another runner committed first, are not counted).
        ``progress(done, total)`` counts notifications passed summed over projections.
        """
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        projections = self._selected(names)
        self._ensure_tracking_rows(projections)
        positions = self.positions(p.name for p in projections)
        total = done = processed = 0
        if progress is not None:
            total = sum(
                count_notifications_after(self.recorder, position)
                for position in positions.values()
            )
            progress(0, total)
        next_analyze = FIRST_ANALYZE
        while True:
            if any(position < 0 for position in positions.values()):
                positions = self.positions(p.name for p in projections)
            start = min(positions.values())
            notifications = self.recorder.select_notifications(
                start, batch_size, inclusive_of_start=False
            )
            if not notifications:
                break
            batch = DecodedBatch(notifications, self.app.mapper.to_domain_event, timings)
            before = dict(positions)
            with self.db.transaction() as tx:
                written = apply_batch(
                    tx,
                    batch,
                    projections,
                    positions,
                    now=self.clock(),
                    on_batch_written=self.on_batch_written,
                    timings=timings,
                )
            processed += written
            if processed >= next_analyze:
                self._analyze(projections)
                next_analyze = processed * ANALYZE_GROWTH
            if progress is not None:
                done += sum(
                    sum(1 for n in notifications if n.id > before[name])
                    for name, position in positions.items()
                    if position >= 0
                )
                progress(done, max(total, done))
            if len(notifications) < batch_size and all(p >= 0 for p in positions.values()):
                break
        return processed

    def _analyze(self, projections: Iterable[Projection]) -> None:
        """Refresh PostgreSQL's statistics of the tables a long catch-up is filling (issue 12).
        A rebuild starts from empty tables; with statistics that say "empty" the planner keeps
        choosing (and prepared statements keep) sequential scans, so each batch reads the whole
        of a growing table: the 1M-event benchmark slowed from ~750 to ~450 events/s that way.
        Done at geometric steps of the events processed (a handful per rebuild)."""
        if self.db.dialect != "postgresql":
            return
        with self.db.transaction() as tx:
            for projection in projections:
                for table in projection.tables:
                    tx.execute(f"ANALYZE {check_identifier(table)}")

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
                        event = self.app.mapper.to_domain_event(notification)
                        projection.process(tx, event, notification.id)
                    replayed += 1
                except Exception as error:
                    if is_transient(error):
                        raise
                    with self.db.transaction() as tx:
                        park_event(tx, projection.name, notification, error, self.clock())
                    still += 1
        return RetryResult(replayed, still)

    def follow(
        self,
        poll_interval: float = 0.1,
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
        timings: BatchTimings | None = None,
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
        return self.catch_up(
            batch_size, progress, names=[p.name for p in projections], timings=timings
        )

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
