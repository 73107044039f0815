"""The stores one benchmark run works on: fresh PostgreSQL databases ``bench_run_<id>_<tag>``
created from the server at ``--pg-url`` and dropped at the end (even after a failure), and SQLite
files in a temporary folder removed at the end."""

from __future__ import annotations

import shutil
import tempfile
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit


def database_url(base_url: str, name: str) -> str:
    """``base_url`` with its database replaced by ``name`` (user, host, port and query kept)."""
    parts = urlsplit(base_url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


class Stores:
    """Creates the run's stores; ``close()`` drops every one it created."""

    def __init__(self, pg_url: str, run_id: str | None = None) -> None:
        self.pg_url = pg_url
        self.run_id = run_id or uuid.uuid4().hex[:8]
        self.created: list[str] = []
        self._tmp: Path | None = None

    def sqlite(self, tag: str) -> str:
        if self._tmp is None:
            self._tmp = Path(tempfile.mkdtemp(prefix=f"bench-run-{self.run_id}-"))
        return f"sqlite:///{self._tmp / (tag + '.db')}"

    def postgresql(self, tag: str) -> str:
        import psycopg

        name = f"bench_run_{self.run_id}_{tag}"
        with psycopg.connect(self.pg_url, autocommit=True, connect_timeout=10) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return database_url(self.pg_url, name)

    def close(self) -> list[str]:
        """Drop the databases and files this run created; return what could not be dropped."""
        left: list[str] = []
        if self.created:
            try:
                import psycopg

                with psycopg.connect(self.pg_url, autocommit=True, connect_timeout=10) as conn:
                    for name in self.created:
                        try:
                            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                        except psycopg.Error as error:
                            left.append(f"{name}: {error}")
            except Exception as error:
                left.extend(f"{name}: {error}" for name in self.created)
            self.created = []
        if self._tmp is not None:
            shutil.rmtree(self._tmp, ignore_errors=True)
            self._tmp = None
        return left


def prepare(url: str) -> None:
    """Create the read-model tables and the event store's tables, as ``aftersales migrate``."""
    from projections.db import Database
    from projections.event_store import create_event_store_tables
    from projections.migrate import migrate

    db = Database.from_url(url, pool_max_size=2)
    try:
        migrate(db)
    finally:
        db.close()
    create_event_store_tables(url)
