"""Fixtures for the AfterSales service on the shared stores (``store_url`` from tests/conftest.py).

``event_store_url`` is the store URL the service is given: ``domain.service.event_store_env``
reads the SQLite path and, for PostgreSQL, the test's schema from the fixture's
``?options=-csearch_path=<schema>`` (so each test's events live in its own schema).
``make_app`` builds AfterSales instances on it (several may share one database) and closes them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from domain.service import AfterSales, event_store_env
from tests.unit.builders import FakeClock, Shop, cst, seed


@pytest.fixture
def event_store_url(store_url: str) -> str:
    env = event_store_env(store_url)
    if store_url.startswith("postgresql"):
        from tests.conftest import pg_schema_of

        assert env["POSTGRES_SCHEMA"] == pg_schema_of(store_url), "the service must use the schema"
    return store_url


MakeApp = Callable[..., AfterSales]


@pytest.fixture
def make_app(event_store_url: str) -> Iterator[MakeApp]:
    apps: list[AfterSales] = []

    def make(clock: FakeClock | None = None) -> AfterSales:
        app = AfterSales.from_url(event_store_url, clock=clock or FakeClock())
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.close()


@pytest.fixture
def shop(make_app: MakeApp) -> Shop:
    """The builders' seeded store with the clock at 2026-09-24 09:00."""
    clock = FakeClock()
    shop = seed(make_app(clock), clock)
    clock.now = cst(2026, 9, 24, 9)
    return shop


@pytest.fixture
def cli(store_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """``aftersales`` commands on this test's store (its URL, a data dir, a secret key)."""
    monkeypatch.setenv("AFTERSALES_DATABASE_URL", store_url)
    monkeypatch.setenv("AFTERSALES_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("AFTERSALES_SECRET_KEY", "cli-test-secret-key-0123456789")
    return CliRunner()
