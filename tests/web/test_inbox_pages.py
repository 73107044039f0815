"""The site inbox and notification settings (issue 9; P1, P4): the header's unread count, the
list, mark read; channels per kind of notice (a consumer's rights deadlines stay on); a store's
webhook endpoint (HTTPS only), its deliveries and "send again"."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from tests.web.conftest import DEMO_PASSWORDS, csrf_token_for, login_as
from web import get_db
from web.common.accounts import get_account
from web.notify.inbox import inbox, unread_count
from web.notify.prefs import load_preferences


def _count(page: str) -> int:
    found = re.search(r'data-testid="inbox-unread"[^>]*>(\d+)<', page)
    assert found, "no unread count in the header"
    return int(found.group(1))


def test_header_count_list_and_mark_read(demo_app: Flask, demo_client: FlaskClient) -> None:
    client = demo_client
    login_as(client, "zhangsan", DEMO_PASSWORDS["consumer"])
    with demo_app.app_context():
        account = get_account(get_db(), "zhangsan")
        before = unread_count(get_db(), account)
        first = inbox(get_db(), account)[0]
    assert before > 0
    page = client.get("/inbox/").get_data(as_text=True)
    assert _count(page) == before
    assert f'data-notice="{first.id}"' in page
    token = csrf_token_for(client)
    client.post(f"/inbox/{first.id}/read", data={"csrf_token": token})
    assert _count(client.get("/inbox/").get_data(as_text=True)) == before - 1
    client.post("/inbox/read-all", data={"csrf_token": token})
    assert _count(client.get("/inbox/").get_data(as_text=True)) == 0
    # another person's notice cannot be marked read by this one
    login_as(client, "shanhai", DEMO_PASSWORDS["merchant"])
    with demo_app.app_context():
        store = get_account(get_db(), "shanhai")
        theirs = unread_count(get_db(), store)
    client.post(f"/inbox/{first.id}/read", data={"csrf_token": csrf_token_for(client)})
    with demo_app.app_context():
        assert unread_count(get_db(), store) == theirs


def test_p4_the_consumers_inbox_holds_no_internal_step(demo_app: Flask) -> None:
    with demo_app.app_context(), get_db().connect() as conn:
        internal = conn.execute(
            "SELECT COUNT(*) AS n FROM notices WHERE details LIKE '%\"internal\":true%'"
        ).fetchone()["n"]
        leaked = conn.execute(
            "SELECT COUNT(*) AS n FROM notices WHERE party LIKE 'consumer:%' "
            "AND details LIKE '%\"internal\":true%'"
        ).fetchone()["n"]
    assert internal > 0 and leaked == 0


def test_settings_refuse_a_bad_address_and_keep_rights_deadlines_on(
    demo_app: Flask, demo_client: FlaskClient
) -> None:
    client = demo_client
    login_as(client, "zhangsan", DEMO_PASSWORDS["consumer"])
    token = csrf_token_for(client)
    bad = client.post(
        "/inbox/settings?lang=en", data={"csrf_token": token, "email": "not-an-address"}
    )
    assert bad.status_code == 400
    assert "email: enter an address" in bad.get_data(as_text=True)
    ok = client.post(
        "/inbox/settings",
        data={"csrf_token": token, "email": "zhang@example.test", "phone": "+8613800000000"},
    )
    assert ok.status_code == 302
    with demo_app.app_context():
        prefs = load_preferences(get_db(), "zhangsan", "consumer")
        assert not prefs.wants("step", "email"), "unticked: off"
        assert prefs.wants("deadline", "email") and prefs.wants("deadline", "inbox"), "P1"
        account = get_account(get_db(), "zhangsan")
        assert unread_count(get_db(), account) > 0, "deadline notices still counted"
    page = client.get("/inbox/settings").get_data(as_text=True)
    assert 'name="deadline:inbox" aria-label' in page and "disabled" in page


def test_store_webhook_https_only_secret_once_consumers_refused(
    demo_app: Flask, demo_client: FlaskClient
) -> None:
    client = demo_client
    login_as(client, "zhangsan", DEMO_PASSWORDS["consumer"])
    assert client.get("/inbox/webhook").status_code == 403
    login_as(client, "shanhai", DEMO_PASSWORDS["merchant"])
    token = csrf_token_for(client)
    bad = client.post(
        "/inbox/webhook?lang=en", data={"csrf_token": token, "url": "http://shop.example/h"}
    )
    assert bad.status_code == 400
    assert "url: the endpoint must be an https:// address." in bad.get_data(as_text=True)
    good = client.post(
        "/inbox/webhook", data={"csrf_token": token, "url": "https://shop.example/h"}
    )
    assert good.status_code == 200
    assert "whsec_" in good.get_data(as_text=True)
    again = client.get("/inbox/webhook").get_data(as_text=True)
    assert "https://shop.example/h" in again and "whsec_" not in again
    assert (
        client.post("/inbox/webhook/nope/send-again", data={"csrf_token": token}).status_code == 404
    )
