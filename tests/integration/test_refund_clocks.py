"""R3's two refund clocks on SQLite and PostgreSQL (issue 7): the policy's working days after the
approval and the statutory ceiling (Law art. 13, 消保法 art. 25: 7 natural days from the goods'
delivery back to the merchant, ending 24:00 of the 7th day). Both hold, the earlier wins, and the
read side shows both: the case summary (consumer and platform pages) and the ledger's refund row
(finance)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from projections.ledger import refund_status
from projections.registry import make_runner
from projections.timeline import case_summary
from tests.integration.projection_support import (
    AGENT,
    PLATFORM,
    START,
    World,
    consumer,
    merchant,
)

# Delivered back Tue 22 Sep 2026 10:00 CST: counted from Wed 23 Sep, the statutory period ends
# Tue 29 Sep 24:00 CST. Approved Thu 24 Sep: 7 PRC working days (Mid-Autumn 25 Sep, National Day
# 1-7 Oct, make-up Saturday 10 Oct) end Mon 12 Oct 24:00 CST, later: the statutory end wins.
STATUTORY_END = datetime(2026, 9, 29, 16, 0, tzinfo=UTC)
WORKING_END = datetime(2026, 10, 12, 16, 0, tzinfo=UTC)


@pytest.fixture
def world(store_url: str, tmp_path: Path) -> Iterator[World]:
    w = World(store_url, tmp_path)
    w.runner = make_runner(w.app, w.db, clock=w.clock)
    yield w
    w.close()


def _delivered_back(world: World) -> str:
    case_no = world.open()
    world.clock.advance(hours=1)
    world.app.accept(request_id=world.rid(), actor=merchant(), case_no=case_no)
    world.app.ship_return(
        request_id=world.rid(), actor=consumer(), case_no=case_no, carrier="SF", tracking_no="1"
    )
    world.clock.set(START + timedelta(days=1))  # Tue 22 Sep 10:00 CST
    world.app.record_return_delivered(request_id=world.rid(), actor=PLATFORM, case_no=case_no)
    return case_no


def test_the_statutory_ceiling_is_shown_from_the_delivery_back(world: World) -> None:
    case_no = _delivered_back(world)
    world.catch_up()
    summary = case_summary(world.db, case_no)
    assert summary is not None
    assert summary.refund_statutory_due_at == STATUTORY_END
    assert summary.refund_working_due_at is None  # no approval yet
    assert (summary.refund_due_at, summary.refund_due_clock) == (STATUTORY_END, "statutory_refund")


def test_before_a_holiday_run_the_statutory_end_wins_and_both_are_shown(world: World) -> None:
    case_no = _delivered_back(world)
    world.clock.advance(hours=2)
    world.app.confirm_receipt(request_id=world.rid(), actor=merchant(), case_no=case_no)
    world.app.inspect(
        request_id=world.rid(),
        actor=merchant(),
        case_no=case_no,
        responsibility="no_fault",
        findings="完好",
    )
    world.clock.set(datetime(2026, 9, 24, 3, 0, tzinfo=UTC))  # Thu 24 Sep 11:00 CST
    world.app.approve_refund(request_id=world.rid(), actor=AGENT, case_no=case_no)
    world.catch_up()

    summary = case_summary(world.db, case_no)
    assert summary is not None
    assert (summary.refund_working_due_at, summary.refund_statutory_due_at) == (
        WORKING_END,
        STATUTORY_END,
    )
    assert (summary.refund_due_at, summary.refund_due_clock) == (STATUTORY_END, "statutory_refund")
    payment = {d["name"]: d["due_at"] for d in summary.deadlines}["refund_payment"]
    assert payment == "2026-09-29T16:00:00.000000Z"  # the domain's deadline: the earlier one

    refund = refund_status(world.db, case_no)
    assert refund is not None
    assert refund.due_day == refund.statutory_due_day == date(2026, 9, 29)
    assert refund.working_due_at == "2026-10-12T16:00:00.000000Z"
    assert refund.statutory_due_at == "2026-09-29T16:00:00.000000Z"
    assert refund.statutory_is_earlier


def test_without_goods_coming_back_only_the_working_days_hold(world: World) -> None:
    case_no = world.open("refund_only", "missing_item")
    world.clock.advance(hours=1)
    world.app.accept(request_id=world.rid(), actor=merchant(), case_no=case_no)
    world.clock.set(datetime(2026, 9, 24, 3, 0, tzinfo=UTC))
    world.app.approve_refund(request_id=world.rid(), actor=AGENT, case_no=case_no)
    world.catch_up()

    summary = case_summary(world.db, case_no)
    assert summary is not None
    assert (summary.refund_working_due_at, summary.refund_statutory_due_at) == (WORKING_END, None)
    assert (summary.refund_due_at, summary.refund_due_clock) == (WORKING_END, "refund_payment")
    refund = refund_status(world.db, case_no)
    assert refund is not None
    assert (refund.due_day, refund.statutory_due_day) == (date(2026, 10, 12), None)
    assert not refund.statutory_is_earlier
