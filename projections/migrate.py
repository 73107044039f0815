"""Apply ``migrations/*.sql`` to the read-model database, once each, in name order.

File names: ``NNNN_name.sql``, or a pair of dialect variants ``NNNN_name.sqlite.sql`` +
``NNNN_name.postgresql.sql`` (then no plain ``NNNN_name.sql``). A migration is recorded in
``schema_migrations`` under its base name (``NNNN_name``), so both variants count as the same
migration. Each file runs in its own transaction together with its ``schema_migrations`` row:
it is applied entirely or not at all. Forward only: there are no down migrations.

Concurrent ``migrate`` calls are safe: on PostgreSQL every migration transaction first takes a
transaction-scoped advisory lock (per schema), on SQLite write transactions are serialised by
``BEGIN IMMEDIATE``; a file is applied by whichever caller gets there first, the other sees
it recorded and skips it.
"""

from __future__ import annotations

import importlib.resources
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import cast

from projections.db import Database, DbConnection, Dialect, ts

__all__ = [
    "MIGRATIONS_PACKAGE",
    "Migration",
    "MigrationError",
    "applied_migrations",
    "discover",
    "migrate",
    "pending_migrations",
]

MIGRATIONS_PACKAGE = "migrations"

_FILE_NAME = re.compile(r"(?P<base>\d{4}_[A-Za-z0-9_]+)(?:\.(?P<dialect>sqlite|postgresql))?\.sql")
_DIALECTS: tuple[Dialect, ...] = ("sqlite", "postgresql")

_CREATE_SCHEMA_MIGRATIONS = (
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " name TEXT PRIMARY KEY,"
    " applied_at TEXT NOT NULL)"
)
# Transaction-scoped, so it is released by COMMIT/ROLLBACK whatever happens. Keyed by schema so
# that independent schemas (e.g. parallel test runs) do not wait for each other.
_PG_LOCK = (
    "SELECT pg_advisory_xact_lock("
    "hashtext('aftersales.migrate:' || coalesce(current_schema(), '')))"
)


class MigrationError(Exception):
    """A migration folder is malformed, or a migration failed (its transaction was rolled back)."""


@dataclass(frozen=True)
class Migration:
    """One migration: its base name and the file to run for each dialect."""

    name: str
    files: dict[Dialect, Traversable]

    def file_for(self, dialect: Dialect) -> Traversable:
        return self.files[dialect]


Source = Traversable | str | os.PathLike[str] | None


def _folder(source: Source) -> Traversable:
    if source is None:
        return importlib.resources.files(MIGRATIONS_PACKAGE)
    if isinstance(source, str | os.PathLike):
        return Path(source)
    return source


def discover(source: Source = None) -> list[Migration]:
    """All migrations in ``source`` (default: the ``migrations`` package), in name order.

    Raises MigrationError for a ``.sql`` file with a malformed name, a plain file next to a
    dialect variant, or a variant whose counterpart for the other dialect is missing.
    """
    plain: dict[str, Traversable] = {}
    variants: dict[str, dict[Dialect, Traversable]] = {}
    for entry in _folder(source).iterdir():
        if not entry.name.endswith(".sql") or not entry.is_file():
            continue
        m = _FILE_NAME.fullmatch(entry.name)
        if m is None:
            raise MigrationError(
                f"migration file name {entry.name!r} does not match NNNN_name.sql "
                "or NNNN_name.(sqlite|postgresql).sql"
            )
        base, dialect = m["base"], m["dialect"]
        if dialect is None:
            plain[base] = entry
        else:
            variants.setdefault(base, {})[cast(Dialect, dialect)] = entry

    migrations: list[Migration] = []
    for base in sorted(plain.keys() | variants.keys()):
        if base in plain and base in variants:
            raise MigrationError(
                f"migration {base}: both {base}.sql and dialect variants exist; "
                "keep one or the other"
            )
        if base in plain:
            migrations.append(Migration(base, dict.fromkeys(_DIALECTS, plain[base])))
            continue
        missing = [d for d in _DIALECTS if d not in variants[base]]
        if missing:
            raise MigrationError(f"migration {base}: missing {base}.{missing[0]}.sql")
        migrations.append(Migration(base, variants[base]))
    return migrations


def _lock(tx: DbConnection) -> None:
    if tx.dialect == "postgresql":
        tx.execute(_PG_LOCK).fetchone()


def _ensure_table(db: Database) -> None:
    with db.transaction() as tx:
        _lock(tx)
        tx.execute(_CREATE_SCHEMA_MIGRATIONS)


def applied_migrations(db: Database) -> list[str]:
    """Names recorded in ``schema_migrations``, in name order (empty before the first run)."""
    _ensure_table(db)
    with db.connect() as conn:
        rows = conn.execute("SELECT name FROM schema_migrations ORDER BY name").fetchall()
    return [row["name"] for row in rows]


def pending_migrations(db: Database, source: Source = None) -> list[str]:
    """Names that :func:`migrate` would apply now."""
    done = set(applied_migrations(db))
    return [m.name for m in discover(source) if m.name not in done]


def migrate(
    db: Database,
    source: Source = None,
    *,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> list[str]:
    """Apply every migration not yet recorded; return the names applied by this call, in order.

    Running it again is a no-op (returns ``[]``). A failing migration raises MigrationError;
    the migrations before it stay applied, it and those after it are not.
    """
    migrations = discover(source)
    _ensure_table(db)
    applied: list[str] = []
    for migration in migrations:
        script = migration.file_for(db.dialect).read_text(encoding="utf-8")
        with db.transaction() as tx:
            _lock(tx)
            row = tx.execute(
                "SELECT 1 AS done FROM schema_migrations WHERE name = ?", (migration.name,)
            ).fetchone()
            if row is not None:
                continue
            try:
                if script.strip():
                    tx.executescript(script)
            except Exception as e:
                raise MigrationError(
                    f"migration {migration.name} failed on {db.dialect}: {e}"
                ) from e
            tx.execute(
                "INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)",
                (migration.name, ts(clock())),
            )
        applied.append(migration.name)
    return applied
