"""Notifications end to end (issue 9; P1, P4, R12, R21), on SQLite and PostgreSQL: the demo's
cases (every kind, walked to their end) go through the outbox projection and the delivery worker
to a real SMTP server (aiosmtpd) and a real webhook receiver, both on 127.0.0.1 in this process.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from domain.values import CaseKind
from projections.registry import make_runner
from tests.web.notify_support import (
    Notified,
    address,
    close_app,
    notify_app,
    smtp_server,
    webhook_receiver,
)
from web import get_db
from web.common.accounts import get_account
from web.demo import DEMO_ACCOUNTS, SHOP_DIGITAL
from web.notify.inbox import inbox, unread_count
from web.notify.signing import SIGNATURE_HEADER, SignatureError, verify
from web.notify.stores import set_contact, webhook_deliveries
from web.notify.worker import send_again
from web.services import get_service


@pytest.fixture
def notified(store_url: str, tmp_path: Path, clean_environ: None) -> Iterator[Notified]:
    with smtp_server() as smtp, webhook_receiver() as hooks:
        n = notify_app(tmp_path, store_url, smtp, hooks)
        try:
            with n.app.app_context():
                yield n
        finally:
            close_app(n.app)


def _steps(n: Notified) -> list[dict[str, Any]]:
    return n.rows(
        "SELECT t.case_no, t.version, t.actor_role, t.internal, t.status, t.event_name, "
        "s.consumer_id, s.merchant_id, s.kind FROM timeline_steps t "
        "JOIN case_summary s ON s.case_no = t.case_no"
    )


def _mailed(n: Notified, username: str) -> set[tuple[str, int]]:
    """(case_no, version) of every step mailed to ``username``; each mail exactly once."""
    mails = n.smtp.to(address(username))
    ids = [m.delivery_id for m in mails]
    assert len(ids) == len(set(ids)), f"{username} got a delivery twice"
    got = set()
    for mail in mails:
        assert mail.message["Message-ID"] == f"<{mail.delivery_id}@aftersales.notify>"
        row = n.rows(
            "SELECT n.case_no, n.source FROM notify_deliveries d JOIN notices n "
            "ON n.id = d.notice_id WHERE d.id = ?",
            (mail.delivery_id,),
        )[0]
        if row["source"].startswith("reminder:"):
            continue
        got.add((row["case_no"], int(row["source"].rsplit("@", 1)[1])))
    return got


def test_every_party_gets_each_step_it_is_concerned_by_once(notified: Notified) -> None:
    """P1/R21: a consumer is mailed every step of their cases they did not take themselves,
    never an internal one (P4); a store's staff every step of its cases others took; the
    platform's staff and the arbitrator the steps that wait on them. Every kind of case."""
    n = notified
    result = n.run()
    assert result.sent > 0 and result.failed == 0
    steps = _steps(n)
    assert {s["kind"] for s in steps} == {k.value for k in CaseKind}, "a kind not walked"
    assert any(s["internal"] for s in steps), "the demo has internal steps"
    consumers = {u: p for u, _, role, _, p, _ in DEMO_ACCOUNTS if role == "consumer"}
    for username, party in consumers.items():
        expected = {
            (s["case_no"], s["version"])
            for s in steps
            if s["consumer_id"] == party and not s["internal"] and s["actor_role"] != "consumer"
        }
        assert expected and _mailed(n, username) == expected, username
    stores = {u: m for u, _, role, _, _, m in DEMO_ACCOUNTS if role == "merchant"}
    for username, store in stores.items():
        expected = {
            (s["case_no"], s["version"])
            for s in steps
            if s["merchant_id"] == store and not s["internal"] and s["actor_role"] != "merchant"
        }
        assert expected and _mailed(n, username) == expected, username
    waiting_on = {"agent": "awaiting_refund", "arbiter": "in_arbitration"}
    for username, status in waiting_on.items():
        expected = {(s["case_no"], s["version"]) for s in steps if s["status"] == status}
        assert expected and expected <= _mailed(n, username), username
    # P4: no internal step reached any consumer by any channel
    internal = {(s["case_no"], s["version"]) for s in steps if s["internal"]}
    for username in consumers:
        assert not _mailed(n, username) & internal
        account = get_account(get_db(), username)
        for item in inbox(get_db(), account, limit=10_000):
            assert not json.loads(item.row["details"])["internal"]
            assert item.row["event_name"] not in ("Routed",)


def test_mail_is_in_the_recipients_language_and_zone(notified: Notified) -> None:
    n = notified
    n.run()
    chinese = n.smtp.to(address("zhangsan"))[0]
    assert "案件" in chinese.subject
    assert "北京时间（UTC+8）" in chinese.part("plain")
    assert '<html lang="zh-CN">' in chinese.part("html")
    english = n.smtp.to(address("lisi"))[0]
    assert english.subject.startswith("Case ")
    text = english.part("plain")
    assert "(UTC+1)" in text or "(UTC+2)" in text, text  # the zone as issue 11 item 9 writes it
    assert '<html lang="en">' in english.part("html")


def test_webhook_gets_every_step_of_the_stores_cases_signed(notified: Notified) -> None:
    """Every step of the store's cases (its own too, not the platform's internal ones) once,
    signed over timestamp and body; the signature verifies, a changed body or an old
    timestamp does not."""
    n = notified
    n.run()
    hits = n.hooks.ok()
    assert hits and len(hits) == len(n.hooks.hits)
    ids = [h.headers["Aftersales-Delivery"] for h in hits]
    assert len(ids) == len(set(ids))
    got = set()
    for hit in hits:
        verify(n.secret, hit.headers[SIGNATURE_HEADER], hit.body)
        assert hit.json["id"] == hit.headers["Aftersales-Delivery"]
        assert hit.json["merchant_id"] == SHOP_DIGITAL
        got.add((hit.json["case_no"], hit.json["event"], hit.json["at"]))
    steps = [
        s
        for s in _steps(n)
        if s["merchant_id"] == SHOP_DIGITAL and (not s["internal"] or s["actor_role"] == "merchant")
    ]
    assert len(hits) == len(steps)
    hit = hits[0]
    with pytest.raises(SignatureError):
        verify(n.secret, hit.headers[SIGNATURE_HEADER], hit.body + b" ")
    t = int(hit.headers[SIGNATURE_HEADER].split(",")[0][2:])
    with pytest.raises(SignatureError):
        verify(n.secret, hit.headers[SIGNATURE_HEADER], hit.body, now=t + 301)
    with pytest.raises(SignatureError):
        verify("whsec_other", hit.headers[SIGNATURE_HEADER], hit.body)


def test_a_second_pass_and_a_rebuild_of_the_outbox_send_nothing_new(notified: Notified) -> None:
    n = notified
    n.run()
    mails, hits = len(n.smtp.mails), len(n.hooks.hits)
    notices = n.rows("SELECT id, read_at FROM notices ORDER BY id")
    zhang = get_account(get_db(), "zhangsan")
    first = inbox(get_db(), zhang)[0]
    from web.notify.inbox import mark_read

    assert mark_read(get_db(), zhang, first.id, datetime.now(UTC))
    unread = unread_count(get_db(), zhang)
    again = n.run()
    assert again.sent == 0 and again.fanned_out == 0
    runner = make_runner(get_service(), get_db(), names=["outbox"])
    assert runner.rebuild(["outbox"]) > 0
    after = n.run()
    assert after.sent == 0 and after.fanned_out == 0
    assert (len(n.smtp.mails), len(n.hooks.hits)) == (mails, hits)
    assert [r["id"] for r in n.rows("SELECT id FROM notices ORDER BY id")] == [
        r["id"] for r in notices
    ]
    assert unread_count(get_db(), zhang) == unread, "read marks survive the rebuild"


def test_a_receiver_failing_twice_gets_the_event_once_more_not_thrice(
    store_url: str, tmp_path: Path, clean_environ: None
) -> None:
    """Backoff: 30 s, then 60 s; the third attempt succeeds and is the last. The attempts are
    what the store sees."""
    with smtp_server() as smtp, webhook_receiver(fail_first=2) as hooks:
        n = notify_app(tmp_path, store_url, smtp, hooks)
        with n.app.app_context():
            first = n.run()
            deliveries = len(n.rows("SELECT id FROM notify_deliveries WHERE channel = 'webhook'"))
            assert first.failed == deliveries > 0
            n.now[0] += timedelta(seconds=29)
            assert n.run().failed == 0, "not before the backoff"
            n.now[0] += timedelta(seconds=2)
            assert n.run().failed == deliveries
            n.now[0] += timedelta(seconds=59)
            assert n.run().by_channel.get("webhook", 0) == 0
            n.now[0] += timedelta(seconds=2)
            assert n.run().by_channel["webhook"] == deliveries
            n.now[0] += timedelta(days=2)
            assert n.run().sent == 0
            by_id: dict[str, list[int]] = {}
            for hit in hooks.hits:
                by_id.setdefault(hit.headers["Aftersales-Delivery"], []).append(hit.status)
            assert len(by_id) == deliveries
            assert all(statuses == [500, 500, 200] for statuses in by_id.values())
            seen = webhook_deliveries(get_db(), SHOP_DIGITAL, limit=1)[0]
            assert seen["status"] == "sent" and seen["attempts"] == 3
            assert [a["ok"] for a in seen["attempt_rows"]] == [0, 0, 1]
            assert [a["status_code"] for a in seen["attempt_rows"]] == [500, 500, 200]
            close_app(n.app)


def test_a_receiver_down_for_a_day_is_parked_then_sent_again(
    store_url: str, tmp_path: Path, clean_environ: None
) -> None:
    with smtp_server() as smtp, webhook_receiver(fail_first=10_000) as hooks:
        n = notify_app(tmp_path, store_url, smtp, hooks)
        with n.app.app_context():
            n.run()
            for _ in range(20):
                n.now[0] += timedelta(hours=3)
                n.run()
            parked = n.rows(
                "SELECT id, attempts FROM notify_deliveries WHERE channel = 'webhook' "
                "AND status = 'failed'"
            )
            total = n.rows("SELECT id FROM notify_deliveries WHERE channel = 'webhook'")
            assert parked and len(parked) == len(total)
            assert all(3 < p["attempts"] < 20 for p in parked)
            hooks.fail_first = 0
            n.now[0] += timedelta(days=1)
            assert n.run().sent == 0, "parked: not retried by itself"
            one = parked[0]["id"]
            assert not send_again(get_db(), one, merchant_id="m-other", now=n.now[0])
            assert send_again(get_db(), one, merchant_id=SHOP_DIGITAL, now=n.now[0])
            assert n.run().by_channel == {"webhook": 1}
            assert hooks.ok()[0].headers["Aftersales-Delivery"] == one
            close_app(n.app)


def test_sms_goes_through_the_log_provider_for_deadline_notices(notified: Notified) -> None:
    """SMS (default: deadline notices only) through the shipped provider, which writes one JSON
    line per message to AFTERSALES_SMS_LOG; the line carries the delivery id as its key."""
    n = notified
    for username in ("zhangsan", "shanhai"):
        set_contact(get_db(), username, email=None, phone="+8613800000000")
    n.run()
    log = Path(n.app.config["DATA_DIR"]) / "sms.log"
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    sms = n.rows(
        "SELECT d.id, n.notice_kind FROM notify_deliveries d JOIN notices n "
        "ON n.id = d.notice_id WHERE d.channel = 'sms' AND d.status = 'sent'"
    )
    assert sms and sorted(line["key"] for line in lines) == sorted(d["id"] for d in sms)
    assert {d["notice_kind"] for d in sms} == {"deadline"}
    assert all(line["to"] == "+8613800000000" and line["text"] for line in lines)
