"""Loading an aggregate without looking for a snapshot it cannot have (issue 12).

The library's repository asks the snapshot store first for every aggregate it loads: one more
SELECT per load, that never finds anything for an aggregate below its snapshot interval (a case
has one from its 25th event) or of a type that is never snapshotted (a request record). This
repository remembers the type and version of each aggregate this process loaded or saved; when that
version is below the type's interval (or the type has none) it reads the events alone.

Skipping the snapshot is always correct, only maybe slower: an aggregate that grew past its
interval in another process is replayed from its first event, exactly what its snapshot holds.
An aggregate this process has not seen is read by its first events, as many as the shortest
interval, in one SELECT: fewer means that is all of it (and no snapshot can exist, nor a miss need
a second look-up); as many, and it is loaded as the library does (snapshot, then the rest).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Repository, project_aggregate

KNOWN_MAX = 200_000  # aggregates remembered; forgotten all at once past it (then loaded as before)


class ShortReadRepository(Repository[UUID]):
    intervals: Mapping[type, int]
    known: dict[UUID, tuple[type, int]]

    @classmethod
    def adopt(cls, repository: Repository[UUID], intervals: Mapping[type, int]) -> Any:
        """Turn the library's repository (as the application constructed it) into this one."""
        repository.__class__ = cls
        adopted: ShortReadRepository = repository  # type: ignore[assignment]
        adopted.intervals = dict(intervals)
        adopted.known = {}
        return adopted

    def note(self, aggregate: Any) -> None:
        """This process saw ``aggregate`` at its version (after a load or a save)."""
        if len(self.known) >= KNOWN_MAX:
            self.known.clear()
        self.known[aggregate.id] = (type(aggregate), aggregate.version)

    def _no_snapshot(self, aggregate_id: UUID) -> bool:
        seen = self.known.get(aggregate_id)
        if seen is None:
            return False
        kind, version = seen
        interval = self.intervals.get(kind)
        return interval is None or version < interval

    def _reconstruct_aggregate(self, aggregate_id: Any, version: Any, projector_func: Any) -> Any:
        if projector_func is project_aggregate:
            projector_func = _mutate_each
        events: Any
        if self.snapshot_store is None or self._no_snapshot(aggregate_id):
            events = self.event_store.get(originator_id=aggregate_id, lte=version)
        elif version is None and self.intervals:
            # Not seen yet: its first events, as many as the shortest interval. Fewer: that is
            # all of it, and it has no snapshot. As many: it may have one (as the library does).
            shortest = min(self.intervals.values())
            first = list(self.event_store.get(originator_id=aggregate_id, limit=shortest))
            events = first if len(first) < shortest else None
        else:
            events = None
        if events is None:
            aggregate = super()._reconstruct_aggregate(aggregate_id, version, projector_func)
        else:
            aggregate = projector_func(None, events)
            if aggregate is None:
                msg = f"Aggregate {aggregate_id!r} version {version!r} not found."
                raise AggregateNotFoundError(msg)
        if version is None:
            self.note(aggregate)
        return aggregate


def _mutate_each(aggregate: Any, events: Any) -> Any:
    """The library's ``project_aggregate`` less its per-event runtime-protocol ``assert`` (a
    ``typing.Protocol`` isinstance check costs more than the mutation it guards)."""
    for domain_event in events:
        aggregate = domain_event.mutate(aggregate)
    return aggregate
