"""Work queues (R12, R17) on SQLite and PostgreSQL: every open clock is an item in the queue of the
party that owes it, cases waiting without a clock get an undated item, pages and positions come
from one indexed select, and a rebuild reproduces the tables."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from domain.case_values import Ruling, RulingOutcome
from projections.db import Database, ts
from projections.queues import (
    DUE_SQL,
    PAGE_SQL,
    POSITION_SQL,
    QUEUE_PROJECTION,
    QueueItem,
    due_items,
    position_in_queue,
    queue_counts,
    queue_page,
)
from projections.tablehash import table_digest
from tests.integration.projection_support import (
    AGENT,
    ARBITRATOR,
    FINANCE,
    MICROSECOND,
    PLATFORM,
    START,
    World,
    consumer,
    merchant,
)


@pytest.fixture
def world(store_url: str, tmp_path: Path) -> Iterator[World]:
    w = World(store_url, tmp_path)
    yield w
    w.close()


def items_of(world: World, case_no: str) -> list[tuple[str, str, str, str, bool]]:
    """(queue, clock, party, awaiting, breached) of a case's items, caught up first."""
    world.catch_up()
    with world.db.connect() as conn:
        rows = conn.execute(
            "SELECT queue, clock, party, awaiting, breached FROM queue_items "
            "WHERE case_no = ? ORDER BY queue, clock",
            (case_no,),
        ).fetchall()
    return [(r["queue"], r["clock"], r["party"], r["awaiting"], bool(r["breached"])) for r in rows]


def page_cases(items: list[QueueItem]) -> list[str]:
    return [i.case_no for i in items]


# -- who owes what -------------------------------------------------------------------------


def test_items_follow_a_return_from_merchant_to_consumer_platform_and_finance(
    world: World,
) -> None:
    case_no = world.open()
    assert items_of(world, case_no) == [
        ("merchant:m1", "first_response", "merchant", "respond", False),
        ("merchant:m1", "merchant_decision", "merchant", "decide", False),
    ]

    world.clock.advance(hours=1)
    world.app.accept(request_id=world.rid(), actor=merchant(), case_no=case_no)
    assert items_of(world, case_no) == [
        ("consumer:c1", "consumer_ship", "consumer", "ship_return", False)
    ]

    world.app.ship_return(
        request_id=world.rid(), actor=consumer(), case_no=case_no, carrier="SF", tracking_no="1"
    )
    # R13/R25 (issue 7): the parcel travels, and the merchant records its arrival by a date.
    assert items_of(world, case_no) == [
        ("merchant:m1", "return_delivery", "merchant", "record_delivery", False)
    ]

    world.clock.advance(days=1)
    world.app.record_return_delivered(request_id=world.rid(), actor=PLATFORM, case_no=case_no)
    statutory = ("platform", "statutory_refund", "platform_agent", "refund_by_statutory_end", False)
    assert items_of(world, case_no) == [
        ("merchant:m1", "confirm_receipt", "merchant", "confirm_receipt", False),
        statutory,  # R3, Law art. 13: 7 natural days from this delivery
    ]

    world.app.confirm_receipt(request_id=world.rid(), actor=merchant(), case_no=case_no)
    assert items_of(world, case_no) == [
        ("merchant:m1", "inspection", "merchant", "inspect", False),  # R14 (issue 7): a clock
        statutory,
    ]

    world.app.inspect(
        request_id=world.rid(),
        actor=merchant(),
        case_no=case_no,
        responsibility="no_fault",
        findings="ok",
    )
    assert sorted(items_of(world, case_no)) == sorted(
        [("platform", "refund_approval", "platform_agent", "approve_refund", False), statutory]
    )

    world.app.approve_refund(request_id=world.rid(), actor=AGENT, case_no=case_no)
    assert items_of(world, case_no) == [
        ("finance", "refund_payment", "finance", "pay_refund", False),
        statutory,
    ]

    world.app.record_refund_paid(
        request_id=world.rid(), actor=FINANCE, case_no=case_no, psp_reference="P1"
    )
    # R9/R10 reading (issue 7): closed, the consumer may still complain or escalate a while.
    assert items_of(world, case_no) == [
        ("consumer:c1", "post_close", "consumer", "complain_or_escalate", False)
    ]


def test_breached_clock_stays_until_satisfied_and_routing_changes_the_platform_queue(
    world: World,
) -> None:
    case_no = world.open("complaint", "service", description="态度差")
    assert items_of(world, case_no) == [
        ("platform", "platform_opinion", "platform_agent", "give_opinion", False),
        ("platform", "platform_response", "platform_agent", "respond_complaint", False),
    ]

    world.clock.advance(hours=24)  # R9.a: breach, then escalation to the supervisors
    world.app.expire(case_no=case_no, clock="platform_response")
    assert items_of(world, case_no) == [
        ("platform_supervisor", "platform_opinion", "platform_agent", "give_opinion", False),
        ("platform_supervisor", "platform_response", "platform_agent", "respond_complaint", True),
    ]

    world.app.respond_to_complaint(
        request_id=world.rid(), actor=AGENT, case_no=case_no, reason="已联系商家"
    )
    assert items_of(world, case_no) == [
        ("platform_supervisor", "platform_opinion", "platform_agent", "give_opinion", False)
    ]


def test_routed_case_waits_in_its_platform_queue_until_handled(world: World) -> None:
    case_no = world.open("return_refund", "quality_defect")
    world.app.route(  # R20: a person sends it to platform customer service to look at first
        request_id=world.rid(),
        actor=AGENT,
        case_no=case_no,
        queue="platform",
        classified_kind="return_refund",
        confidence_pct=100,
        reason="a person looks first",
    )
    assert items_of(world, case_no) == [
        ("merchant:m1", "first_response", "merchant", "respond", False),
        ("merchant:m1", "merchant_decision", "merchant", "decide", False),
        ("platform", "", "platform_agent", "handle_routed", False),
    ]

    world.clock.advance(hours=2)  # R12.a (issue 7): the silent merchant is taken to agree
    world.app.expire(case_no=case_no, clock="merchant_decision")
    assert items_of(world, case_no) == [
        ("consumer:c1", "consumer_ship", "consumer", "ship_return", False)
    ]


def test_case_triaged_to_the_merchant_keeps_platform_work_in_the_platform_queue(
    world: World,
) -> None:
    """R20 triage routes a return to ``merchant:<id>`` (domain.triage.queue_for): that is the
    merchant's own queue, so the platform's refund approval later still waits in ``platform``,
    where agents look, not in the store's queue."""
    case_no = world.open()
    world.app.route(
        request_id=world.rid(),
        actor=PLATFORM,
        case_no=case_no,
        queue="merchant:m1",
        classified_kind="return_refund",
        confidence_pct=80,
        reason="R20 keywords: 不想要",
    )
    assert items_of(world, case_no) == [
        ("merchant:m1", "first_response", "merchant", "respond", False),
        ("merchant:m1", "merchant_decision", "merchant", "decide", False),
    ]
    world.clock.advance(hours=1)
    world.app.accept(request_id=world.rid(), actor=merchant(), case_no=case_no)
    world.app.ship_return(
        request_id=world.rid(), actor=consumer(), case_no=case_no, carrier="SF", tracking_no="1"
    )
    world.app.record_return_delivered(request_id=world.rid(), actor=PLATFORM, case_no=case_no)
    world.app.confirm_receipt(request_id=world.rid(), actor=merchant(), case_no=case_no)
    world.app.inspect(
        request_id=world.rid(),
        actor=merchant(),
        case_no=case_no,
        responsibility="no_fault",
        findings="ok",
    )
    assert items_of(world, case_no) == [
        ("platform", "refund_approval", "platform_agent", "approve_refund", False),
        ("platform", "statutory_refund", "platform_agent", "refund_by_statutory_end", False),
    ]


def test_case_in_arbitration_waits_for_the_arbitrator_by_its_deadline(world: World) -> None:
    case_no = world.open("return_refund", "quality_defect")
    world.clock.advance(hours=1)
    world.app.reject(request_id=world.rid(), actor=merchant(), case_no=case_no, reason="人为")
    # R10 reading (issue 7): the consumer accepts the rejection or disputes it within a period.
    assert items_of(world, case_no) == [
        ("consumer:c1", "consumer_dispute", "consumer", "dispute", False)
    ]

    world.app.escalate(request_id=world.rid(), actor=consumer(), case_no=case_no, reason="不服")
    assert items_of(world, case_no) == [("arbitration", "arbitration", "arbitrator", "rule", False)]
    [item] = queue_page(world.db, "arbitration")
    assert (item.case_no, item.status, item.rule) == (case_no, "in_arbitration", "R10")
    assert item.due_at is not None  # 10 working days (R10 reading)

    world.app.rule(
        request_id=world.rid(),
        actor=ARBITRATOR,
        case_no=case_no,
        ruling=Ruling(RulingOutcome.REFUND, refund_fen=5000),
        reasoning="质量问题",
    )
    # Ruled (R10): the case is where the ruling is carried out, with that state's clock.
    assert items_of(world, case_no) == [
        ("platform", "refund_approval", "platform_agent", "approve_refund", False)
    ]


# -- pages, counts, positions --------------------------------------------------------------


def test_merchant_page_is_sorted_by_urgency_with_undated_items_last(world: World) -> None:
    first = world.open("return_refund", "quality_defect")  # R12 due START+2h
    world.clock.advance(minutes=10)
    repair = world.open("repair", "quality_defect")  # R5.a 48h, but R12.a first response 24h
    world.clock.advance(minutes=10)
    second = world.open("return_refund", "quality_defect")  # due START+2h20
    world.clock.advance(minutes=10)
    received = world.open("exchange", "quality_defect")
    world.app.accept(request_id=world.rid(), actor=merchant(), case_no=received)
    world.app.ship_return(
        request_id=world.rid(), actor=consumer(), case_no=received, carrier="SF", tracking_no="9"
    )
    world.app.record_return_delivered(request_id=world.rid(), actor=PLATFORM, case_no=received)
    world.app.confirm_receipt(request_id=world.rid(), actor=merchant(), case_no=received)
    other_store = world.open("return_refund", "quality_defect", merchant_id="m2")
    world.catch_up()

    page = queue_page(world.db, "merchant:m1")
    assert page_cases(page) == [first, second, repair, received]
    assert [(i.clock, i.awaiting) for i in page] == [
        ("merchant_decision", "decide"),
        ("merchant_decision", "decide"),
        ("first_response", "respond"),  # the repair's most urgent clock heads it
        ("inspection", "inspect"),  # R14 (issue 7): inspection has its clock
    ]
    assert page[0].due_at == START + timedelta(hours=2)
    # R12.a per kind (issue 7): a repair's first response is due with R5.a's 48 hours.
    assert page[2].due_at == START + timedelta(minutes=10, hours=48)
    assert page[3].due_at == START + timedelta(minutes=30, hours=48)
    assert page[3].status == "received"

    assert page_cases(queue_page(world.db, "merchant:m1", limit=2)) == [first, second]
    assert page_cases(queue_page(world.db, "merchant:m1", limit=2, offset=2)) == [
        repair,
        received,
    ]
    assert page_cases(queue_page(world.db, "merchant:m2")) == [other_store]

    assert [position_in_queue(world.db, "merchant:m1", c) for c in page_cases(page)] == [
        1,
        2,
        3,
        4,
    ]
    assert position_in_queue(world.db, "merchant:m1", other_store) is None
    assert position_in_queue(world.db, "merchant:m2", other_store) == 1

    counts = queue_counts(world.db, "merchant:m1")
    assert (counts.cases, counts.items, counts.breached) == (4, 7, 0)
    assert counts.by_status == {"received": 1, "requested": 3}
    assert counts.by_clock == {"inspection": 1, "first_response": 3, "merchant_decision": 3}
    empty = queue_counts(world.db, "merchant:nobody")
    assert (empty.cases, empty.items, empty.by_status, empty.by_clock) == (0, 0, {}, {})


def test_cases_due_at_the_same_instant_are_ordered_by_case_number(world: World) -> None:
    opened = sorted(world.open("return_refund", "quality_defect") for _ in range(4))
    world.catch_up()

    assert page_cases(queue_page(world.db, "merchant:m1")) == opened
    assert [position_in_queue(world.db, "merchant:m1", c) for c in opened] == [1, 2, 3, 4]


def test_overdue_items_come_first_and_are_counted(world: World) -> None:
    late = world.open("repair", "quality_defect")
    world.app.accept(request_id=world.rid(), actor=merchant(), case_no=late)
    world.app.inspect(  # on site: the repair starts, with R7's repair_days to do it
        request_id=world.rid(),
        actor=merchant(),
        case_no=late,
        responsibility="product_defect",
        findings="loose contact",
        on_site=True,
    )
    world.clock.advance(days=8)
    fresh = world.open("return_refund", "quality_defect")
    world.app.expire(case_no=late, clock="repair_work")  # escalated, still the merchant's
    world.catch_up()

    page = queue_page(world.db, "merchant:m1")
    assert page_cases(page) == [late, fresh]
    assert page[0].breached and not page[1].breached
    assert queue_counts(world.db, "merchant:m1").breached == 1
    assert position_in_queue(world.db, "merchant:m1", fresh) == 2


def test_due_items_include_the_due_instant_and_exclude_breached_ones(world: World) -> None:
    a = world.open("return_refund", "quality_defect")
    world.clock.advance(minutes=1)
    b = world.open("return_refund", "quality_defect")
    world.catch_up()
    due_a = START + timedelta(hours=2)
    due_b = due_a + timedelta(minutes=1)

    assert due_items(world.db, due_a - MICROSECOND) == []
    assert [(i.case_no, i.clock) for i in due_items(world.db, due_a)] == [(a, "merchant_decision")]
    assert [(i.case_no, i.due_at) for i in due_items(world.db, due_b)] == [
        (a, due_a),
        (b, due_b),
    ]
    # keyset paging
    assert [i.case_no for i in due_items(world.db, due_b, 1)] == [a]
    assert [
        i.case_no for i in due_items(world.db, due_b, 1, after=(due_a, a, "merchant_decision"))
    ] == [b]

    world.clock.set(due_a)
    world.app.expire(case_no=a, clock="merchant_decision")  # R12.a: a is taken as accepted
    world.catch_up()
    assert [i.case_no for i in due_items(world.db, due_b)] == [b]
    day = START + timedelta(days=1, minutes=1)  # R12.a first responses (24 h) are due too
    assert [(i.case_no, i.clock) for i in due_items(world.db, day)] == [
        (b, "merchant_decision"),
        (b, "first_response"),
    ]


def test_bad_page_arguments_are_refused(world: World) -> None:
    with pytest.raises(ValueError):
        queue_page(world.db, "platform", limit=0)
    with pytest.raises(ValueError):
        queue_page(world.db, "platform", offset=-1)


# -- the queries are single indexed selects ------------------------------------------------


def _plan(db: Database, sql: str, params: tuple[object, ...]) -> str:
    with db.connect() as conn:
        if db.dialect == "sqlite":
            rows = conn.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
            return "\n".join(str(r["detail"]) for r in rows)
        rows = conn.execute("EXPLAIN " + sql, params).fetchall()
        return "\n".join(str(next(iter(dict(r).values()))) for r in rows)


def _fill_queue_table(db: Database, cases: int) -> None:
    """Synthetic rows (20 stores, two clocks per case), then fresh planner statistics."""
    rows = []
    for i in range(cases):
        store = f"m{i % 20}"
        due = ts(START + timedelta(minutes=i))
        for clock in ("merchant_decision", "first_response"):
            head = int(clock == "merchant_decision")
            rows.append(
                (
                    f"C{i:06d}",
                    clock,
                    f"merchant:{store}",
                    "merchant",
                    "decide",
                    "R12",
                    due,
                    due,
                    0,
                    0,
                    head,
                    "requested",
                    "return_refund",
                    store,
                    "c1",
                    due,
                    due,
                    1,
                )
            )
    with db.transaction() as tx:
        tx.executemany(
            "INSERT INTO queue_items (case_no, clock, queue, party, awaiting, rule, due_at, "
            "sort_key, breached, provisional, is_head, status, kind, merchant_id, consumer_id, "
            "opened_at, updated_at, case_version) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        tx.execute("ANALYZE")


def test_page_position_and_due_queries_are_single_indexed_selects(world: World) -> None:
    _fill_queue_table(world.db, 6000)
    page = _plan(world.db, PAGE_SQL, ("merchant:m7", 50, 0))
    position = _plan(world.db, POSITION_SQL, ("merchant:m7", "C003007", "merchant:m7"))
    due = _plan(world.db, DUE_SQL + " ORDER BY due_at, case_no, clock LIMIT ?", (ts(START), 10))

    assert "queue_items_page" in page and "queue_items_due" in due
    assert "queue_items_page" in position
    if world.db.dialect == "sqlite":  # no sort step: the index gives the order
        assert "TEMP B-TREE" not in page + due
        assert "SCAN queue_items" not in page + position + due
    else:
        assert "Sort" not in page + due
        assert "Seq Scan" not in page + position + due

    assert position_in_queue(world.db, "merchant:m7", "C003007") == 3007 // 20 + 1
    assert [i.case_no for i in queue_page(world.db, "merchant:m7", 3, 150)] == [
        "C003007",
        "C003027",
        "C003047",
    ]


# -- rebuild -------------------------------------------------------------------------------


def test_rebuild_from_scratch_gives_identical_tables(world: World) -> None:
    world.open()
    complaint = world.open("complaint", "service", description="慢")
    routed = world.open("return_refund", "quality_defect")
    world.clock.advance(days=1)
    world.app.expire(case_no=complaint, clock="platform_response")
    world.app.expire(case_no=routed, clock="merchant_decision")
    world.catch_up()
    before = (
        table_digest(world.db, "queue_items", ["case_no", "clock"]),
        table_digest(world.db, "queue_cases", "case_no"),
    )

    world.runner.rebuild(names=[QUEUE_PROJECTION])

    assert (
        table_digest(world.db, "queue_items", ["case_no", "clock"]),
        table_digest(world.db, "queue_cases", "case_no"),
    ) == before
