"""Fixtures for the web tests.

- ``app``: ``create_app`` on a fresh SQLite file in ``tmp_path``, ``TESTING=True``, migrated;
  no ``AFTERSALES_*`` variable of the outer environment leaks in.
- ``client`` / ``runner``: Flask's test client and CLI runner for ``app``.
- ``role_accounts``: one account per role (``role_accounts["merchant"].username`` ...), all with
  password ``PASSWORD``; see ``ROLE_ACCOUNTS`` for their party ids and the merchant's store.
- ``login``: ``login(client, username, password=PASSWORD)`` logs in through the form and returns
  the response (a redirect on success).
- ``csrf_token``: ``csrf_token(client)`` gives the token to send with a POST from that client
  (form field ``csrf_token`` or header ``X-CSRF-Token``).
- ``bearer``: ``bearer(username)`` issues an API token and returns the ``Authorization`` header.
"""

from __future__ import annotations

import atexit
import os
import re
import secrets
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from werkzeug.test import TestResponse

from projections.db import Database
from projections.event_store import create_event_store_tables
from projections.migrate import migrate
from web import create_app, get_db, projection_worker
from web.common import accounts
from web.common.accounts import Account

PASSWORD = "correct-horse-battery"
SECRET_KEY = "test-secret-key-not-for-production"


@dataclass(frozen=True)
class RoleAccount:
    username: str
    party_id: str
    display_name: str
    merchant_id: str | None = None


ROLE_ACCOUNTS: dict[str, RoleAccount] = {
    "consumer": RoleAccount("li.lei", "C1001", "李雷"),
    "merchant": RoleAccount("han.meimei", "S2001", "韩梅梅", merchant_id="M3001"),
    "platform_agent": RoleAccount("agent.wang", "A4001", "王客服"),
    "arbitrator": RoleAccount("arb.zhao", "R5001", "赵仲裁"),
    "finance": RoleAccount("fin.qian", "F6001", "钱财务"),
}


@pytest.fixture(autouse=True)
def _fast_password_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """scrypt costs ~0.1 s a hash; the tests are about the flow, not the hash's strength."""
    monkeypatch.setattr(accounts, "PASSWORD_HASH_METHOD", "pbkdf2:sha256:1000")


@pytest.fixture
def clean_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.startswith("AFTERSALES_"):
            monkeypatch.delenv(name)


_TEMPLATE_DB: list[Path] = []
_APPS: list[Flask] = []


@pytest.fixture(autouse=True)
def _stop_projection_workers() -> Iterator[None]:
    """Every app a test made has its projection worker stopped when the test ends."""
    yield
    while _APPS:
        projection_worker.stop(_APPS.pop())


def _fresh_database(path: Path) -> None:
    """A migrated SQLite file at ``path``: migrated once per test session, then copied."""
    if not _TEMPLATE_DB:
        folder = tempfile.mkdtemp(prefix="aftersales-web-")
        atexit.register(shutil.rmtree, folder, True)  # once per session, gone at its end
        template = Path(folder) / "template.db"
        with Database.from_url(f"sqlite:///{template}") as db:
            migrate(db)
        _TEMPLATE_DB.append(template)
    with (
        closing(sqlite3.connect(_TEMPLATE_DB[0])) as source,
        closing(sqlite3.connect(path)) as copy,
    ):
        source.backup(copy)


def make_app(tmp_path: Path, **config: Any) -> Flask:
    """``create_app`` on a fresh migrated SQLite file in ``tmp_path`` (``config`` on top)."""
    database = tmp_path / "web.db"
    if not database.exists():
        _fresh_database(database)
    settings: dict[str, Any] = {
        "TESTING": True,
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY": SECRET_KEY,
        "DATA_DIR": str(tmp_path),
        # Issue 12: projections run in a worker thread beside the app (started at the first
        # request, stopped at teardown), never inside a request; pages wait for it.
        "PROJECTION_WORKER": True,
        "PROJECTION_POLL_SECONDS": 0.05,
        "READ_YOUR_WRITES_SECONDS": 10.0,
    }
    settings.update(config)
    app = create_app(settings)
    _APPS.append(app)
    with app.app_context():
        migrate(get_db())  # nothing left to apply unless the test changed the URL
    create_event_store_tables(settings["DATABASE_URL"])  # as `aftersales migrate` does
    return app


@pytest.fixture
def app(tmp_path: Path, clean_environ: None) -> Iterator[Flask]:
    app = make_app(tmp_path)
    yield app
    projection_worker.stop(app)
    with app.app_context():
        get_db().close()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture
def role_accounts(app: Flask) -> dict[str, Account]:
    made = {}
    with app.app_context():
        for role, spec in ROLE_ACCOUNTS.items():
            made[role] = accounts.create_account(
                get_db(),
                spec.username,
                PASSWORD,
                role,
                spec.display_name,
                spec.party_id,
                spec.merchant_id,
            )
    return made


def csrf_token_for(client: FlaskClient) -> str:
    with client.session_transaction() as session:
        token = session.get("csrf")
        if not token:
            token = session["csrf"] = secrets.token_urlsafe(32)
    return str(token)


@pytest.fixture
def csrf_token() -> Callable[[FlaskClient], str]:
    return csrf_token_for


def login_as(client: FlaskClient, username: str, password: str = PASSWORD) -> TestResponse:
    """Post the log-in form as a browser would (works when someone is logged in already)."""
    return client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_token_for(client)},
    )


@pytest.fixture
def login() -> Callable[..., TestResponse]:
    return login_as


@pytest.fixture
def bearer(app: Flask) -> Callable[[str], dict[str, str]]:
    def header(username: str) -> dict[str, str]:
        with app.app_context():
            token = accounts.issue_token(get_db(), username)
        return {"Authorization": f"Bearer {token}"}

    return header


def settled(app: Flask, timeout: float = 30.0) -> None:
    """Wait, as a page does, until the app's projection worker has passed everything stored (issue
    12: projections run in the worker, never inside a request)."""
    from projections.progress import wait_until
    from projections.registry import all_projections
    from web.services import get_service

    with app.app_context():
        head = get_service().recorder.max_notification_id() or 0
        names = [p.name for p in all_projections()]
        if projection_worker.worker_of(app) is None:
            projection_worker.start(app)
        assert wait_until(get_db(), names, head, timeout), "the projection worker fell behind"


DEMO_PASSWORDS = {
    "consumer": "demo-consumer",
    "merchant": "demo-merchant",
    "platform_agent": "demo-agent",
    "arbitrator": "demo-arbitrator",
    "finance": "demo-finance",
}


def load_demo(app: Flask) -> None:
    """The ``aftersales demo`` scenario, its log-ins, and every projection caught up."""
    from domain.service import AfterSales
    from projections.registry import make_runner
    from web.demo import DEMO_ACCOUNTS, run_demo
    from web.services import get_service

    url = app.config["DATABASE_URL"]
    with app.app_context():
        run_demo(lambda clock: AfterSales.from_url(url, clock=clock))
        db = get_db()
        for username, password, role, display, party, merchant in DEMO_ACCOUNTS:
            if accounts.get_account(db, username) is None:
                accounts.create_account(db, username, password, role, display, party, merchant)
        make_runner(get_service(), db).catch_up()


@pytest.fixture
def demo_app(tmp_path: Path, clean_environ: None) -> Iterator[Flask]:
    """``app`` with the demo loaded: log in as ``zhangsan`` / ``DEMO_PASSWORDS["consumer"]``,
    ``shanhai`` (merchant m1001), ``xianguo`` (m1002), ``agent``, ``arbiter``, ``finance``."""
    app = make_app(tmp_path)
    load_demo(app)
    yield app
    projection_worker.stop(app)
    with app.app_context():
        get_db().close()


@pytest.fixture
def demo_client(demo_app: Flask) -> FlaskClient:
    return demo_app.test_client()


def confirm_review(client: FlaskClient, url: str, review: TestResponse) -> TestResponse:
    """Issue 11 item 1: the form shows a review first; confirm it as the consumer would (any
    other answer, a refused form, is returned as it is)."""
    token = re.search(r'name="review" value="([^"]+)"', review.get_data(as_text=True))
    if review.status_code != 200 or token is None or "confirm-application" not in review.text:
        return review
    request_id = re.search(r'name="request_id" value="([^"]+)"', review.text)
    assert request_id, "the review page carries no request id"
    data = {
        "csrf_token": csrf_token_for(client),
        "step": "confirm",
        "review": token.group(1),
        "request_id": request_id.group(1),
    }
    return client.post(url, data=data)


def rule_link(*rules: str, lang: str = "zh_CN") -> str:
    """How a consumer's page cites ``rules`` (issue 11 item 5): links to the rules page, the id
    only in the address (``web.common.rule_citations``)."""
    text = "查看规则" if lang.startswith("zh") else "the rule"
    links = [f'<a class="rule-link" href="/rules#{rule}">{text}</a>' for rule in rules]
    return f"（{'、'.join(links)}）" if lang.startswith("zh") else f" ({', '.join(links)})"
