"""Group commit (issue 12): the commands that arrive together from many threads of one process are
saved in one transaction, durably (one ``recorder.insert_events`` with all their events and request
records; PostgreSQL's synchronous commit stays on), and each caller still gets its own result or
its own error.

How it works. A command's save becomes a *ticket* (its pending events, collected at once). The
first caller that finds no leader becomes the leader: it takes every ticket queued (up to
``MAX_BATCH``) and saves them in one transaction, while the callers arriving meanwhile queue up for
the next batch — natural batching, no timer: a single caller is the leader of a batch of one and
saves exactly as the library does (``Application.save``), so it is not slower. A leader whose own
ticket is done steps down after its batch and another waiting caller leads the next one.

- Two tickets touching the same aggregate (a case, an order, the same request record) never go in
  one batch: the later one waits for the next batch, where it conflicts (or not) on its own.
- A batch that fails with ``IntegrityError`` (some command lost a race for an aggregate version)
  is saved again one ticket per transaction, so only the conflicting ticket gets the
  ``IntegrityError`` — its caller (``AfterSales._run``) reloads and decides again, as before.
- Any other error (the database went away mid-batch) reaches every caller of that batch; nothing
  of the batch was stored (one transaction), nothing any earlier batch acknowledged is lost.

Switch: on unless ``AFTERSALES_GROUP_COMMIT`` is ``0`` / ``no`` / ``off`` in the service's
environment (then every command is its own transaction, as before). The domain stays free of SQL:
this uses only the eventsourcing library's application API.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.application import ProcessingEvent
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, Recording

MAX_BATCH = 256
SWITCH = "AFTERSALES_GROUP_COMMIT"


def enabled(value: str | None) -> bool:
    return (value or "yes").strip().lower() not in ("0", "no", "off", "false", "n")


class Ticket:
    """One command's save: its events, the aggregates they belong to, and what came of it."""

    __slots__ = ("done", "error", "ids", "processing", "recordings")

    def __init__(self, objs: Sequence[Any]) -> None:
        self.processing: ProcessingEvent[UUID] = ProcessingEvent()
        events, aggregates = self.processing.events, self.processing.aggregates
        for obj in objs:  # ProcessingEvent.collect_events, without its runtime-protocol checks
            if obj is None:
                continue
            if isinstance(obj, Aggregate):
                events.extend(obj.collect_events())
                aggregates[obj.id] = obj
            else:
                events.append(obj)
        self.ids = frozenset(e.originator_id for e in self.processing.events)
        self.done = False
        self.error: BaseException | None = None
        self.recordings: list[Recording[UUID]] = []


class GroupCommit:
    """Saves the tickets of many threads, a batch per transaction (see the module's doc).

    ``record(processing)`` stores one ``ProcessingEvent`` in one transaction and returns its
    recordings (the application's ``_record`` and what follows a save). ``gate`` (tests only) is
    waited on by a leader before it takes its batch, so a test can queue tickets first."""

    def __init__(
        self,
        record: Callable[[ProcessingEvent[UUID]], list[Recording[UUID]]],
        *,
        gate: threading.Event | None = None,
    ) -> None:
        self._record = record
        self._cond = threading.Condition()
        self._queue: list[Ticket] = []
        self._leading = False
        self.gate = gate
        self.batches = 0  # transactions that held more than one ticket (for tests and benchmarks)
        self.largest = 0

    def pending(self) -> int:
        with self._cond:
            return len(self._queue)

    def save(self, objs: Sequence[Any]) -> list[Recording[UUID]]:
        """Save ``objs`` (aggregates and events) in a batch; their recordings, or the error of
        their transaction (``IntegrityError`` only when this command itself conflicted)."""
        ticket = Ticket(objs)
        with self._cond:
            self._queue.append(ticket)
            while not ticket.done and self._leading:
                self._cond.wait()
            if not ticket.done:
                self._leading = True
        if not ticket.done:
            self._lead(ticket)
        if ticket.error is not None:
            raise ticket.error
        return ticket.recordings

    # ------------------------------------------------------------------ the leader
    def _lead(self, own: Ticket) -> None:
        try:
            while not own.done:
                if self.gate is not None:
                    self.gate.wait()
                batch = self._take()
                try:
                    self._commit(batch)
                finally:
                    with self._cond:
                        for ticket in batch:
                            ticket.done = True
                        self._cond.notify_all()
        finally:
            with self._cond:
                self._leading = False
                self._cond.notify_all()  # a waiter with work left leads the next batch

    def _take(self) -> list[Ticket]:
        """The queued tickets in arrival order, none two touching one aggregate."""
        with self._cond:
            batch: list[Ticket] = []
            touched: set[UUID] = set()
            rest: list[Ticket] = []
            for ticket in self._queue:
                if len(batch) < MAX_BATCH and touched.isdisjoint(ticket.ids):
                    batch.append(ticket)
                    touched |= ticket.ids
                else:
                    rest.append(ticket)
            self._queue = rest
            return batch

    def _commit(self, batch: list[Ticket]) -> None:
        if len(batch) == 1:
            self._one(batch[0])
            return
        together: ProcessingEvent[UUID] = ProcessingEvent()
        for ticket in batch:
            together.events.extend(ticket.processing.events)
            together.aggregates.update(ticket.processing.aggregates)
        try:
            recordings = self._record(together)
        except IntegrityError:
            for ticket in batch:  # only the conflicting one fails: each in its own transaction
                self._one(ticket)
            return
        except Exception as error:
            for ticket in batch:
                ticket.error = error
            return
        self.batches += 1
        self.largest = max(self.largest, len(batch))
        by_id: dict[UUID, list[Recording[UUID]]] = {}
        for recording in recordings:
            by_id.setdefault(recording.domain_event.originator_id, []).append(recording)
        for ticket in batch:
            ticket.recordings = [r for i in ticket.ids for r in by_id.get(i, [])]

    def _one(self, ticket: Ticket) -> None:
        try:
            ticket.recordings = self._record(ticket.processing)
        except Exception as error:
            ticket.error = error
