"""Read your writes (issue 12): has a projection passed a given notification?

A command's ``Result.notification_id`` is the highest notification id it stored. A projection's
position in ``projection_tracking`` is the id of the last notification it passed (every
notification, whatever its topics), committed together with the rows it wrote. So once the
position is ``>= notification_id`` the projection's tables show the command. :func:`wait_until`
polls that, bounded: a page renders anyway when the worker is slow, saying so.

Polling with short sleeps works on both stores and against a PostgreSQL read replica (the
positions replicate with the rows); one query reads every position.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from projections.db import Database

__all__ = ["POLL_SECONDS", "passed", "positions", "wait_until"]

POLL_SECONDS = 0.01
"""First sleep between two polls; doubles up to 8× while the wait goes on."""


def positions(db: Database) -> dict[str, int]:
    """Every projection's position (one query)."""
    with db.connect() as conn:
        rows = conn.execute("SELECT name, position FROM projection_tracking").fetchall()
    return {str(row["name"]): int(row["position"]) for row in rows}


def passed(found: dict[str, int], names: Iterable[str], notification_id: int) -> bool:
    """Whether every named projection is at or past ``notification_id`` (one never run: not)."""
    return all(found.get(name, 0) >= notification_id for name in names)


def wait_until(
    db: Database,
    names: Iterable[str],
    notification_id: int | None,
    timeout: float,
    *,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> bool:
    """Wait until every projection in ``names`` has passed ``notification_id``; at most
    ``timeout`` seconds. True when they have (at once when ``notification_id`` is None or
    ``names`` is empty), False when the time ran out."""
    wanted = list(names)
    if notification_id is None or not wanted:
        return True
    deadline = clock() + timeout
    delay = POLL_SECONDS
    while True:
        # Inside a page's one read snapshot (``Database.reading``) each poll must see the
        # worker's commits since the last one: end the snapshot before reading the positions.
        db.refresh_snapshot()
        if passed(positions(db), wanted, notification_id):
            return True
        left = deadline - clock()
        if left <= 0:
            return False
        sleep(min(delay, left))
        delay = min(delay * 2, POLL_SECONDS * 8)
