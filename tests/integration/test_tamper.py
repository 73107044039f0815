"""Tamper evidence on both stores: change one byte of one stored event's state in the database and
``verify`` names that event's version as the first break; an unreadable state is reported too; an
untouched store verifies clean. Tables: SQLite ``stored_events``; PostgreSQL
``<schema>.aftersales_events`` (eventsourcing names it after the application)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from uuid import UUID

import psycopg
import pytest
from psycopg import sql

from domain.case import Case
from domain.service import AfterSales, event_store_env
from tests.integration.conftest import MakeApp
from tests.unit.builders import (
    AGENT,
    CONSUMER,
    FINANCE,
    MERCHANT,
    SYSTEM,
    FakeClock,
    Shop,
)

Edit = Callable[[bytes], bytes]


def read_state(url: str, originator_id: UUID, version: int) -> bytes:
    return _with_row(url, originator_id, version, None)


def rewrite_state(url: str, originator_id: UUID, version: int, edit: Edit) -> None:
    _with_row(url, originator_id, version, edit)


def _with_row(url: str, originator_id: UUID, version: int, edit: Edit | None) -> bytes:
    env = event_store_env(url)
    if env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite":
        conn = sqlite3.connect(env["SQLITE_DBNAME"])
        try:
            where = "WHERE originator_id = ? AND originator_version = ?"
            key = (originator_id.hex, version)
            (state,) = conn.execute(f"SELECT state FROM stored_events {where}", key).fetchone()
            if edit is not None:
                cur = conn.execute(
                    f"UPDATE stored_events SET state = ? {where}", (edit(state), *key)
                )
                assert cur.rowcount == 1
                conn.commit()
            return bytes(state)
        finally:
            conn.close()
    table = sql.Identifier(env["POSTGRES_SCHEMA"], AfterSales.name.lower() + "_events")
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(
            sql.SQL(
                "SELECT state FROM {} WHERE originator_id = %s AND originator_version = %s"
            ).format(table),
            (originator_id, version),
        ).fetchone()
        assert row is not None
        state = bytes(row[0])
        if edit is not None:
            cur = conn.execute(
                sql.SQL(
                    "UPDATE {} SET state = %s WHERE originator_id = %s AND originator_version = %s"
                ).format(table),
                (edit(state), originator_id, version),
            )
            assert cur.rowcount == 1
        return state


def refunded_case(shop: Shop) -> Case:
    case_no = shop.open()
    steps = [
        ("accept", MERCHANT, {}),
        ("ship_return", CONSUMER, {"carrier": "SF", "tracking_no": "SF1234"}),
        ("record_return_delivered", SYSTEM, {}),
        ("confirm_receipt", MERCHANT, {}),
        ("inspect", MERCHANT, {"responsibility": "no_fault", "findings": "as new"}),
        ("approve_refund", AGENT, {}),
        ("record_refund_paid", FINANCE, {"psp_reference": "PSP-777"}),
    ]
    for command, actor, kwargs in steps:
        shop.clock.advance(minutes=7)
        shop.do(command, case_no, actor, **kwargs)
    return shop.app.get_case(case_no)


def version_of(app: AfterSales, case: Case, event_name: str) -> int:
    (version,) = [
        e.originator_version for e in app.events.get(case.id) if type(e).__name__ == event_name
    ]
    return version


def one_byte(old: bytes, new: bytes) -> Edit:
    """Replace the first ``old`` in the state by ``new``: exactly one byte differs."""

    def edit(state: bytes) -> bytes:
        i = state.index(old)
        changed = state[:i] + new + state[i + len(old) :]
        assert sum(a != b for a, b in zip(state, changed, strict=True)) == 1
        return changed

    return edit


def test_an_untampered_store_verifies_clean(shop: Shop, event_store_url: str) -> None:
    case = refunded_case(shop)
    shop.clock.advance(minutes=1)
    other = shop.app.get_case(shop.open("repair", "quality_defect", description="dead"))
    reports = {r.originator_id: r for r in shop.app.verify()}
    assert set(reports) == {case.id, other.id}
    assert all(r.ok for r in reports.values())
    assert reports[case.id].events_checked == case.version == 10  # with R20 triage
    assert reports[case.id].head == case.chain_head


@pytest.mark.parametrize(
    ("event_name", "old", "new"),
    [
        ("ReturnShipped", b"SF1234", b"SF1235"),  # the tracking number
        ("Inspected", b"as new", b"as neW"),  # the findings
        ("RefundApproved", b"10000", b"90000"),  # the amount
        ("Accepted", b'"m1-staff"', b'"m1-stafg"'),  # who acted
    ],
    ids=["tracking", "findings", "amount", "actor"],
)
def test_one_changed_byte_is_reported_at_its_event(
    shop: Shop, event_store_url: str, event_name: str, old: bytes, new: bytes
) -> None:
    case = refunded_case(shop)
    version = version_of(shop.app, case, event_name)
    assert old in read_state(event_store_url, case.id, version)
    rewrite_state(event_store_url, case.id, version, one_byte(old, new))

    (report,) = shop.app.verify(case.case_no)
    assert report.first_break is not None
    assert report.first_break.version == version
    assert report.first_break.topic.endswith(f"Case.{event_name}")
    assert "altered" in report.first_break.problem
    assert report.events_checked == version
    # The other cases of the store are untouched and still verify.
    shop.clock.advance(minutes=1)
    fresh = shop.app.get_case(shop.open("repair", "quality_defect", description="dead"))
    by_id = {r.originator_id: r for r in shop.app.verify()}
    assert by_id[fresh.id].ok and not by_id[case.id].ok


def test_a_changed_event_hash_is_reported_at_its_event(shop: Shop, event_store_url: str) -> None:
    case = refunded_case(shop)
    version = version_of(shop.app, case, "ReceiptConfirmed")
    state = read_state(event_store_url, case.id, version)
    marker = b'"event_hash":"'
    i = state.index(marker) + len(marker)
    flipped = b"0" if state[i : i + 1] != b"0" else b"1"
    rewrite_state(event_store_url, case.id, version, lambda s: s[:i] + flipped + s[i + 1 :])
    (report,) = shop.app.verify(case.case_no)
    assert report.first_break is not None and report.first_break.version == version


@pytest.mark.parametrize(
    "damage",
    [lambda s: s[: len(s) // 2], lambda s: b"\xff" + s[1:], lambda s: b"[]"],
    ids=["truncated", "not-utf8", "not-an-object"],
)
def test_an_undecodable_state_is_reported_at_its_event(
    shop: Shop, event_store_url: str, damage: Edit
) -> None:
    case = refunded_case(shop)
    version = version_of(shop.app, case, "Inspected")
    rewrite_state(event_store_url, case.id, version, damage)
    (report,) = shop.app.verify(case.case_no)
    assert report.first_break is not None
    assert report.first_break.version == version
    assert "cannot be read" in report.first_break.problem
    assert report.events_checked == version - 1


def test_a_second_application_sees_the_same_break(
    shop: Shop, make_app: MakeApp, event_store_url: str
) -> None:
    case = refunded_case(shop)
    version = version_of(shop.app, case, "Opened")
    rewrite_state(event_store_url, case.id, version, one_byte(b'"c1"', b'"c9"'))
    (report,) = make_app(FakeClock()).verify(case.case_no)
    assert report.first_break is not None and report.first_break.version == 1
