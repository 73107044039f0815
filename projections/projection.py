"""What the runner works with: the :class:`Projection` protocol, the status and retry figures it
reports, and its callbacks (all re-exported by ``projections.runner``)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from projections.db import DbConnection

__all__ = [
    "BatchCallback",
    "ProgressCallback",
    "Projection",
    "ProjectionStatus",
    "RetryResult",
]

ProgressCallback = Callable[[int, int], None]
"""``progress(done, total)``: notifications passed so far / to pass, summed over projections."""

BatchCallback = Callable[[str, int], None]
"""``on_batch_written(projection_name, new_position)``: called inside the batch transaction
after the rows and the new position are written, before COMMIT. Test seam: raise to simulate a
crash at the worst moment."""


class Projection(Protocol):
    """A read model fed by the notification log.

    ``name`` identifies its row in ``projection_tracking``; ``tables`` are the tables it owns
    (``rebuild`` empties them); ``topics`` are the event topics it wants (empty: all).
    ``process`` writes rows for one decoded domain event through ``tx``, the connection of the
    batch transaction; it must not commit, and must not read the event store or the clock.
    """

    # Read-only members, so that plain class attributes (``tables = ("my_table",)``) conform.
    @property
    def name(self) -> str: ...

    @property
    def tables(self) -> tuple[str, ...]: ...

    @property
    def topics(self) -> tuple[str, ...]: ...

    def process(self, tx: DbConnection, event: Any, notification_id: int) -> None: ...


@dataclass(frozen=True)
class ProjectionStatus:
    name: str
    position: int
    """Id of the last notification passed (0: none yet)."""
    head: int
    """Largest notification id in the event store (0: empty)."""
    lag_events: int
    """Notifications after ``position`` (counted, not ``head - position``: ids have gaps)."""
    lag_seconds: float | None
    """Age of the oldest unprocessed event; 0.0 when caught up; None if it has no timestamp."""
    updated_at: datetime | None
    """When the position last moved (None before the first catch-up)."""
    parked: int = 0
    """Events this projection could not apply, kept in ``parked_events`` (issue 10)."""


@dataclass(frozen=True)
class RetryResult:
    replayed: int
    """Parked events that applied this time (their parked rows are deleted)."""
    still_parked: int
    """Parked events that failed again (their rows count another attempt)."""
