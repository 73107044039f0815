"""Counting an event store's notifications, with one SQL query where the store allows it."""

from __future__ import annotations

from eventsourcing.persistence import ApplicationRecorder

from projections.db import check_identifier

__all__ = ["count_notifications_after"]


def count_notifications_after(recorder: ApplicationRecorder, position: int) -> int:
    """Number of notifications with id > ``position``.

    Uses one COUNT query on the library's SQLite and PostgreSQL recorders; other recorders
    (e.g. POPO in unit tests) are paged through.
    """
    # Imported here: these modules are only needed for the matching recorder.
    from eventsourcing.postgres import PostgresApplicationRecorder
    from eventsourcing.sqlite import SQLiteApplicationRecorder

    if isinstance(recorder, SQLiteApplicationRecorder):
        table = check_identifier(recorder.events_table_name)
        with recorder.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT COUNT(*) FROM {table} WHERE rowid > ?", (position,))
            return int(c.fetchone()[0])
    if isinstance(recorder, PostgresApplicationRecorder):
        from psycopg.sql import SQL, Identifier

        statement = SQL("SELECT COUNT(*) AS n FROM {}.{} WHERE notification_id > %s").format(
            Identifier(recorder.datastore.schema), Identifier(recorder.events_table_name)
        )
        with recorder.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(statement, (position,))
            row = curs.fetchone()
            assert row is not None
            return int(row["n"])
    count, start = 0, position
    while True:
        page = recorder.select_notifications(start, 1000, inclusive_of_start=False)
        if not page:
            return count
        count += len(page)
        start = page[-1].id
