"""Issue 7: events stored before the process declaration (version 1, written by the old code:
the demo's 281 events in tests/fixtures/store_before_process_v1.sqlite) still load, replay, upcast
to version 2 and verify. The hash chain is checked over the stored bytes, not the upcast events."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from domain.case import Case
from domain.case_values import Status
from domain.process import MOVES, Move
from domain.service import AfterSales
from domain.values import Role
from tests.unit.builders import FakeClock

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "store_before_process_v1.sqlite"

# What the old code's own status field (or the one state its kind led to) says, per event name.
_FIXED = {
    "Rejected": "rejected",
    "ReturnShipped": "return_in_transit",
    "ReturnDelivered": "return_delivered",
    "ReceiptConfirmed": "received",
    "RefundApproved": "refund_approved",
    "Closed": "closed",
    "Withdrawn": "withdrawn",
    "EscalatedToArbitration": "in_arbitration",
    "Ruled": "ruled",
}
_UNCHANGED = {"SlaBreached", "NoteAdded", "EvidenceSubmitted", "Rated", "RefundPaid"}


@pytest.fixture
def app(tmp_path: Path) -> AfterSales:
    copy = tmp_path / "v1.sqlite"
    shutil.copyfile(FIXTURE, copy)
    return AfterSales.from_url(f"sqlite:///{copy}", clock=FakeClock())


def test_the_fixture_holds_only_version_1_case_events() -> None:
    with sqlite3.connect(FIXTURE) as db:
        rows = db.execute(
            "SELECT state FROM stored_events WHERE topic LIKE 'domain.case:Case.%'"
        ).fetchall()
    assert len(rows) == 99
    assert not any(b'"class_version"' in bytes(state) for (state,) in rows)


def test_every_stored_case_verifies_over_its_stored_bytes(app: AfterSales) -> None:
    reports = app.verify()
    assert len(reports) == 15
    assert all(r.ok for r in reports), [r for r in reports if not r.ok]
    assert sum(r.events_checked for r in reports) == 99


def test_every_stored_case_loads_and_its_events_are_upcast(app: AfterSales) -> None:
    for case_id in app.case_ids():
        case = app.repository.get(case_id)
        assert isinstance(case, Case)
        assert isinstance(case.status, Status)
        for event in app.repository.event_store.get(case_id):
            name = type(event).__name__
            # issue 8: RefundApproved is at version 3 (entitlement and deductions, R3.a);
            # RefundPaid and RefundFailed are at version 3 (per tender)
            v3 = ("RefundApproved", "RefundPaid", "RefundFailed")
            assert event.class_version == (3 if name in v3 else 2)
            if name == "RefundApproved":
                assert event.entitlement.total_fen == event.plan.cap_fen
                assert event.plan.total_fen == event.plan.cap_fen - sum(
                    d.amount_fen for d in event.deductions
                )
            if name == "RefundPaid":  # v2 paid every open tender at once and settled the refund
                assert (event.tender, event.settles_refund) == (None, True)
                assert event.refund_total_fen == event.amount_fen > 0
            assert event.allowed is None, "unknown for a version 1 event"
            assert event.rule, name
            if name in _FIXED:
                assert event.status == _FIXED[name], name
            if name in _UNCHANGED:
                assert event.status is None, name
            if name == "Opened":
                assert event.status in ("requested", "complaint_open")


def test_a_stored_case_takes_new_version_2_events_and_still_verifies(app: AfterSales) -> None:
    open_cases = [
        app.repository.get(case_id)
        for case_id in app.case_ids()
        if not app.repository.get(case_id).status.is_terminal
    ]
    assert open_cases, "the fixture has open cases"
    case = open_cases[0]
    app.clock.now = case.updated_at  # type: ignore[attr-defined]
    app.clock.advance(minutes=1)  # type: ignore[attr-defined]
    staff = case.role_actor(Role.PLATFORM_AGENT)
    assert Move.ADD_NOTE in case.allowed_moves(staff)
    app.add_note(request_id="v1-note", actor=staff, case_no=case.case_no, text="after the upgrade")
    after = app.get_case(case.case_no)
    last = list(app.repository.event_store.get(after.id))[-1]
    assert (type(last).__name__, last.class_version) == ("NoteAdded", 2)
    assert last.status == after.status and last.rule == MOVES[Move.ADD_NOTE].rule
    assert last.allowed is not None and "add_note" in last.allowed["platform_agent"]
    (report,) = app.verify(after.case_no)
    assert report.ok and report.events_checked == after.version
