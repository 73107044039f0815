"""Fixtures shared by every test folder: where the read-model / event stores live.

- ``sqlite_url``: a SQLite file URL under the test's ``tmp_path`` (``sqlite:////tmp/.../read_model.db``).
- ``pg_url``: a PostgreSQL URL whose ``search_path`` is a fresh schema, created for this test and
  dropped after it (``postgresql://postgres@127.0.0.1:5432/<db>?options=-csearch_path%3D<schema>``).
  The schema lives in a database created once per test session (dropped at the end).
- ``store_url``: parametrized over ``sqlite`` and ``postgresql`` (the latter marked ``postgres``),
  so one test runs on both stores.
- ``read_db``: a migrated ``projections.db.Database`` for ``store_url``, closed afterwards.

Helpers for test modules: ``pg_schema_of(url)`` (the schema named in a ``pg_url``).

PostgreSQL is found at ``AFTERSALES_TEST_PG_URL`` (default ``postgresql://postgres@127.0.0.1:5432/test``).
When it is unreachable, PostgreSQL tests are skipped with the reason, except when ``CI`` is true:
then they fail.
"""

from __future__ import annotations

import os
import uuid
import warnings
from collections.abc import Iterator
from typing import Any, NoReturn
from urllib.parse import quote, unquote

import psycopg
import pytest
from hypothesis import HealthCheck, settings
from psycopg import sql
from psycopg.conninfo import conninfo_to_dict

PG_TEST_URL_SETTING = "AFTERSALES_TEST_PG_URL"
DEFAULT_PG_TEST_URL = "postgresql://postgres@127.0.0.1:5432/test"


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes", "on"}


def _pg_params(url: str) -> dict[str, Any]:
    return dict(conninfo_to_dict(url))


def _pg_url(params: dict[str, Any], *, schema: str | None = None) -> str:
    user = quote(str(params.get("user") or "postgres"), safe="")
    password = str(params.get("password") or "")
    auth = f"{user}:{quote(password, safe='')}" if password else user
    host = params.get("host") or "127.0.0.1"
    port = params.get("port") or "5432"
    url = f"postgresql://{auth}@{host}:{port}/{quote(str(params['dbname']), safe='')}"
    if schema is not None:
        url += "?options=" + quote(f"-csearch_path={schema}", safe="")
    return url


def pg_schema_of(url: str) -> str:
    """The schema in a ``pg_url``'s ``?options=-csearch_path%3D<schema>`` ("public" if none)."""
    options = str(conninfo_to_dict(url).get("options") or "")
    for option in options.split():
        if option.startswith("-csearch_path="):
            return unquote(option.removeprefix("-csearch_path=")).split(",")[0].strip()
    return "public"


def _unavailable(reason: str) -> NoReturn:
    if in_ci():
        pytest.fail(f"{reason} (CI=true: PostgreSQL tests must run)", pytrace=False)
    pytest.skip(
        f"{reason}; start PostgreSQL or set {PG_TEST_URL_SETTING} (CI=true makes this fail)"
    )


@pytest.fixture(scope="session")
def pg_database_url() -> Iterator[str]:
    """A database created for this test session.

    Falls back to the server's given database when we may not create one (schemas still isolate).
    """
    server_url = os.environ.get(PG_TEST_URL_SETTING, "").strip() or DEFAULT_PG_TEST_URL
    params = _pg_params(server_url)
    where = f"{params.get('host')}:{params.get('port')}/{params.get('dbname')}"
    try:
        admin = psycopg.connect(server_url, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError as e:
        _unavailable(f"PostgreSQL unreachable at {where}: {str(e).strip()}")
    name = f"aftersales_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.errors.InsufficientPrivilege:
        name = str(params["dbname"])  # fall back to the given database; schemas still isolate
    try:
        yield _pg_url({**params, "dbname": name})
    finally:
        if name != params["dbname"]:
            try:
                admin.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
                )
            except psycopg.Error as e:
                warnings.warn(f"could not drop test database {name}: {e}", stacklevel=1)
        admin.close()


@pytest.fixture
def pg_url(pg_database_url: str) -> Iterator[str]:
    """A fresh schema for this test; the URL sets ``search_path`` to it. Dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(pg_database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    yield _pg_url(_pg_params(pg_database_url), schema=schema)
    try:
        with psycopg.connect(pg_database_url, autocommit=True) as conn:
            conn.execute("SET lock_timeout = '10s'")
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))
    except psycopg.Error as e:  # the session database is dropped at the end anyway
        warnings.warn(f"could not drop test schema {schema}: {e}", stacklevel=1)


@pytest.fixture
def sqlite_url(tmp_path: Any) -> str:
    """A SQLite read-model file under ``tmp_path`` (created on first use)."""
    return f"sqlite:///{tmp_path / 'read_model.db'}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest) -> str:
    """The same test on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def read_db(store_url: str) -> Iterator[Any]:
    """A migrated read-model ``Database`` on ``store_url``."""
    from projections.db import Database
    from projections.migrate import migrate

    db = Database.from_url(store_url)
    try:
        migrate(db)
        yield db
    finally:
        db.close()


# Hypothesis budgets (issue 10). "ci": derandomized (the same examples every run), loaded when CI
# is true; "dev": random, the default elsewhere; both keep hypothesis's own number of examples for
# the property tests. "long": bench/stateful_long.py and `pytest --hypothesis-profile=long`. The
# service state machine (tests/unit/test_stateful_service.py) takes its budget from
# STATE_MACHINE_BUDGET by the profile's name: (sequences, rules at most a sequence).
_QUIET = [HealthCheck.too_slow, HealthCheck.data_too_large]
settings.register_profile("ci", derandomize=True, deadline=None, suppress_health_check=_QUIET)
settings.register_profile("dev", deadline=None, suppress_health_check=_QUIET)
LONG_STEPS = 20
settings.register_profile(
    "long",
    max_examples=10_000,
    stateful_step_count=LONG_STEPS,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
STATE_MACHINE_BUDGET = {"ci": (30, 25), "dev": (30, 25), "long": (10_000, LONG_STEPS)}


def pytest_configure(config: pytest.Config) -> None:
    if not config.getoption("hypothesis_profile", default=None):
        settings.load_profile("ci" if in_ci() else "dev")
