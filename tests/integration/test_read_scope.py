"""Issue 12: a page request's reads share one connection and one read-only snapshot
(``Database.reading``); a write in the block, or ``refresh_snapshot``, lets later reads see what
was committed since; SQLite keeps a connection per read."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from projections.db import Database

pytestmark = pytest.mark.postgres


@pytest.fixture
def db(pg_url: str) -> Iterator[Database]:
    database = Database.from_url(pg_url, pool_max_size=3)
    with database.transaction() as tx:
        tx.execute("CREATE TABLE scope_probe (n INTEGER PRIMARY KEY)")
    try:
        yield database
    finally:
        database.close()


def _backend(db: Database) -> Any:
    with db.connect() as conn:
        return conn.execute(
            "SELECT pg_backend_pid() AS pid, txid_current_if_assigned() AS x, now() AS started"
        ).fetchone()


def _count(db: Database) -> int:
    with db.connect() as conn:
        return int(conn.execute("SELECT COUNT(*) AS n FROM scope_probe").fetchone()["n"])


def _insert_elsewhere(pg_url: str, n: int) -> None:
    other = Database.from_url(pg_url, pool_max_size=1)
    try:
        with other.transaction() as tx:
            tx.execute("INSERT INTO scope_probe (n) VALUES (?)", (n,))
    finally:
        other.close()


def test_reads_in_a_block_share_one_connection_and_one_transaction(db: Database) -> None:
    with db.reading():
        first, second = _backend(db), _backend(db)
        with db.reading():  # nested: joins the outer block
            third = _backend(db)
    assert first["pid"] == second["pid"] == third["pid"]
    assert first["started"] == second["started"] == third["started"]  # one transaction
    outside = [_backend(db)["started"] for _ in range(2)]
    assert outside[0] != outside[1]  # without the block: a transaction per read, as before


def test_the_block_reads_one_snapshot_until_refreshed(db: Database, pg_url: str) -> None:
    with db.reading():
        assert _count(db) == 0
        _insert_elsewhere(pg_url, 1)
        assert _count(db) == 0  # the snapshot of the first read
        db.refresh_snapshot()
        assert _count(db) == 1


def test_a_write_in_the_block_is_seen_by_later_reads(db: Database) -> None:
    with db.reading():
        assert _count(db) == 0
        with db.transaction() as tx:
            tx.execute("INSERT INTO scope_probe (n) VALUES (?)", (7,))
        assert _count(db) == 1


def test_reads_are_refused_writes_and_a_failed_read_does_not_poison_the_block(
    db: Database,
) -> None:
    import psycopg

    with db.reading():
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction), db.connect() as conn:
            conn.execute("INSERT INTO scope_probe (n) VALUES (1)")
        assert _count(db) == 0  # a new transaction after the failed one


def test_the_connection_goes_back_to_the_pool(db: Database) -> None:
    for _ in range(10):  # more blocks than the pool holds connections
        with db.reading():
            _count(db)
    with db.reading():
        pass  # a block that reads nothing takes no connection
    assert _count(db) == 0


def test_sqlite_is_unchanged(sqlite_url: str) -> None:
    database = Database.from_url(sqlite_url)
    try:
        with database.reading():
            with database.transaction() as tx:
                tx.execute("CREATE TABLE t (n INTEGER)")
            with database.connect() as conn:
                assert conn.execute("SELECT COUNT(*) AS n FROM t").fetchone()["n"] == 0
    finally:
        database.close()
