"""Issue 12: read your writes without running the world. A form post never runs a projection (the
worker does, in its own thread); the page it redirects to waits, bounded, until the projections
it reads have passed the command's notification id, and says so when they had not in time."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import flask
import pytest
from flask import Flask
from flask.testing import FlaskClient

from projections.db import Database
from projections.progress import positions, wait_until
from projections.runner import Runner
from tests.web.conftest import DEMO_PASSWORDS, csrf_token_for, load_demo, login_as, make_app
from web import get_db, projection_worker
from web.common.fresh_reads import SESSION_KEY, projections_read_by

CASE = "DEMO-C-0010"


@pytest.fixture
def no_runner_in_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    """Running a projection inside a request is a test failure."""
    catch_up = Runner.catch_up

    def guarded(self: Runner, *args: Any, **kwargs: Any) -> int:
        assert not flask.has_request_context(), "a request ran the projections"
        return catch_up(self, *args, **kwargs)

    monkeypatch.setattr(Runner, "catch_up", guarded)


def consumer(app: Flask) -> FlaskClient:
    client = app.test_client()
    assert login_as(client, "zhangsan", DEMO_PASSWORDS["consumer"]).status_code == 302
    return client


def withdraw(client: FlaskClient) -> int:
    response = client.post(
        f"/my/cases/{CASE}/withdraw",
        data={"csrf_token": csrf_token_for(client), "reason": "不需要了"},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    with client.session_transaction() as session:
        remembered = session.get(SESSION_KEY)
    assert isinstance(remembered, int) and remembered > 0
    return remembered


def test_a_page_after_a_form_post_shows_the_step_once_the_worker_passed_it(
    demo_app: Flask, no_runner_in_requests: None
) -> None:
    client = consumer(demo_app)
    before = client.get(f"/my/cases/{CASE}?lang=en").get_data(as_text=True)
    assert "Withdrawn" not in before
    withdraw(client)
    page = client.get(f"/my/cases/{CASE}?lang=en")
    assert "Withdrawn" in page.get_data(as_text=True)
    assert "X-Still-Updating" not in page.headers
    with client.session_transaction() as session:
        assert SESSION_KEY not in session  # every projection passed it: forgotten


@pytest.fixture
def stalled_app(tmp_path: Any, clean_environ: None) -> Iterator[Flask]:
    """A demo app whose projection worker is never started (as if it were down)."""
    app = make_app(tmp_path, PROJECTION_WORKER=False, READ_YOUR_WRITES_SECONDS=0.3)
    load_demo(app)
    yield app
    with app.app_context():
        get_db().close()


def worker_passed(app: Flask, notification_id: int) -> None:
    """Wait (outside any request, generously: the machine may be loaded) until the worker has
    passed ``notification_id``, so the next request's own short wait is not what is tested."""
    with app.app_context():
        names = list(positions(get_db()))
        assert wait_until(get_db(), names, notification_id, 60.0)


def test_the_wait_is_bounded_and_the_page_says_it_is_still_updating(
    stalled_app: Flask, no_runner_in_requests: None
) -> None:
    client = consumer(stalled_app)
    remembered = withdraw(client)
    started = time.monotonic()
    page = client.get(f"/my/cases/{CASE}?lang=en")
    assert time.monotonic() - started < 5  # bounded (0.3 s here), not until the worker comes
    assert page.status_code == 200
    assert page.headers.get("X-Still-Updating") == "1"
    html = page.get_data(as_text=True)
    assert "Still updating" in html and "Withdrawn" not in html

    worker = projection_worker.start(stalled_app)  # the worker comes back
    try:
        worker_passed(stalled_app, remembered)
        html = client.get(f"/my/cases/{CASE}?lang=en").get_data(as_text=True)
        assert "Withdrawn" in html and "Still updating" not in html
    finally:
        worker.stop()


def test_the_api_gives_the_notification_id_and_waits_for_it_on_request(
    stalled_app: Flask, no_runner_in_requests: None
) -> None:
    client = consumer(stalled_app)
    response = client.post(
        f"/api/v1/cases/{CASE}/withdraw",
        json={"request_id": "rw-1", "reason": "不需要了"},
        headers={"X-CSRF-Token": csrf_token_for(client)},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    notification_id = response.get_json()["notification_id"]
    assert isinstance(notification_id, int) and notification_id > 0
    stale = client.get(f"/api/v1/cases/{CASE}?after={notification_id}")
    assert stale.headers.get("X-Still-Updating") == "1"
    worker = projection_worker.start(stalled_app)
    try:
        worker_passed(stalled_app, notification_id)
        fresh = client.get(f"/api/v1/cases/{CASE}?after={notification_id}")
        assert "X-Still-Updating" not in fresh.headers
        assert fresh.get_json()["case"]["status"] == "withdrawn"
    finally:
        worker.stop()


def test_wait_until_is_bounded_and_true_once_passed(stalled_app: Flask) -> None:
    with stalled_app.app_context():
        db: Database = get_db()
        head = max(positions(db).values())
        assert wait_until(db, ["timeline"], head, 0.0)
        assert wait_until(db, ["timeline"], None, 0.0)
        started = time.monotonic()
        assert not wait_until(db, ["timeline"], head + 10_000, 0.2)
        assert time.monotonic() - started < 2


def test_pages_declare_what_they_read(demo_app: Flask) -> None:
    views = demo_app.view_functions
    assert projections_read_by(views["consumer.case"]) == ("timeline", "policies")
    assert "queues" in projections_read_by(views["merchant.queue"])
