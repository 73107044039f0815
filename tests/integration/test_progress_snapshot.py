"""Read your writes inside a page's one read snapshot (issue 12): a page request reads through
``Database.reading`` (one REPEATABLE READ snapshot on PostgreSQL), and the wait for a projection
to pass the person's last write must still see the worker's commits made after the snapshot was
taken, else every page after a command would wait out its bound."""

from __future__ import annotations

import threading

from projections.db import Database
from projections.progress import positions, wait_until


def _set_position(db: Database, name: str, position: int) -> None:
    with db.transaction() as conn:
        conn.execute("UPDATE projection_tracking SET position = ? WHERE name = ?", (position, name))


def test_the_wait_sees_a_commit_made_after_the_pages_snapshot(
    read_db: Database, store_url: str
) -> None:
    with read_db.transaction() as conn:
        conn.execute("DELETE FROM projection_tracking WHERE name = ?", ("timeline",))
        conn.execute(
            "INSERT INTO projection_tracking (name, position, updated_at) VALUES (?, ?, ?)",
            ("timeline", 5, "2026-12-03T00:00:00+00:00"),
        )
    other = Database.from_url(store_url)
    try:
        with read_db.reading():
            assert positions(read_db)["timeline"] == 5  # the page's snapshot is taken here
            worker = threading.Timer(0.2, _set_position, (other, "timeline", 9))
            worker.start()
            try:
                assert wait_until(read_db, ["timeline"], 9, timeout=20.0)
            finally:
                worker.join()
            assert positions(read_db)["timeline"] == 9
    finally:
        other.close()
