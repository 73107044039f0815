"""Migrations, and the read-model Database they run on, on SQLite and PostgreSQL."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from projections.db import (
    INTEGRITY_ERRORS,
    Database,
    database_url,
    parse_ts,
    ts,
)
from projections.migrate import (
    MigrationError,
    applied_migrations,
    discover,
    migrate,
    pending_migrations,
)


@pytest.fixture
def db(store_url: str) -> Iterator[Database]:
    database = Database.from_url(store_url)
    yield database
    database.close()


def write(folder: Path, files: dict[str, str]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def rows(db: Database, sql: str) -> list[dict[str, object]]:
    with db.connect() as conn:
        return [dict(r) for r in conn.execute(sql).fetchall()]


# -- the project's migrations --------------------------------------------------------------


def test_migrate_applies_the_project_migrations_once(db: Database) -> None:
    names = [m.name for m in discover()]
    assert names[0] == "0001_projection_tracking"

    assert migrate(db) == names
    assert migrate(db) == []  # twice is a no-op
    assert applied_migrations(db) == names
    assert pending_migrations(db) == []
    recorded = rows(db, "SELECT name, applied_at FROM schema_migrations ORDER BY name")
    assert [r["name"] for r in recorded] == names
    for r in recorded:
        parse_ts(str(r["applied_at"]))


def test_projection_tracking_is_keyed_by_projection_name(db: Database) -> None:
    migrate(db)
    now = ts(datetime.now(UTC))
    with db.transaction() as tx:
        tx.execute(
            "INSERT INTO projection_tracking (name, position, updated_at) VALUES (?, ?, ?)",
            ("a", 5, now),
        )
        tx.execute(
            "INSERT INTO projection_tracking (name, position, updated_at) VALUES (?, ?, ?)",
            ("b", 2**40, now),
        )
    assert rows(db, "SELECT name, position FROM projection_tracking ORDER BY name") == [
        {"name": "a", "position": 5},
        {"name": "b", "position": 2**40},
    ]
    with pytest.raises(INTEGRITY_ERRORS), db.transaction() as tx:
        tx.execute(
            "INSERT INTO projection_tracking (name, position, updated_at) VALUES (?, ?, ?)",
            ("a", 6, now),
        )


# -- migration rules, on a folder of our own -----------------------------------------------


def test_migrations_run_in_name_order_each_once(db: Database, tmp_path: Path) -> None:
    folder = write(
        tmp_path / "m",
        {
            "0010_third.sql": "INSERT INTO steps (name) VALUES ('third');",
            "0002_second.sql": "INSERT INTO steps (name) VALUES ('second');",
            "0001_first.sql": "CREATE TABLE steps (n INTEGER, name TEXT);\n"
            "INSERT INTO steps (name) VALUES ('first');",
            "README.txt": "not a migration",
        },
    )
    assert migrate(db, folder) == ["0001_first", "0002_second", "0010_third"]
    assert migrate(db, folder) == []
    assert [r["name"] for r in rows(db, "SELECT name FROM steps")] == ["first", "second", "third"]

    write(folder, {"0011_fourth.sql": "INSERT INTO steps (name) VALUES ('fourth');"})
    assert pending_migrations(db, folder) == ["0011_fourth"]
    assert migrate(db, folder) == ["0011_fourth"]
    assert len(rows(db, "SELECT name FROM steps")) == 4


def test_dialect_variant_is_chosen_by_store(db: Database, tmp_path: Path) -> None:
    folder = write(
        tmp_path / "m",
        {
            "0001_base.sql": "CREATE TABLE which (dialect TEXT);",
            "0002_fill.sqlite.sql": "INSERT INTO which VALUES ('sqlite');",
            "0002_fill.postgresql.sql": "INSERT INTO which VALUES ('postgresql');",
        },
    )
    assert migrate(db, folder) == ["0001_base", "0002_fill"]
    assert rows(db, "SELECT dialect FROM which") == [{"dialect": db.dialect}]


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            {"0001_a.sql": "", "0001_a.sqlite.sql": "", "0001_a.postgresql.sql": ""},
            "both",
        ),
        ({"0001_a.sqlite.sql": ""}, "missing 0001_a.postgresql.sql"),
        ({"first.sql": ""}, "does not match"),
    ],
)
def test_malformed_migration_folder_is_refused(
    tmp_path: Path, files: dict[str, str], message: str
) -> None:
    with pytest.raises(MigrationError, match=message):
        discover(write(tmp_path / "m", files))


def test_failed_migration_is_rolled_back_whole(db: Database, tmp_path: Path) -> None:
    folder = write(
        tmp_path / "m",
        {
            "0001_ok.sql": "CREATE TABLE kept (x INTEGER);",
            "0002_broken.sql": (
                "CREATE TABLE half (x INTEGER);\nINSERT INTO no_such_table VALUES (1);"
            ),
            "0003_later.sql": "CREATE TABLE later (x INTEGER);",
        },
    )
    with pytest.raises(MigrationError, match="0002_broken"):
        migrate(db, folder)
    assert applied_migrations(db) == ["0001_ok"]
    with pytest.raises(Exception), db.connect() as conn:  # noqa: B017 - driver-specific error
        conn.execute("SELECT * FROM half")

    (folder / "0002_broken.sql").write_text("CREATE TABLE half (x INTEGER);")
    assert migrate(db, folder) == ["0002_broken", "0003_later"]


def test_concurrent_migrate_calls_apply_each_file_once(store_url: str, tmp_path: Path) -> None:
    folder = write(
        tmp_path / "m",
        {
            "0001_counter.sql": "CREATE TABLE applied (name TEXT);",
            "0002_slow.sqlite.sql": "INSERT INTO applied VALUES ('0002');",
            "0002_slow.postgresql.sql": (
                "SELECT pg_sleep(0.2); INSERT INTO applied VALUES ('0002');"
            ),
            "0003_c.sql": "INSERT INTO applied VALUES ('0003');",
            "0004_d.sql": "INSERT INTO applied VALUES ('0004');",
        },
    )
    databases = [Database.from_url(store_url) for _ in range(3)]
    barrier = threading.Barrier(len(databases))
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def run(database: Database) -> None:
        try:
            barrier.wait()
            results.append(migrate(database, folder))
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=run, args=(d,)) for d in databases]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    try:
        assert not errors
        applied = sorted(name for result in results for name in result)
        assert applied == ["0001_counter", "0002_slow", "0003_c", "0004_d"]
        assert sorted(str(r["name"]) for r in rows(databases[0], "SELECT name FROM applied")) == [
            "0002",
            "0003",
            "0004",
        ]
    finally:
        for d in databases:
            d.close()


# -- the Database itself -------------------------------------------------------------------


def test_transaction_commits_on_success_and_rolls_back_on_error(db: Database) -> None:
    with db.transaction() as tx:
        tx.execute("CREATE TABLE t (k TEXT PRIMARY KEY, amount_fen BIGINT, note TEXT)")
    with db.transaction() as tx:
        tx.execute("INSERT INTO t VALUES (?, ?, ?)", ("a", 10**15, "100% ok?"))
    with pytest.raises(RuntimeError), db.transaction() as tx:
        tx.execute("INSERT INTO t VALUES (?, ?, ?)", ("b", 2, None))
        raise RuntimeError("boom")
    with db.connect() as conn:
        row = conn.execute("SELECT k, amount_fen, note FROM t WHERE note LIKE '%ok?'").fetchone()
        assert (row["k"], row["amount_fen"], row["note"]) == ("a", 10**15, "100% ok?")
        assert conn.execute("SELECT COUNT(*) AS n FROM t").fetchone()["n"] == 1


def test_connect_is_read_only(db: Database) -> None:
    with db.transaction() as tx:
        tx.execute("CREATE TABLE t (k TEXT)")
    with pytest.raises(Exception), db.connect() as conn:  # noqa: B017 - driver-specific error
        conn.execute("INSERT INTO t VALUES (?)", ("x",))
    assert rows(db, "SELECT * FROM t") == []


def test_executemany_and_rowcount(db: Database) -> None:
    with db.transaction() as tx:
        tx.execute("CREATE TABLE t (k TEXT, n BIGINT)")
        tx.executemany("INSERT INTO t VALUES (?, ?)", [("a", 1), ("b", 2), ("c", 3)])
        assert tx.execute("UPDATE t SET n = n + 1 WHERE n >= ?", (2,)).rowcount == 2


def test_sqlite_database_creates_its_folder_and_uses_wal(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "read.db"
    with Database.from_url(f"sqlite:///{path}") as db:
        assert db.sqlite_path == str(path)
        with db.connect() as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert path.exists()


def test_database_url_setting_and_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert database_url({}) == f"sqlite:///{os.getcwd()}/var/aftersales.db"
    assert database_url({}).startswith("sqlite:////")
    url = "postgresql://postgres@127.0.0.1:5432/test"
    assert database_url({"AFTERSALES_DATABASE_URL": url}) == url
    assert Database.from_url("sqlite:///rel/x.db").sqlite_path == "rel/x.db"
    assert Database.from_url(url).dialect == "postgresql"
    with pytest.raises(ValueError, match="in-memory"):
        Database.from_url("sqlite://")
    with pytest.raises(ValueError, match="scheme"):
        Database.from_url("mysql://x/y")


def test_timestamps_are_fixed_width_utc_text_that_sorts() -> None:
    cst = timezone(timedelta(hours=8))
    moment = datetime(2025, 3, 9, 8, 5, 1, 7, tzinfo=cst)
    assert ts(moment) == "2025-03-09T00:05:01.000007Z"
    assert parse_ts(ts(moment)) == moment
    assert parse_ts(ts(moment)).tzinfo == UTC
    later = moment + timedelta(microseconds=1)
    assert ts(moment) < ts(later)
    with pytest.raises(ValueError, match="naive"):
        ts(datetime(2025, 1, 1))
    with pytest.raises(ValueError):
        parse_ts("2025-03-09 00:05:01")
