"""Issue 10: while the database is away the site answers a clean 503 with ``Retry-After`` (JSON
under /api/, a page elsewhere), never a stack trace, and recovers by itself; connections the
server dropped are never handed to a request (no 500 under ``pg_terminate_backend``)."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from eventsourcing import persistence
from flask import Flask, request
from psycopg_pool import PoolTimeout

from tests.web.conftest import make_app
from web.common.errors import RETRY_AFTER_SECONDS

FAILURES: dict[str, Callable[[], Exception]] = {
    "pg_lost": lambda: psycopg.OperationalError(
        "consuming input failed: server closed the connection unexpectedly"
    ),
    "pg_closed": lambda: psycopg.InterfaceError("the connection is closed"),
    "pool_timeout": lambda: PoolTimeout("couldn't get a connection after 10.00 sec"),
    "sqlite_locked": lambda: sqlite3.OperationalError("database is locked"),
    "library_wrapped": lambda: _wrapped(sqlite3.OperationalError("database is locked")),
    "library_unavailable": lambda: persistence.ConnectionUnavailableError("pool exhausted"),
}


def _wrapped(cause: Exception) -> Exception:
    try:
        raise persistence.OperationalError(str(cause)) from cause
    except persistence.OperationalError as error:
        return error


@pytest.fixture
def failing_app(tmp_path: Path, clean_environ: None) -> Flask:
    app = make_app(tmp_path)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as in production: handlers, never a traceback

    def fail(kind: str) -> str:
        if kind == "no_table":
            raise sqlite3.OperationalError("no such table: missing")
        raise FAILURES[kind]()

    def parse_json() -> str:
        return str(type(request.get_json()))

    def recurse(n: int = 0) -> str:
        return recurse(n + 1)

    app.add_url_rule("/api/test-json", "api_json", parse_json, methods=["POST"])
    app.add_url_rule("/api/test-recursion", "api_recursion", recurse)
    app.add_url_rule("/api/test-failure/<kind>", "api_failure", fail)
    app.add_url_rule("/test-failure/<kind>", "page_failure", fail)
    return app


@pytest.mark.parametrize("kind", sorted(FAILURES))
def test_database_away_is_503_with_retry_after(failing_app: Flask, kind: str) -> None:
    client = failing_app.test_client()
    api = client.get(f"/api/test-failure/{kind}")
    assert api.status_code == 503
    assert api.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert api.get_json()["error"] == "unavailable"
    assert "Traceback" not in api.get_data(as_text=True)
    page = client.get(f"/test-failure/{kind}?lang=en")
    assert page.status_code == 503 and page.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert "Temporarily unavailable" in page.get_data(as_text=True)
    assert "暂时无法服务" in client.get(f"/test-failure/{kind}?lang=zh_CN").get_data(as_text=True)


def test_other_database_errors_stay_500_without_a_trace(failing_app: Flask) -> None:
    response = failing_app.test_client().get("/api/test-failure/no_table")
    assert response.status_code == 500 and "Retry-After" not in response.headers
    assert response.get_json()["error"] == "server_error"
    assert "no such table" not in response.get_data(as_text=True)


@pytest.mark.postgres
def test_no_500_while_connections_are_terminated_under_load(
    pg_url: str, tmp_path: Path, clean_environ: None
) -> None:
    app = make_app(tmp_path, DATABASE_URL=pg_url)
    statuses: Counter[int] = Counter()
    stop = threading.Event()

    def load() -> None:
        client = app.test_client()
        while not stop.is_set():
            statuses[client.get("/stores/m1/policy").status_code] += 1

    workers = [threading.Thread(target=load) for _ in range(4)]
    for worker in workers:
        worker.start()
    try:
        for _ in range(5):
            time.sleep(0.3)
            with psycopg.connect(pg_url, autocommit=True) as conn:
                conn.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
        time.sleep(0.3)
    finally:
        stop.set()
        for worker in workers:
            worker.join(timeout=30)
    assert statuses[500] == 0, statuses
    assert statuses[404] > 50, statuses  # requests kept being answered (no such store)


def test_a_json_body_nested_too_deeply_is_400(failing_app: Flask) -> None:
    client = failing_app.test_client()
    body = "[" * 100_000 + "]" * 100_000
    response = client.post("/api/v1/cases", data=body, content_type="application/json")
    assert response.status_code in (400, 401)  # refused before or at the log-in check
    token_client = failing_app.test_client()
    response = token_client.post(
        "/api/test-json?lang=en", data=body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.get_json()["error"] == "invalid"
    assert "nested too deeply" in response.get_json()["message"]


def test_a_recursion_error_of_our_own_is_a_500(failing_app: Flask) -> None:
    response = failing_app.test_client().get("/api/test-recursion")
    assert response.status_code == 500
