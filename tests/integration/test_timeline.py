"""The case timeline (R21) and case summary on SQLite and PostgreSQL: the rows say what the events
say, internal steps stay hidden from consumers (P4), and a rebuild reproduces the tables."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from eventsourcing.domain import Aggregate

from domain.case import Case
from domain.case.events import CaseEvent
from domain.case_values import Evidence, Ruling, RulingOutcome, Shipment
from domain.chain import GENESIS
from domain.deadlines import Clock, Deadline
from domain.values import Responsibility, Role
from projections.labels import STEP_BY_EVENT, STEP_LABELS
from projections.tablehash import table_digest
from projections.timeline import (
    TIMELINE_PROJECTION,
    TimelineProjection,
    TimelineStep,
    case_event_topics,
    case_summary,
    deadline_dicts,
    timeline,
)
from tests.integration.projection_support import (
    AGENT,
    ARBITRATOR,
    FINANCE,
    PLATFORM,
    START,
    World,
    consumer,
    merchant,
)

PHOTO = Evidence("a" * 64, "scratch.jpg", "image/jpeg", 2048)


@pytest.fixture
def world(store_url: str, tmp_path: Path) -> Iterator[World]:
    w = World(store_url, tmp_path)
    yield w
    w.close()


def steps(world: World, case_no: str, *, internal: bool = True) -> list[TimelineStep]:
    world.catch_up()
    return timeline(world.db, case_no, include_internal=internal)


def refunded_return(world: World) -> str:
    """R1 no-reason return, shipped back, received, inspected, refunded (R3.a split), rated."""
    case_no = world.open(evidence=[PHOTO])
    world.clock.advance(hours=1)
    world.app.accept(request_id=world.rid(), actor=merchant(), case_no=case_no)
    world.clock.advance(hours=5)
    world.app.ship_return(
        request_id=world.rid(),
        actor=consumer(),
        case_no=case_no,
        carrier="SF",
        tracking_no="SF123",
        fee_fen=1200,
    )
    world.clock.advance(days=1)
    world.app.record_return_delivered(request_id=world.rid(), actor=PLATFORM, case_no=case_no)
    world.clock.advance(hours=2)
    world.app.confirm_receipt(request_id=world.rid(), actor=merchant(), case_no=case_no)
    world.app.inspect(
        request_id=world.rid(),
        actor=merchant(),
        case_no=case_no,
        responsibility="no_fault",
        findings="完好",
    )
    world.clock.advance(hours=1)
    world.app.approve_refund(request_id=world.rid(), actor=AGENT, case_no=case_no)
    world.clock.advance(days=2)
    world.app.record_refund_paid(
        request_id=world.rid(), actor=FINANCE, case_no=case_no, psp_reference="PSP-1"
    )
    world.app.rate(request_id=world.rid(), actor=consumer(), case_no=case_no, score=5)
    return case_no


# -- mapping -------------------------------------------------------------------------------


def test_every_case_event_has_a_step_code_and_a_label() -> None:
    events = {
        name
        for name, value in vars(Case).items()
        if isinstance(value, type) and issubclass(value, Aggregate.Event) and name[0].isupper()
    }
    events -= {"Event", "Created"}
    assert events <= set(STEP_BY_EVENT), sorted(events - set(STEP_BY_EVENT))
    assert set(STEP_BY_EVENT.values()) <= set(STEP_LABELS)
    assert len(case_event_topics()) >= len(STEP_BY_EVENT)


def test_a_clock_listed_twice_is_one_deadline_the_later_one() -> None:
    first = Deadline.of(Clock.REFUND_APPROVAL, START)
    second = Deadline.of(Clock.REFUND_APPROVAL, START + timedelta(days=7))
    [only] = deadline_dicts([first, second])
    assert (only["name"], only["due_at"], only["party"]) == (
        "refund_approval",
        "2026-09-28T02:00:00.000000Z",
        "platform_agent",
    )


# -- one row per step ----------------------------------------------------------------------


def test_refunded_return_has_one_row_per_step_with_actor_rule_and_details(world: World) -> None:
    case_no = refunded_return(world)
    rows = steps(world, case_no)

    assert [(s.version, s.step, s.rule, s.actor_role, s.actor_id) for s in rows] == [
        (1, "opened", "R1", "consumer", "c1"),
        (2, "routed", "R20", "system", "triage"),  # R20: triaged as it opened
        (3, "accepted", "R12", "merchant", "staff1"),
        (4, "return_shipped", "R13", "consumer", "c1"),
        (5, "return_delivered", "R3", "system", "platform"),
        (6, "receipt_confirmed", "R3", "merchant", "staff1"),
        (7, "inspected", "R14", "merchant", "staff1"),
        (8, "refund_approved", "R3", "platform_agent", "agent1"),  # the declaration's rule
        (9, "refund_paid", "R3", "finance", "fin1"),
        (10, "closed", "R3", "finance", "fin1"),
        (11, "rated", "R18", "consumer", "c1"),
    ]
    events = world.events(case_no)
    # Issue 7: each row says what its event says (status it led to, rule it applied).
    assert [(s.rule, s.status) for s in rows] == [(e.rule, e.status or "") for e in events]
    assert [s.status for s in rows][-3:] == ["refund_approved", "closed", "closed"]
    (
        opened,
        _routed,
        accepted,
        shipped,
        _delivered,
        _confirmed,
        inspected,
        approved,
        paid,
        closed,
        rated,
    ) = rows
    assert opened.at == START
    assert opened.reason == "不想要了"
    assert opened.evidence == [
        {"sha256": "a" * 64, "name": "scratch.jpg", "media_type": "image/jpeg", "size": 2048}
    ]
    assert opened.details["kind"] == "return_refund"
    assert opened.details["reason_code"] == "no_reason"
    assert opened.details["lines"][0]["paid_fen"] == 10000
    assert accepted.actor_merchant_id == "m1"
    assert shipped.details == {
        "carrier": "SF",
        "tracking_no": "SF123",
        "fee_fen": 1200,
        "expected_delivery_at": None,  # the carrier's estimate, when given (R25, issue 7)
    }
    assert inspected.details["responsibility"] == "no_fault"
    assert approved.details["total_fen"] == 10000
    assert approved.details["split"] == [
        {"kind": "card", "amount_fen": 9000, "in_kind": False},
        {"kind": "points", "amount_fen": 1000, "in_kind": True},
    ]
    assert paid.details == {  # issue 8: without a tender, every open payment at once (R3.a)
        "amount_fen": 10000,
        "psp_reference": "PSP-1",
        "tender": None,
        "paid_to": None,
        "settles_refund": True,
        "refund_total_fen": 10000,
    }
    assert closed.details == {"outcome": "refunded"}
    assert closed.reason == ""  # not the outcome code again: the label already tells it
    assert rated.details == {"score": 5}
    assert [s.step for s in rows if s.internal] == ["routed"]  # R20 triage is internal (P4)


def test_each_step_names_the_next_deadline_and_whether_the_last_was_met(world: World) -> None:
    case_no = refunded_return(world)
    rows = {s.step: s for s in steps(world, case_no)}

    opened = rows["opened"]
    assert (opened.next_clock, opened.next_rule, opened.next_party) == (
        "merchant_decision",
        "R12",
        "merchant",
    )
    assert opened.next_due_at == START.replace(hour=4)  # R12: 2 hours
    assert {d["name"] for d in opened.deadlines} == {"merchant_decision", "first_response"}
    assert opened.deadline_met is None and opened.deadlines_closed == []

    accepted = rows["accepted"]  # one hour after opening: both merchant clocks met
    assert [(c.name, c.outcome, c.met) for c in accepted.deadlines_closed] == [
        ("merchant_decision", "met", True),
        ("first_response", "met", True),
    ]
    assert accepted.deadline_met is True
    assert accepted.next_clock == "consumer_ship" and accepted.next_party == "consumer"

    # R13/R25 (issue 7): the parcel travels on the carrier's clock.
    assert rows["return_shipped"].next_clock == "return_delivery"
    assert rows["return_delivered"].next_clock == "confirm_receipt"
    assert rows["receipt_confirmed"].deadline_met is True
    assert rows["receipt_confirmed"].next_clock == "inspection"  # R14 (issue 7)
    assert rows["refund_approved"].next_clock == "refund_payment"
    assert rows["refund_approved"].next_party == "finance"
    assert rows["refund_paid"].deadline_met is True
    assert rows["closed"].next_clock == "post_close"  # R9/R10 reading: complain or escalate


def test_a_late_step_is_recorded_as_not_met(world: World) -> None:
    case_no = world.open("return_refund", "quality_defect")
    world.clock.advance(hours=3)  # R12 deadline was at +2h; no timer ran
    world.app.accept(request_id=world.rid(), actor=merchant(), case_no=case_no)

    accepted = steps(world, case_no)[-1]
    assert [(c.name, c.outcome, c.met) for c in accepted.deadlines_closed] == [
        ("merchant_decision", "late", False),
        ("first_response", "met", True),
    ]
    assert accepted.deadline_met is False


def test_the_chain_links_every_step_to_the_one_before(world: World) -> None:
    case_no = refunded_return(world)
    rows = steps(world, case_no)
    assert rows[0].prev_hash == GENESIS
    for before, after in itertools.pairwise(rows):
        assert after.prev_hash == before.event_hash
    events = world.events(case_no)
    assert [s.event_hash for s in rows] == [e.event_hash for e in events]


# -- breaches, routing and notes: what the consumer sees (P1, P4) -------------------------


def test_breach_is_shown_to_the_consumer_and_routing_and_internal_notes_are_not(
    world: World,
) -> None:
    case_no = world.open("complaint", "service", description="客服态度差")
    world.clock.advance(hours=1)
    world.app.add_note(
        request_id=world.rid(), actor=AGENT, case_no=case_no, text="VIP", internal=True
    )
    world.app.add_note(
        request_id=world.rid(), actor=consumer(), case_no=case_no, text="请尽快", internal=False
    )
    world.clock.advance(hours=23)  # R9.a 24 hours
    world.app.expire(case_no=case_no, clock="platform_response")

    everything = steps(world, case_no)
    assert [(s.step, s.rule, s.internal) for s in everything] == [
        ("opened", "R9", False),
        ("routed", "R20", True),  # R20: triaged as it opened, internal (P4)
        ("note_added", "R21", True),
        ("note_added", "R21", False),
        ("sla_breached", "R9.a", False),
        ("routed", "R9.a", True),  # the escalation the breached R9.a clock leads to
    ]
    breach = everything[4]
    assert breach.actor_role == "system" and breach.actor_id == "timer"
    assert breach.details == {
        "clock": "platform_response",
        "due_at": "2026-09-22T02:00:00.000000Z",
        "party": "platform_agent",
    }
    assert [(c.name, c.outcome, c.met) for c in breach.deadlines_closed] == [
        ("platform_response", "missed", False)
    ]
    assert breach.deadline_met is False
    assert breach.next_clock == "platform_opinion"  # the breached one is no longer "next"
    assert everything[5].details["queue"] == "platform_supervisor"

    seen_by_consumer = [s.step for s in timeline(world.db, case_no)]
    assert seen_by_consumer == ["opened", "note_added", "sla_breached"]

    summary = case_summary(world.db, case_no)
    assert summary is not None
    assert summary.breaches == 1 and summary.complaint_open is True


def test_system_acceptance_after_the_r12_deadline_cites_r12a(world: World) -> None:
    case_no = world.open()
    world.clock.advance(hours=2)
    world.app.expire(case_no=case_no, clock="merchant_decision")

    rows = steps(world, case_no)
    assert [(s.step, s.rule, s.actor_role) for s in rows] == [
        ("opened", "R1", "consumer"),
        ("routed", "R20", "system"),  # R20: triaged as it opened
        ("sla_breached", "R12", "system"),
        ("accepted", "R12.a", "system"),
    ]
    # The merchant never answered: its first-response clock ends without being met.
    assert [(c.name, c.outcome, c.met) for c in rows[3].deadlines_closed] == [
        ("first_response", "cancelled", None)
    ]


# -- arbitration (R10) ---------------------------------------------------------------------


def test_arbitration_steps_carry_the_ruling(world: World) -> None:
    case_no = world.open("return_refund", "quality_defect")
    world.clock.advance(hours=1)
    world.app.reject(request_id=world.rid(), actor=merchant(), case_no=case_no, reason="人为损坏")
    world.clock.advance(hours=1)
    world.app.escalate(request_id=world.rid(), actor=consumer(), case_no=case_no, reason="协商失败")
    world.app.submit_evidence(
        request_id=world.rid(),
        actor=consumer(),
        case_no=case_no,
        evidence=[PHOTO],
        reason="开箱照片",
    )
    world.clock.advance(days=1)
    world.app.rule(
        request_id=world.rid(),
        actor=ARBITRATOR,
        case_no=case_no,
        ruling=Ruling(RulingOutcome.REFUND, refund_fen=8000),
        reasoning="商品缺陷",
    )
    world.app.approve_refund(request_id=world.rid(), actor=AGENT, case_no=case_no)

    rows = steps(world, case_no)
    assert [(s.step, s.rule) for s in rows] == [
        ("opened", "R1.c"),
        ("routed", "R20"),  # R20: triaged as it opened
        ("rejected", "R12"),
        ("escalated", "R10"),
        ("evidence_submitted", "R10"),
        ("ruled", "R10"),
        ("refund_approved", "R10"),  # carrying out the ruling (the event's rule)
    ]
    assert rows[2].reason == "人为损坏"
    assert rows[4].evidence[0]["sha256"] == "a" * 64 and rows[4].details == {"count": 1}
    assert rows[5].details == {
        "outcome": "refund",
        "refund_fen": 8000,
        "compensation_fen": 0,
        "return_required": False,
    }
    assert rows[5].actor_role == "arbitrator"
    assert rows[6].details["total_fen"] == 8000

    summary = case_summary(world.db, case_no)
    assert summary is not None
    assert (summary.status, summary.ruling_outcome, summary.refund_total_fen) == (
        "refund_approved",
        "refund",
        8000,
    )


# -- the summary ---------------------------------------------------------------------------


def test_summary_follows_the_case(world: World) -> None:
    case_no = world.open()
    world.catch_up()
    summary = case_summary(world.db, case_no)
    assert summary is not None
    assert (summary.status, summary.kind, summary.consumer_id, summary.merchant_id) == (
        "requested",
        "return_refund",
        "c1",
        "m1",
    )
    assert summary.next_clock == "merchant_decision"
    assert summary.opened_at == START and summary.last_version == 2  # opened, triaged (R20)

    world.clock.advance(hours=1)
    world.app.withdraw(request_id=world.rid(), actor=consumer(), case_no=case_no)
    world.catch_up()
    summary = case_summary(world.db, case_no)
    assert summary is not None
    assert (summary.status, summary.outcome, summary.next_clock) == ("withdrawn", "withdrawn", None)
    assert summary.closed_at == world.clock.now
    assert case_summary(world.db, "NO-SUCH-CASE") is None


def test_summary_of_refunded_return(world: World) -> None:
    case_no = refunded_return(world)
    world.catch_up()
    summary = case_summary(world.db, case_no)
    assert summary is not None
    assert summary.status == "closed" and summary.outcome == "refunded"
    assert summary.refund_total_fen == 10000 and summary.refund_paid_fen == 10000
    assert summary.rating == 5 and summary.responsibility == "no_fault"
    assert summary.last_version == 11 and summary.policy_version == 1
    assert summary.last_event_hash == world.events(case_no)[-1].event_hash


def test_summary_holds_the_moves_each_role_may_make_as_the_domain_says(world: World) -> None:
    """Issue 7: the moves allowed per role come from the last event (``allowed``), so a list
    shows what the domain would accept; they are never re-derived from the status."""
    case_no = world.open()
    for step in range(3):
        world.catch_up()
        summary = case_summary(world.db, case_no)
        assert summary is not None
        case = world.case(case_no)
        assert summary.allowed == world.events(case_no)[-1].allowed
        for role in Role:
            expected = tuple(m.value for m in case.allowed_moves(case.role_actor(role)))
            assert summary.moves_for(role.value) == expected, (step, role)
        if step == 0:
            assert "accept" in (summary.moves_for("merchant") or ())
            assert "accept" not in (summary.moves_for("consumer") or ())
            world.clock.advance(hours=1)
            world.app.accept(request_id=world.rid(), actor=merchant(), case_no=case_no)
        elif step == 1:
            assert "ship_return" in (summary.moves_for("consumer") or ())
            world.app.withdraw(request_id=world.rid(), actor=consumer(), case_no=case_no)
    assert "accept" not in (summary.moves_for("merchant") or ("accept",))  # withdrawn


def test_an_exchange_waits_for_the_consumer_and_ends_on_their_word(world: World) -> None:
    """Issue 7 (R8, R7/R8 reading): the replacement's dispatch does not close the case; it waits in
    the consumer's queue for their confirmation, and the outcome is stated only at the end."""
    case_no = world.open("exchange", "no_reason")
    world.clock.advance(hours=1)
    world.app.accept(request_id=world.rid(), actor=merchant(), case_no=case_no)
    world.app.ship_return(
        request_id=world.rid(), actor=consumer(), case_no=case_no, carrier="SF", tracking_no="1"
    )
    world.clock.advance(days=1)
    world.app.record_return_delivered(request_id=world.rid(), actor=PLATFORM, case_no=case_no)
    world.app.confirm_receipt(request_id=world.rid(), actor=merchant(), case_no=case_no)
    world.app.inspect(
        request_id=world.rid(),
        actor=merchant(),
        case_no=case_no,
        responsibility="no_fault",
        findings="ok",
    )
    world.app.ship_exchange(
        request_id=world.rid(), actor=merchant(), case_no=case_no, carrier="SF", tracking_no="X9"
    )
    world.catch_up()
    summary = case_summary(world.db, case_no)
    assert summary is not None
    assert (summary.status, summary.outcome, summary.closed_at) == ("goods_returning", "", None)
    assert summary.next_clock == "consumer_confirm" and summary.next_party == "consumer"
    assert "confirm_goods_received" in (summary.moves_for("consumer") or ())
    with world.db.connect() as conn:
        [item] = conn.execute(
            "SELECT queue, clock, party FROM queue_items WHERE case_no = ?", (case_no,)
        ).fetchall()
    assert dict(item) == {"queue": "consumer:c1", "clock": "consumer_confirm", "party": "consumer"}

    world.clock.advance(days=2)
    world.app.confirm_goods_received(request_id=world.rid(), actor=consumer(), case_no=case_no)
    rows = steps(world, case_no)
    assert [(s.step, s.status) for s in rows[-3:]] == [
        ("exchange_shipped", "goods_returning"),
        ("goods_received", "goods_returning"),
        ("closed", "closed"),
    ]
    assert rows[-3].details["tracking_no"] == "X9"
    summary = case_summary(world.db, case_no)
    assert summary is not None
    assert (summary.status, summary.outcome, summary.closed_at) == (
        "closed",
        "exchanged",
        world.clock.now,
    )


class ParcelWeighed(CaseEvent):
    """An event class the projections have never heard of (issue 7: a new move is a step
    without code changes in projections/)."""

    shipment: Shipment
    weight_g: int
    weighed_at: datetime
    responsibility: Responsibility


def test_a_new_kind_of_event_is_a_step_from_its_own_fields(world: World) -> None:
    case_no = world.open()
    world.catch_up()
    last = world.events(case_no)[-1]
    due = Deadline.of(Clock.MERCHANT_DECISION, START + timedelta(hours=5))
    event = object.__new__(ParcelWeighed)
    vars(event).update(
        originator_id=last.originator_id,
        originator_version=last.originator_version + 1,
        timestamp=START,
        actor=merchant(),
        at=START + timedelta(hours=1),
        reason="称重",
        deadlines=(due,),
        status="received",
        rule="R25",
        allowed={"merchant": ["inspect"], "consumer": []},
        event_hash="h2",
        prev_hash=last.event_hash,
        shipment=Shipment("SF", "SF9", 800),
        weight_g=1250,
        weighed_at=START,
        responsibility=Responsibility.NO_FAULT,
    )
    with world.db.transaction() as tx:
        TimelineProjection().process(tx, event, 10_000)

    step = steps(world, case_no)[-1]
    assert (step.step, step.event_name, step.rule, step.status, step.reason) == (
        "parcel_weighed",
        "ParcelWeighed",
        "R25",
        "received",
        "称重",
    )
    assert step.details == {
        "carrier": "SF",
        "tracking_no": "SF9",
        "fee_fen": 800,
        "weight_g": 1250,
        "weighed_at": "2026-09-21T02:00:00.000000Z",
        "responsibility": "no_fault",
    }
    summary = case_summary(world.db, case_no)
    assert summary is not None
    assert (summary.status, summary.responsibility, summary.next_clock) == (
        "received",
        "no_fault",
        "merchant_decision",
    )
    assert summary.moves_for("merchant") == ("inspect",) and summary.moves_for("finance") == ()


# -- rebuild -------------------------------------------------------------------------------


def test_rebuild_from_scratch_gives_identical_tables(world: World) -> None:
    refunded_return(world)
    complaint = world.open("complaint", "service", description="发货太慢")
    world.clock.advance(days=1)
    world.app.expire(case_no=complaint, clock="platform_response")
    world.app.add_note(
        request_id=world.rid(), actor=AGENT, case_no=complaint, text="跟进", internal=True
    )
    world.catch_up()
    before = (
        table_digest(world.db, "timeline_steps", ["case_no", "version"]),
        table_digest(world.db, "case_summary", "case_no"),
    )

    world.runner.rebuild(names=[TIMELINE_PROJECTION])

    after = (
        table_digest(world.db, "timeline_steps", ["case_no", "version"]),
        table_digest(world.db, "case_summary", "case_no"),
    )
    assert after == before
