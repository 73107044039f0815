"""Connections to the read-model database: SQLite or PostgreSQL, chosen by URL.

The URL follows SQLAlchemy's convention (no SQLAlchemy involved):

- ``sqlite:////abs/path/aftersales.db`` (four slashes: absolute path), ``sqlite:///rel/path.db``
- ``postgresql://user@host:5432/dbname`` (``postgres://`` and ``postgresql+psycopg://`` accepted),
  optionally ``?options=-csearch_path%3Dmyschema``

Read-model SQL is written once with ``?`` placeholders; on PostgreSQL they are translated to
psycopg's ``%s``. Rows are addressable by column name on both stores (``sqlite3.Row`` /
psycopg ``dict_row``).

Conventions for read-model tables (so that both stores sort and compare alike):

- timestamps are TEXT, ISO-8601 UTC, fixed width: ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` (see :func:`ts`,
  :func:`parse_ts`); they sort correctly as text;
- money columns are BIGINT fen.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal, Protocol
from urllib.parse import unquote, urlsplit

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

__all__ = [
    "DATABASE_URL_SETTING",
    "DEFAULT_URL_TEMPLATE",
    "INTEGRITY_ERRORS",
    "TS_FORMAT",
    "Cursor",
    "Database",
    "DbConnection",
    "Dialect",
    "database_unavailable",
    "database_url",
    "parse_ts",
    "ts",
]

DATABASE_URL_SETTING = "AFTERSALES_DATABASE_URL"
"""The environment variable naming the read-model database."""

DEFAULT_URL_TEMPLATE = "sqlite:///{cwd}/var/aftersales.db"
"""Used when the setting is unset or empty; ``{cwd}`` is the absolute working directory."""

TS_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"
"""The one timestamp format of read-model tables (UTC, microseconds, literal ``Z``)."""

Dialect = Literal["sqlite", "postgresql"]

INTEGRITY_ERRORS: tuple[type[Exception], ...] = (sqlite3.IntegrityError, psycopg.IntegrityError)
"""Catch these to handle a constraint violation on either store."""

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_TS_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z")


_SQLITE_UNAVAILABLE = ("locked", "busy", "unable to open", "disk i/o")


def database_unavailable(error: BaseException) -> bool:
    """True when ``error`` says the database cannot be reached or used just now (worth retrying
    later): a lost or refused PostgreSQL connection, a pool timeout, a serialization failure or
    statement timeout, a locked or unreachable SQLite file — also when the eventsourcing library
    wrapped one of these in its own ``OperationalError``/``InterfaceError``."""
    from eventsourcing import persistence

    if isinstance(error, psycopg.OperationalError | psycopg.InterfaceError):
        return True
    if isinstance(error, sqlite3.OperationalError):
        return any(word in str(error).lower() for word in _SQLITE_UNAVAILABLE)
    if isinstance(error, persistence.OperationalError | persistence.InterfaceError):
        cause = error.__cause__
        return cause is None or database_unavailable(cause)
    return False


def database_url(environ: Mapping[str, str] = os.environ) -> str:
    """The read-model database URL from ``AFTERSALES_DATABASE_URL``.

    Unset or empty: a SQLite file ``var/aftersales.db`` under the current working directory,
    as an absolute URL (``sqlite:////abs/cwd/var/aftersales.db``).
    """
    url = environ.get(DATABASE_URL_SETTING, "").strip()
    if url:
        return url
    return DEFAULT_URL_TEMPLATE.format(cwd=os.path.abspath(os.getcwd()))


def ts(dt: datetime) -> str:
    """Format an aware datetime as fixed-width ISO-8601 UTC text (``...T12:00:00.000000Z``)."""
    if dt.tzinfo is None or dt.utcoffset() is None:
        raise ValueError(f"naive datetime {dt!r}: read-model timestamps must be timezone-aware")
    u = dt.astimezone(UTC)
    return (
        f"{u.year:04d}-{u.month:02d}-{u.day:02d}T"
        f"{u.hour:02d}:{u.minute:02d}:{u.second:02d}.{u.microsecond:06d}Z"
    )


def parse_ts(s: str) -> datetime:
    """Parse text written by :func:`ts` back into an aware UTC datetime."""
    if not isinstance(s, str) or not _TS_PATTERN.fullmatch(s):
        raise ValueError(f"not a read-model timestamp (YYYY-MM-DDTHH:MM:SS.ffffffZ): {s!r}")
    # the fixed-width form is ISO-8601: fromisoformat reads it as strptime(TS_FORMAT) does, ten
    # times faster (issue 12: a page parses a few hundred)
    return datetime.fromisoformat(s[:-1]).replace(tzinfo=UTC)


def check_identifier(name: str) -> str:
    """Return ``name`` if it is a plain SQL identifier, else raise ValueError.

    Table and column names cannot be bound parameters; this keeps interpolated names safe.
    """
    if not isinstance(name, str) or not _IDENTIFIER.fullmatch(name):
        raise ValueError(f"not a plain SQL identifier: {name!r}")
    return name


class Cursor(Protocol):
    """What :meth:`DbConnection.execute` returns (a ``sqlite3.Cursor`` or a psycopg cursor)."""

    @property
    def rowcount(self) -> int: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> list[Any]: ...

    def __iter__(self) -> Iterator[Any]: ...


@lru_cache(maxsize=1024)
def _to_psycopg(sql: str) -> str:
    """Translate ``?`` placeholders to ``%s`` and escape literal ``%`` as ``%%``.

    Quoted strings ('...'), quoted identifiers ("...") and comments are copied unchanged,
    except that ``%`` inside them is escaped too (psycopg scans the whole text).
    """
    out: list[str] = []
    i, n = 0, len(sql)
    while i < n:
        ch = sql[i]
        if ch in ("'", '"'):
            j = i + 1
            while j < n:
                if sql[j] == ch:
                    if j + 1 < n and sql[j + 1] == ch:  # doubled quote inside the literal
                        j += 2
                        continue
                    break
                j += 1
            out.append(sql[i : j + 1].replace("%", "%%"))
            i = j + 1
        elif sql.startswith("--", i):
            j = sql.find("\n", i)
            j = n if j < 0 else j
            out.append(sql[i:j].replace("%", "%%"))
            i = j
        elif sql.startswith("/*", i):
            j = sql.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(sql[i:j].replace("%", "%%"))
            i = j
        elif ch == "?":
            out.append("%s")
            i += 1
        elif ch == "%":
            out.append("%%")
            i += 1
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def _split_sqlite_script(script: str) -> list[str]:
    """Split a SQLite script into single statements (sqlite3 executes one at a time)."""
    statements: list[str] = []
    start = 0
    for i, ch in enumerate(script):
        if ch == ";" and sqlite3.complete_statement(script[start : i + 1]):
            statements.append(script[start : i + 1])
            start = i + 1
    tail = script[start:]
    if tail.strip():
        statements.append(tail)
    return statements


class DbConnection:
    """A connection inside :meth:`Database.transaction` or :meth:`Database.connect`.

    ``execute`` takes ``?`` placeholders on both stores. ``raw`` is the driver connection
    (``sqlite3.Connection`` or ``psycopg.Connection``) for the rare dialect-specific need.
    """

    def __init__(self, raw: Any, dialect: Dialect) -> None:
        self.raw = raw
        self.dialect: Dialect = dialect

    def execute(self, sql: str, params: Sequence[Any] = ()) -> Cursor:
        if self.dialect == "postgresql":
            cursor: Cursor = self.raw.execute(_to_psycopg(sql), tuple(params))
        else:
            cursor = self.raw.execute(sql, tuple(params))
        return cursor

    def executemany(self, sql: str, seq_of_params: Iterable[Sequence[Any]]) -> None:
        if self.dialect == "postgresql":
            with self.raw.cursor() as cur:
                cur.executemany(_to_psycopg(sql), [tuple(p) for p in seq_of_params])
        else:
            self.raw.executemany(sql, (tuple(p) for p in seq_of_params))

    def executescript(self, script: str) -> None:
        """Run several ``;``-separated statements without parameters, in this transaction."""
        if self.dialect == "postgresql":
            self.raw.execute(script)  # no parameters: psycopg sends it as one simple query
        else:
            for statement in _split_sqlite_script(script):
                self.raw.execute(statement)


@dataclass(frozen=True)
class _PgSettings:
    conninfo: str
    pool_min_size: int
    pool_max_size: int
    connect_timeout: float


class Database:
    """The read-model database. Build with :meth:`from_url`; close with :meth:`close`.

    SQLite: one short-lived connection per ``transaction()``/``connect()`` (cheap), WAL mode,
    busy timeout, foreign keys on; write transactions are ``BEGIN IMMEDIATE`` so that
    concurrent writers queue instead of failing on a stale snapshot. The parent directory is
    created on first use.

    PostgreSQL: a psycopg_pool ``ConnectionPool``, opened lazily on first use.
    """

    def __init__(
        self,
        dialect: Dialect,
        *,
        sqlite_path: str | None = None,
        pg: _PgSettings | None = None,
        busy_timeout: float = 10.0,
    ) -> None:
        if dialect == "sqlite" and not sqlite_path:
            raise ValueError("sqlite database needs a file path")
        if dialect == "postgresql" and pg is None:
            raise ValueError("postgresql database needs connection settings")
        self._dialect: Dialect = dialect
        self._sqlite_path = sqlite_path
        self._pg = pg
        self._busy_timeout = busy_timeout
        self._lock = threading.Lock()
        self._pool: ConnectionPool[Any] | None = None
        self._sqlite_ready = False
        self._closed = False
        self._scope: ContextVar[_ReadScope | None] = ContextVar(
            f"aftersales-read-scope-{id(self)}", default=None
        )

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        schema: str | None = None,
        busy_timeout: float = 10.0,
        pool_min_size: int = 1,
        pool_max_size: int = 10,
        connect_timeout: float = 10.0,
    ) -> Database:
        """Build from a URL (see module docstring). ``schema`` sets the PostgreSQL search_path."""
        scheme, sep, _rest = url.partition("://")
        scheme = scheme.lower()
        if not sep:
            raise ValueError(f"not a database URL: {url!r}")
        if scheme == "sqlite":
            if schema is not None:
                raise ValueError("schema applies to PostgreSQL only")
            return cls("sqlite", sqlite_path=_sqlite_path(url), busy_timeout=busy_timeout)
        if scheme in ("postgresql", "postgres", "postgresql+psycopg"):
            params = conninfo_to_dict("postgresql://" + url.partition("://")[2])
            if schema is not None:
                check_identifier(schema)
                options = str(params.get("options") or "")
                params["options"] = f"{options} -csearch_path={schema}".strip()
            params.setdefault("connect_timeout", str(max(1, int(connect_timeout))))
            pg = _PgSettings(
                conninfo=make_conninfo("", **params),
                pool_min_size=pool_min_size,
                pool_max_size=pool_max_size,
                connect_timeout=connect_timeout,
            )
            return cls("postgresql", pg=pg, busy_timeout=busy_timeout)
        raise ValueError(f"unsupported database URL scheme {scheme!r} (sqlite or postgresql)")

    @property
    def dialect(self) -> Dialect:
        return self._dialect

    @property
    def sqlite_path(self) -> str | None:
        return self._sqlite_path

    def __repr__(self) -> str:
        where = self._sqlite_path if self._dialect == "sqlite" else _redacted(self._pg)
        return f"<Database {self._dialect} {where}>"

    @contextmanager
    def transaction(self) -> Iterator[DbConnection]:
        """A read-write transaction: commits when the block ends, rolls back on exception."""
        if self._dialect == "sqlite":
            conn = self._sqlite_connect()
            try:
                conn.execute("BEGIN IMMEDIATE")
                try:
                    yield DbConnection(conn, "sqlite")
                except BaseException:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
                    raise
                conn.execute("COMMIT")
            finally:
                conn.close()
        else:
            with self._pg_connection() as pconn, pconn.transaction():
                yield DbConnection(pconn, "postgresql")
            self.refresh_snapshot()  # reads of this request after the write must see it

    @contextmanager
    def connect(self) -> Iterator[DbConnection]:
        """A read-only connection with one consistent snapshot for the whole block.

        Writes are refused (SQLite ``query_only``, PostgreSQL ``READ ONLY``); nothing is committed.
        """
        if self._dialect == "sqlite":
            conn = self._sqlite_connect()
            try:
                conn.execute("PRAGMA query_only = ON")
                conn.execute("BEGIN")
                try:
                    yield DbConnection(conn, "sqlite")
                finally:
                    if conn.in_transaction:
                        conn.execute("ROLLBACK")
            finally:
                conn.close()
        else:
            scope = self._scope.get()
            if scope is not None:
                with scope.connection() as shared:
                    yield shared
                return
            with (
                self._pg_connection() as pconn,
                pconn.transaction(force_rollback=True),
            ):
                pconn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                yield DbConnection(pconn, "postgresql")

    @contextmanager
    def reading(self) -> Iterator[None]:
        """Everything :meth:`connect` reads inside the block (in this thread or task) shares one
        pooled connection and one read-only REPEATABLE READ transaction: a web request's pages
        then see one snapshot and pay one check-out, one ``BEGIN`` and one ``ROLLBACK``, not four
        statements per query (issue 12). Nothing is taken until the first read; nested blocks
        join the outer one.

        The snapshot is taken at the first read. A :meth:`transaction` in the block ends it when
        it commits, so reads after a write see the write; code that polls for other sessions'
        writes inside the block (waiting for a projection to pass a position) calls
        :meth:`refresh_snapshot` before each poll. SQLite is unchanged (a connection per
        :meth:`connect`: opening a file is cheap).
        """
        if self._dialect != "postgresql" or self._scope.get() is not None:
            yield
            return
        scope = _ReadScope(self)
        token = self._scope.set(scope)
        try:
            yield
        finally:
            self._scope.reset(token)
            scope.close()

    def refresh_snapshot(self) -> None:
        """End the read transaction of the enclosing :meth:`reading` block (if any): the next read
        starts a new snapshot, seeing every transaction committed by then."""
        scope = self._scope.get()
        if scope is not None:
            scope.end_transaction()

    def close(self) -> None:
        """Close the PostgreSQL pool (if it was opened). Idempotent."""
        with self._lock:
            pool, self._pool = self._pool, None
            self._closed = True
        if pool is not None:
            pool.close()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- internals -----------------------------------------------------------------------

    def _sqlite_connect(self) -> sqlite3.Connection:
        assert self._sqlite_path is not None
        if not self._sqlite_ready:
            with self._lock:
                if not self._sqlite_ready:
                    Path(self._sqlite_path).parent.mkdir(parents=True, exist_ok=True)
                    first = self._open_sqlite()
                    try:
                        _enable_wal(first, self._busy_timeout)
                    finally:
                        first.close()
                    self._sqlite_ready = True
        return self._open_sqlite()

    def _open_sqlite(self) -> sqlite3.Connection:
        assert self._sqlite_path is not None
        conn = sqlite3.connect(
            self._sqlite_path,
            timeout=self._busy_timeout,
            isolation_level=None,  # we issue BEGIN/COMMIT ourselves
            check_same_thread=False,
        )
        conn.row_factory = sqlite3.Row
        conn.execute(f"PRAGMA busy_timeout = {int(self._busy_timeout * 1000)}")
        conn.execute("PRAGMA foreign_keys = ON")
        return conn

    @contextmanager
    def _pg_connection(self) -> Iterator[Any]:
        """A pooled connection that answered a ping (issue 10: never a connection the server
        dropped on restart, ``pg_terminate_backend`` or an idle timeout).

        Not the pool's own ``check=ConnectionPool.check_connection``: after each failed check the
        pool sleeps with backoff (1 s, 2 s, 4 s ... with jitter) before the next try, so a pool
        of dead connections stalls a request for seconds. Here one failed ping sweeps the whole
        pool at once (``pool.check()``: every dead idle connection discarded and replaced, no
        sleeping) and the next connection is taken.
        """
        pool = self._get_pool()
        conn: Any = pool.getconn()
        try:
            try:
                ConnectionPool.check_connection(conn)
            except psycopg.Error:
                pool.putconn(conn)  # broken: the pool discards it and opens another
                conn = None
                pool.check()
                conn = pool.getconn()
            yield conn
        finally:
            if conn is not None:
                pool.putconn(conn)

    def _get_pool(self) -> ConnectionPool[Any]:
        pool = self._pool
        if pool is not None:
            return pool
        with self._lock:
            if self._pool is None:
                if self._closed:
                    raise RuntimeError(f"{self!r} is closed")
                assert self._pg is not None
                new_pool: ConnectionPool[Any] = ConnectionPool(
                    self._pg.conninfo,
                    min_size=self._pg.pool_min_size,
                    max_size=self._pg.pool_max_size,
                    kwargs={"autocommit": True, "row_factory": dict_row},
                    open=False,
                    name="aftersales-read-model",
                    timeout=self._pg.connect_timeout,
                )
                try:
                    new_pool.open(wait=True, timeout=self._pg.connect_timeout)
                except BaseException:
                    new_pool.close()
                    raise
                self._pool = new_pool
            return self._pool


class _ReadScope:
    """The connection and read transaction shared by a :meth:`Database.reading` block."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._stack: ExitStack | None = None
        self._conn: DbConnection | None = None
        self._in_transaction = False

    @contextmanager
    def connection(self) -> Iterator[DbConnection]:
        if self._conn is None:
            stack = ExitStack()
            try:
                raw = stack.enter_context(self._db._pg_connection())
            except BaseException:
                stack.close()
                raise
            self._stack, self._conn = stack, DbConnection(raw, "postgresql")
        if not self._in_transaction:
            self._conn.raw.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            self._in_transaction = True
        try:
            yield self._conn
        except BaseException:
            self.end_transaction()  # a failed statement aborts the transaction: start anew
            raise

    def end_transaction(self) -> None:
        if not self._in_transaction or self._conn is None:
            return
        self._in_transaction = False
        raw = self._conn.raw
        try:
            if not raw.closed:
                raw.execute("ROLLBACK")
        except psycopg.Error:
            self.close()  # broken: give it back, the pool discards it

    def close(self) -> None:
        self.end_transaction()
        stack, self._stack, self._conn = self._stack, None, None
        if stack is not None:
            stack.close()


def _sqlite_path(url: str) -> str:
    parts = urlsplit(url)
    if parts.netloc not in ("", "localhost"):
        raise ValueError(f"sqlite URL must not name a host: {url!r}")
    path = unquote(parts.path)
    # SQLAlchemy convention: sqlite:///rel.db -> "rel.db"; sqlite:////abs.db -> "/abs.db".
    path = path[1:] if path.startswith("/") else path
    if not path or path == ":memory:":
        raise ValueError(
            "in-memory SQLite is not supported (each connection would see its own database); "
            "use a file URL such as sqlite:////tmp/aftersales.db"
        )
    return path


def _redacted(pg: _PgSettings | None) -> str:
    if pg is None:
        return ""
    params = conninfo_to_dict(pg.conninfo)
    if "password" in params:
        params["password"] = "***"
    return " ".join(f"{k}={v}" for k, v in params.items() if k != "options")


def _enable_wal(conn: sqlite3.Connection, busy_timeout: float) -> None:
    """Switch a SQLite file to WAL. Another connection doing the same at the same moment can make
    SQLite answer "database is locked" at once, without waiting for the busy timeout: retry."""
    deadline = time.monotonic() + busy_timeout
    while True:
        try:
            conn.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)
