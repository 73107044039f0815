"""Issue 7: the events stored before the process declaration (tests/fixtures/
store_before_process_v1.sqlite, written by the old code) project without errors on SQLite and
PostgreSQL read models, and every case ends in the status the old read side gave it (computed once
with the code of commit 1a7c7cb, whose timeline mirrored the transitions in ``_STATUS_AFTER``).

The projections now copy each upcast event's ``status`` (None: unchanged) and ``rule``; version 1
events say nothing of the moves allowed (``allowed`` None), so a summary holds NULL there and the
web asks the domain."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.service import AfterSales
from projections.db import Database
from projections.migrate import migrate
from projections.queues import queue_page
from projections.registry import make_runner
from projections.tablehash import table_digest
from projections.timeline import case_summaries, case_summary, timeline
from tests.unit.builders import FakeClock

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "store_before_process_v1.sqlite"

# Each case's status as the old code (1a7c7cb) projected it from these events.
OLD_STATUS = {
    "DEMO-C-0001": "closed",
    "DEMO-C-0002": "closed",
    "DEMO-C-0003": "closed",
    "DEMO-C-0004": "closed",
    "DEMO-C-0005": "closed",
    "DEMO-C-0006": "closed",
    "DEMO-C-0007": "closed",
    "DEMO-C-0008": "closed",
    "DEMO-C-0009": "withdrawn",
    "DEMO-C-0010": "return_delivered",
    "DEMO-C-0011": "requested",
    "DEMO-C-0012": "in_arbitration",
    "DEMO-C-0013": "complaint_answered",
    "DEMO-C-0014": "refund_approved",
    "DEMO-C-0015": "awaiting_refund",
}

# The old code's open queue items: (case, clock, queue, awaiting).
OLD_QUEUE_ITEMS = {
    ("DEMO-C-0010", "confirm_receipt", "merchant:m1001", "confirm_receipt"),
    ("DEMO-C-0011", "merchant_decision", "merchant:m1002", "decide"),
    ("DEMO-C-0012", "", "arbitration", "rule"),
    ("DEMO-C-0013", "platform_opinion", "platform", "give_opinion"),
    ("DEMO-C-0014", "refund_payment", "finance", "pay_refund"),
    ("DEMO-C-0015", "refund_approval", "platform", "approve_refund"),
}


@pytest.fixture
def projected(store_url: str, tmp_path: Path) -> Iterator[tuple[AfterSales, Database]]:
    copy = tmp_path / "store_v1.sqlite"
    shutil.copyfile(FIXTURE, copy)
    app = AfterSales.from_url(f"sqlite:///{copy}", clock=FakeClock())
    db = Database.from_url(store_url)
    migrate(db)
    try:
        yield app, db
    finally:
        app.close()
        db.close()


def test_the_old_store_projects_without_errors_to_the_old_statuses(
    projected: tuple[AfterSales, Database],
) -> None:
    app, db = projected
    runner = make_runner(app, db)
    assert runner.catch_up() > 0
    status = runner.status()
    assert all(s.lag_events == 0 and s.parked == 0 for s in status), status

    summaries = case_summaries(db, limit=100)
    assert {s.case_no: s.status for s in summaries} == OLD_STATUS
    assert all(s.allowed is None for s in summaries), "version 1 events do not say"
    assert all(s.moves_for("consumer") is None for s in summaries)
    for case_no in OLD_STATUS:
        steps = timeline(db, case_no, include_internal=True)
        assert steps and all(step.rule for step in steps), case_no
        assert steps[-1].status == OLD_STATUS[case_no]
        assert all(step.status for step in steps), "every step names the status it left"
    with db.connect() as conn:
        items = {
            (r["case_no"], r["clock"], r["queue"], r["awaiting"])
            for r in conn.execute("SELECT case_no, clock, queue, awaiting FROM queue_items")
        }
    assert items == OLD_QUEUE_ITEMS
    assert [i.case_no for i in queue_page(db, "arbitration")] == ["DEMO-C-0012"]
    refund = case_summary(db, "DEMO-C-0014")
    assert refund is not None and refund.refund_working_due_at is not None
    assert refund.refund_statutory_due_at is None, "no statutory clock in version 1 events"
    assert refund.refund_due_at == refund.refund_working_due_at


def test_a_rebuild_of_the_old_store_equals_the_live_tables(
    projected: tuple[AfterSales, Database],
) -> None:
    app, db = projected
    runner = make_runner(app, db)
    runner.catch_up()
    tables = [t for p in runner.projections.values() for t in p.tables]

    def digests() -> dict[str, str]:
        out = {}
        for table in tables:
            with db.connect() as conn:
                row = conn.execute(f"SELECT * FROM {table} LIMIT 1").fetchone()
            out[table] = table_digest(db, table, sorted(dict(row))) if row else ""
        return out

    before = digests()
    runner.rebuild()
    assert digests() == before
