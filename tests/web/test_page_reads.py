"""Issue 12 §4: a page is read through one read-model connection and one read transaction (not a
pooled transaction per query), and the merchant's queue reads its rows with their summaries in
one query (not one more per row). Counted, never timed."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from tests.web.conftest import DEMO_PASSWORDS, load_demo, login_as, make_app
from web import get_db

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_demo_app(pg_url: str, tmp_path: Path, clean_environ: None) -> Iterator[Flask]:
    app = make_app(tmp_path, DATABASE_URL=pg_url)
    load_demo(app)
    yield app
    with app.app_context():
        get_db().close()


def _read_model_traffic(app: Flask, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Check-outs from the read model's pool and the statements sent on them, by the requests
    (this thread) only: the app's projection worker thread shares the pool."""
    requests_thread = threading.get_ident()
    with app.app_context():
        pool = get_db()._get_pool()
    counts = {"checkouts": 0, "statements": 0}
    getconn = pool.getconn
    wrapped: set[int] = set()

    def counted_getconn(*args: Any, **kwargs: Any) -> Any:
        conn = getconn(*args, **kwargs)
        if threading.get_ident() != requests_thread:
            return conn
        counts["checkouts"] += 1
        if id(conn) in wrapped:
            return conn
        wrapped.add(id(conn))
        execute = conn.execute

        def counted_execute(*a: Any, **k: Any) -> Any:
            if threading.get_ident() == requests_thread:
                counts["statements"] += 1
            return execute(*a, **k)

        monkeypatch.setattr(conn, "execute", counted_execute, raising=False)
        return conn

    monkeypatch.setattr(pool, "getconn", counted_getconn)
    return counts


@pytest.mark.parametrize(
    ("username", "role", "path"),
    [
        ("shanhai", "merchant", "/merchant/queue"),
        ("zhangsan", "consumer", "/my/cases/DEMO-C-0010"),
        ("zhangsan", "consumer", "/my/cases"),
    ],
)
def test_a_page_takes_one_read_connection(
    pg_demo_app: Flask, monkeypatch: pytest.MonkeyPatch, username: str, role: str, path: str
) -> None:
    client = pg_demo_app.test_client()
    assert login_as(client, username, DEMO_PASSWORDS[role]).status_code == 302
    counts = _read_model_traffic(pg_demo_app, monkeypatch)
    response = client.get(path)
    assert response.status_code == 200
    assert counts["checkouts"] == 1
    statements = counts["statements"]
    client.get(path)
    assert counts["checkouts"] == 2  # the connection went back to the pool
    assert counts["statements"] == 2 * statements  # the same page, the same statements


def test_the_queue_costs_the_same_whatever_its_length(
    pg_demo_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One query for a page of rows: a store's queue with work and an empty one cost the same
    statements (before issue 12, one more query per row)."""
    from web.common.accounts import create_account

    with pg_demo_app.app_context():
        create_account(get_db(), "quiet", "quiet-password", "merchant", "Q", "s9", "m9999")
    counts = _read_model_traffic(pg_demo_app, monkeypatch)
    seen = {}
    for username, password in (
        ("shanhai", DEMO_PASSWORDS["merchant"]),
        ("quiet", "quiet-password"),
    ):
        client = pg_demo_app.test_client()
        login_as(client, username, password)
        client.get("/merchant/queue")
        counts.update(checkouts=0, statements=0)
        page = client.get("/merchant/queue").get_data(as_text=True)
        seen[username] = (page.count('class="queue__row'), counts["statements"])
    (rows_a, statements_a), (rows_b, statements_b) = seen.values()
    assert rows_a != rows_b, seen
    assert statements_a == statements_b, seen
