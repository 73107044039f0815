"""Orders read model (R1, R3.a, R16) on SQLite and PostgreSQL: one row per order line with the
order's facts, delivery, units claimed by open refund-bearing cases (claimed, then released when a
case ends without a refund), the cases noted on the order, and a rebuild that reproduces every
table."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from domain.lines import OrderLine, Tender
from domain.service import LineRequest
from domain.values import TenderKind
from projections.orders import (
    ORDERS_PROJECTION,
    OrdersProjection,
    cases_of_order,
    order_lines,
    orders_of_consumer,
)
from projections.registry import PROJECTION_MODULES
from projections.runner import Runner
from projections.tablehash import table_digest
from tests.integration.projection_support import PLATFORM, START, World, consumer


@pytest.fixture
def world(store_url: str, tmp_path: Path) -> Iterator[World]:
    w = World(store_url, tmp_path)
    w.runner = Runner(w.app, w.db, [OrdersProjection()], clock=w.clock)
    yield w
    w.close()


def two_line_order(world: World, order_no: str, consumer_id: str = "c1") -> None:
    if "m1" not in world.merchants:
        back = world.clock.now
        world.clock.set(START - timedelta(days=30))
        world.policy("m1")
        world.clock.set(back)
    world.app.record_order(
        request_id=world.rid("order"),
        actor=PLATFORM,
        order_no=order_no,
        consumer_id=consumer_id,
        merchant_id="m1",
        placed_at=world.clock.now - timedelta(days=3),
        lines=[
            OrderLine(
                1, "PH-1", "Phone", "electronics", 1, 199_900, (Tender(TenderKind.CARD, 199_900),)
            ),
            OrderLine(
                2,
                "CS-1",
                "Case",
                "electronics",
                3,
                5_700,
                (Tender(TenderKind.WALLET, 5_000), Tender(TenderKind.POINTS, 700)),
            ),
        ],
        shipping_fee_fen=1_000,
    )


def deliver(world: World, order_no: str) -> None:
    world.app.record_delivery(
        request_id=world.rid("delivery"),
        actor=PLATFORM,
        order_no=order_no,
        signed_at=world.clock.now - timedelta(days=2),
    )


def test_the_projection_is_registered() -> None:
    assert "projections.orders" in PROJECTION_MODULES


def test_one_row_per_line_with_the_orders_facts(world: World) -> None:
    two_line_order(world, "O-1")
    world.catch_up()
    lines = order_lines(world.db, "O-1")
    assert [(ln.line_no, ln.sku, ln.quantity, ln.paid_fen) for ln in lines] == [
        (1, "PH-1", 1, 199_900),
        (2, "CS-1", 3, 5_700),
    ]
    first = lines[0]
    assert (first.consumer_id, first.merchant_id, first.currency) == ("c1", "m1", "CNY")
    assert first.placed_at == START - timedelta(days=3)
    assert first.delivered_at is None
    assert first.shipping_fee_fen == 1_000
    assert first.claimed_quantity == 0 and first.free_quantity == 1
    assert order_lines(world.db, "nope") == []

    deliver(world, "O-1")
    world.catch_up()
    assert {ln.delivered_at for ln in order_lines(world.db, "O-1")} == {START - timedelta(days=2)}


def test_claims_add_up_and_a_release_gives_back_what_that_case_claimed(world: World) -> None:
    two_line_order(world, "O-2")
    deliver(world, "O-2")
    opened = []
    for quantity in (1, 2):
        result = world.app.open_case(
            request_id=world.rid("open"),
            actor=consumer("c1"),
            order_no="O-2",
            kind="return_refund",
            reason_code="no_reason",
            lines=[LineRequest(2, quantity)],
            description="不想要了",
        )
        opened.append(str(result.key))
    world.catch_up()
    by_line = {ln.line_no: ln for ln in order_lines(world.db, "O-2")}
    assert by_line[2].claimed_quantity == 3 and by_line[2].free_quantity == 0
    assert by_line[1].claimed_quantity == 0
    assert cases_of_order(world.db, "O-2") == opened

    world.app.withdraw(
        request_id=world.rid("withdraw"), actor=consumer("c1"), case_no=opened[1], reason="留下"
    )
    world.catch_up()
    by_line = {ln.line_no: ln for ln in order_lines(world.db, "O-2")}
    assert by_line[2].claimed_quantity == 1 and by_line[2].free_quantity == 2


def test_a_consumer_sees_only_their_orders_newest_first(world: World) -> None:
    two_line_order(world, "O-old", "c1")
    world.clock.advance(hours=1)
    two_line_order(world, "O-new", "c1")
    two_line_order(world, "O-other", "c2")
    world.catch_up()
    rows = orders_of_consumer(world.db, "c1")
    assert [(r.order_no, r.line_no) for r in rows] == [
        ("O-new", 1),
        ("O-new", 2),
        ("O-old", 1),
        ("O-old", 2),
    ]
    assert {r.consumer_id for r in orders_of_consumer(world.db, "c2")} == {"c2"}


def test_rebuild_from_scratch_gives_identical_tables(world: World) -> None:
    two_line_order(world, "O-3")
    deliver(world, "O-3")
    two_line_order(world, "O-4", "c2")
    result = world.app.open_case(
        request_id=world.rid("open"),
        actor=consumer("c1"),
        order_no="O-3",
        kind="return_refund",
        reason_code="no_reason",
        lines=[LineRequest(1, 1), LineRequest(2, 2)],
        description="不想要了",
    )
    world.app.withdraw(
        request_id=world.rid("withdraw"), actor=consumer("c1"), case_no=str(result.key)
    )
    world.app.open_case(
        request_id=world.rid("open"),
        actor=consumer("c1"),
        order_no="O-3",
        kind="exchange",
        reason_code="quality_defect",
        lines=[LineRequest(2, 1)],
        description="有划痕",
    )
    world.catch_up()

    def digests() -> tuple[str, str, str]:
        return (
            table_digest(world.db, "order_lines", ["order_no", "line_no"]),
            table_digest(world.db, "order_claims", ["order_no", "case_no", "line_no"]),
            table_digest(world.db, "order_cases", ["order_no", "case_no"]),
        )

    before = digests()
    assert len(order_lines(world.db, "O-3")) == 2
    replayed = world.runner.rebuild(names=[ORDERS_PROJECTION])
    assert replayed > 0
    assert digests() == before
