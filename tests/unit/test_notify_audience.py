"""Who a step concerns (issue 9; P1, P4, R12, R21), for every kind of Case event, and the
webhook signature and endpoint checks."""

from __future__ import annotations

import time

import pytest

from domain.case_values import Status
from domain.deadlines import Clock
from domain.process.audience import (
    REMINDERS,
    RIGHTS_CLOCKS,
    NoticeKind,
    audience,
    is_locked,
    notice_kind,
)
from domain.values import CaseKind, Role
from projections.labels import STEP_BY_EVENT
from web.notify.channels import webhook_url_problem
from web.notify.prefs import PreferenceError, Preferences, locked_choice
from web.notify.signing import SignatureError, sign, verify

EVENTS = sorted(STEP_BY_EVENT)
STAFF = [Role.MERCHANT, Role.PLATFORM_AGENT, Role.ARBITRATOR, Role.FINANCE, Role.SYSTEM]


@pytest.mark.parametrize("event", EVENTS)
@pytest.mark.parametrize("actor", STAFF)
def test_p4_an_internal_step_never_reaches_the_consumer(event: str, actor: Role) -> None:
    for kind in CaseKind:
        for status in Status:
            roles = audience(
                event,
                actor_role=actor,
                marked_internal=True,
                kind=kind,
                status=status,
                deadline_parties=["consumer", "merchant"],
            )
            assert Role.CONSUMER not in roles
            assert roles <= {Role.PLATFORM_AGENT, Role.MERCHANT}
            assert (Role.MERCHANT in roles) == (actor is Role.MERCHANT)


def test_p4_a_routing_is_internal_whatever_it_says() -> None:
    roles = audience(
        "Routed",
        actor_role=Role.SYSTEM,
        marked_internal=False,
        kind=CaseKind.RETURN_REFUND,
        status=Status.REQUESTED,
        deadline_parties=["merchant"],
    )
    assert roles == {Role.PLATFORM_AGENT}


@pytest.mark.parametrize("event", [e for e in EVENTS if e != "Routed"])
def test_p1_every_other_step_reaches_both_parties_and_whoever_acts_next(event: str) -> None:
    roles = audience(
        event,
        actor_role=Role.CONSUMER,
        marked_internal=False,
        kind=CaseKind.RETURN_REFUND,
        status=Status.AWAITING_REFUND,  # owner: the platform (domain.process.states)
        deadline_parties=["finance", "system"],
    )
    assert roles == {Role.CONSUMER, Role.MERCHANT, Role.PLATFORM_AGENT, Role.FINANCE}


def test_the_kinds_of_notice() -> None:
    assert notice_kind("Opened") is NoticeKind.NEW_CASE
    assert notice_kind("SlaBreached") is NoticeKind.DEADLINE
    assert notice_kind("RefundPaid") is NoticeKind.MONEY
    assert notice_kind("NoteAdded") is NoticeKind.NOTE
    assert notice_kind("Accepted") is NoticeKind.STEP


def test_r12_r13_reminders_and_the_consumers_rights_clocks() -> None:
    assert REMINDERS[Clock.MERCHANT_DECISION].party is Role.MERCHANT
    assert REMINDERS[Clock.MERCHANT_DECISION].lead.total_seconds() == 30 * 60
    assert REMINDERS[Clock.CONSUMER_SHIP].party is Role.CONSUMER
    assert REMINDERS[Clock.CONSUMER_SHIP].lead.days == 1
    assert is_locked(Role.CONSUMER, [Clock.CONSUMER_SHIP.value])
    assert not is_locked(Role.MERCHANT, [Clock.CONSUMER_SHIP.value])
    assert not is_locked(Role.CONSUMER, [Clock.MERCHANT_DECISION.value])
    assert Clock.CONSUMER_SHIP in RIGHTS_CLOCKS


def test_p1_consumers_cannot_turn_off_deadline_notices_others_can() -> None:
    assert locked_choice("consumer", "deadline", "inbox")
    assert locked_choice("consumer", "deadline", "email")
    assert not locked_choice("consumer", "deadline", "sms")
    assert not locked_choice("merchant", "deadline", "email")
    off = Preferences("consumer", {("deadline", "email"): False, ("step", "email"): False})
    assert off.wants("deadline", "email")
    assert not off.wants("step", "email")
    assert off.wants("step", "email", locked=True), "a step that starts a rights clock"
    assert Preferences("merchant", {}).wants("new_case", "inbox")
    assert not Preferences("merchant", {}).wants("new_case", "sms")
    assert PreferenceError("locked").code == "locked"


def test_signature_verifies_and_rejects_changes_other_secrets_and_old_timestamps() -> None:
    body = b'{"id":"x"}'
    now = int(time.time())
    header = sign("whsec_a", body, now)
    assert verify("whsec_a", header, body, now=now + 10) == now
    for bad_secret, bad_body, at in (
        ("whsec_b", body, now),
        ("whsec_a", body + b" ", now),
        ("whsec_a", body, now + 301),
    ):
        with pytest.raises(SignatureError):
            verify(bad_secret, header, bad_body, now=at)
    for bad_header in (None, "", "v1=abc", "t=x,v1=abc", "nonsense"):
        with pytest.raises(SignatureError):
            verify("whsec_a", bad_header, body, now=now)


def test_webhook_endpoints_are_https_loopback_http_only_when_allowed() -> None:
    assert webhook_url_problem("https://shop.example/hooks", allow_loopback=False) is None
    assert webhook_url_problem("http://shop.example/hooks", allow_loopback=True) == "not_https"
    assert webhook_url_problem("http://127.0.0.1:8080/h", allow_loopback=False) == "not_https"
    assert webhook_url_problem("http://127.0.0.1:8080/h", allow_loopback=True) is None
    assert webhook_url_problem("https://u:p@shop.example/", allow_loopback=False) == "credentials"
    assert webhook_url_problem("https:///nohost", allow_loopback=False) == "no_host"
    assert webhook_url_problem("ftp://shop.example/", allow_loopback=False) == "not_https"
    assert webhook_url_problem("https://x.example/" + "a" * 2000, allow_loopback=False) == (
        "too_long"
    )
