"""The event store's own tables, created in one place (issue 10), and the service as the
long-running processes open it.

By default the eventsourcing library creates its tables (and, on PostgreSQL, its composite types)
whenever an application starts (``CREATE_TABLE``, default yes). Two processes starting together on
a fresh PostgreSQL schema then race in the catalogue: "tuple concurrently updated", or a duplicate
``pg_type`` key, and one of them dies. So:

- :func:`create_event_store_tables` creates them once, holding a lock: on PostgreSQL a
  session-level advisory lock per schema (key ``aftersales.event_store:<schema>``), on SQLite
  an exclusive lock on a file next to the database.
  ``aftersales migrate`` (and every command that migrates before it works) calls it.
- :func:`open_service` opens the service the way the web site and the workers do: with
  ``CREATE_TABLE=no`` (they never touch the catalogue).

Dropped connections of the library's own pool: its recorder methods retry ``OperationalError``
(10 attempts, 0.2 s apart), each attempt discarding one dead connection, so a write after every
connection was terminated takes about 0.6 s and succeeds. ``POSTGRES_PRE_PING`` is deliberately
not set: it makes the pool check connections with ``check=``, and psycopg_pool sleeps with
backoff (1 s, 2 s, 4 s ...) after every failed check — measured 3 to 30 s for that write.
"""

from __future__ import annotations

import fcntl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import psycopg
from psycopg.conninfo import make_conninfo

from domain.service import AfterSales, utc_now
from domain.store_settings import event_store_env

__all__ = ["create_event_store_tables", "open_service", "service_env"]

_PG_LOCK_KEY = "hashtext('aftersales.event_store:' || %s)"


def service_env(url: str, *, create_tables: bool = False) -> dict[str, str]:
    """The library's settings for the service at ``url``, for long-running processes."""
    env = event_store_env(url)
    env["CREATE_TABLE"] = "yes" if create_tables else "no"
    return env


def open_service(url: str, *, clock: Callable[[], datetime] = utc_now, **kwargs: Any) -> AfterSales:
    """The service on the store at ``url``, without creating tables (``aftersales migrate``
    did)."""
    return AfterSales(env=service_env(url), clock=clock, **kwargs)


def create_event_store_tables(url: str) -> None:
    """Create the library's tables for the service at ``url`` if missing; safe when several
    processes call it at once (they wait for each other; the first creates, the others find)."""
    env = service_env(url, create_tables=True)
    with _exclusive(env):
        AfterSales(env=env).close()


@contextmanager
def _exclusive(env: dict[str, str]) -> Iterator[None]:
    if env["PERSISTENCE_MODULE"] == "eventsourcing.postgres":
        conninfo = make_conninfo(
            "",
            dbname=env["POSTGRES_DBNAME"],
            host=env["POSTGRES_HOST"],
            port=env["POSTGRES_PORT"],
            user=env["POSTGRES_USER"],
            password=env.get("POSTGRES_PASSWORD") or None,
            connect_timeout="10",
        )
        schema = env.get("POSTGRES_SCHEMA") or "public"
        with psycopg.connect(conninfo, autocommit=True) as conn:
            conn.execute(f"SELECT pg_advisory_lock({_PG_LOCK_KEY})", (schema,))
            try:
                yield
            finally:
                conn.execute(f"SELECT pg_advisory_unlock({_PG_LOCK_KEY})", (schema,))
        return
    with open(env["SQLITE_DBNAME"] + ".create-tables.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
