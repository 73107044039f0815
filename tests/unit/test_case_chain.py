"""The per-case hash chain (R21 tamper evidence): each event's hash covers its content and its
predecessor's hash; verification names the first event that does not match."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from eventsourcing.utils import get_topic

from domain.case import Case
from domain.chain import GENESIS, ChainBreak, StoredShape, verify_chain
from domain.values import Actor, Role

from .builders import OPENED, REFUND_APPROVED, STEP, open_case, refund_paid


def history() -> tuple[Case, list[Any]]:
    """A return walked to its end, with every event it recorded (Opened first), in order."""
    case = open_case()
    at = OPENED
    for move in (*REFUND_APPROVED, refund_paid()):
        at += STEP
        move(case, at)
    return case, list(case.collect_events())


def shapes(events: Sequence[Any]) -> list[StoredShape | ChainBreak]:
    return [StoredShape(e.originator_version, get_topic(type(e)), dict(vars(e))) for e in events]


def test_every_event_links_to_its_predecessor() -> None:
    case, events = history()
    assert events[0].prev_hash == GENESIS and type(events[0]).__name__ == "Opened"
    assert [e.prev_hash for e in events[1:]] == [e.event_hash for e in events[:-1]]
    assert case.chain_head == events[-1].event_hash


def test_an_untouched_chain_verifies() -> None:
    case, events = history()
    report = verify_chain(case.id, shapes(events))
    assert report.ok and report.events_checked == len(events) == 9
    assert report.head == events[-1].event_hash


def test_one_changed_field_is_found_at_its_event() -> None:
    case, events = history()
    bad = shapes(events)
    target = bad[4]
    assert isinstance(target, StoredShape)
    attrs = dict(target.attributes)
    attrs["actor"] = Actor(Role.MERCHANT, "someone-else", merchant_id="m1")
    bad[4] = dataclasses.replace(target, attributes=attrs)
    report = verify_chain(case.id, bad)
    assert report.first_break is not None
    assert report.first_break.version == target.version
    assert "altered" in report.first_break.problem
    assert report.events_checked == 5


def test_a_changed_time_is_found() -> None:
    case, events = history()
    bad = shapes(events)
    target = bad[2]
    assert isinstance(target, StoredShape)
    attrs = dict(target.attributes)
    attrs["at"] = attrs["at"].replace(microsecond=1)
    bad[2] = dataclasses.replace(target, attributes=attrs)
    report = verify_chain(case.id, bad)
    assert report.first_break is not None and report.first_break.version == target.version


def test_a_removed_event_is_found_as_a_gap() -> None:
    case, events = history()
    chain = shapes(events)
    del chain[3]
    report = verify_chain(case.id, chain)
    assert report.first_break is not None
    assert report.first_break.version == 5 and "gap" in report.first_break.problem


def test_a_rewritten_event_with_a_fresh_hash_breaks_the_next_link() -> None:
    from domain.chain import event_digest

    case, events = history()
    chain = shapes(events)
    target = chain[2]
    assert isinstance(target, StoredShape)
    attrs = dict(target.attributes)
    attrs["reason"] = "rewritten"
    attrs["event_hash"] = event_digest(
        topic=target.topic,
        originator_id=case.id,
        version=target.version,
        timestamp=attrs["timestamp"],
        prev_hash=attrs["prev_hash"],
        payload=attrs,
    )
    chain[2] = dataclasses.replace(target, attributes=attrs)
    report = verify_chain(case.id, chain)
    assert report.first_break is not None
    assert report.first_break.version == target.version + 1
    assert "prev_hash" in report.first_break.problem


def test_an_unreadable_event_is_reported_where_it_is() -> None:
    case, events = history()
    chain = shapes(events)
    chain[5] = ChainBreak(6, "x", "stored bytes cannot be read (JSONDecodeError)")
    report = verify_chain(case.id, chain)
    assert report.first_break == chain[5] and report.events_checked == 5
