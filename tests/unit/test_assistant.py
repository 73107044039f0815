"""R16 assistant: a consumer's questions about their own orders and cases, answered from the same
rules (R1, R1.a-c, R2, R3.a, R5, R6, R9) as structured values; deadlines name their last day."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from domain.assistant import Action, about_line, about_order
from domain.assistant_cases import about_case
from domain.assistant_queries import ask_about_case, ask_about_order
from domain.calendar import CST
from domain.errors import NotFound
from domain.lines import OrderLine, Tender, TenderRefund
from domain.order import Order
from domain.terms import Exclusion, PolicyTerms, WarrantyPart
from domain.values import Actor, CaseKind, ExclusionKind, Party, Reason, Role, TenderKind

from .builders import (
    CONSUMER,
    DELIVERED,
    MERCHANT,
    OPENED,
    OTHER_CONSUMER,
    FakeClock,
    given,
    memory_app,
    open_case,
    seed,
    ship_return,
)
from .builders import accept as accept_move

SIGNED = datetime(2026, 9, 30, 20, 0, tzinfo=CST)  # eve of National Day
TERMS = PolicyTerms(
    categories=("apparel", "fresh", "cosmetics", "underwear", "phones"),
    exclusions=(
        Exclusion("fresh", ExclusionKind.FRESH, "perishable"),
        Exclusion("cosmetics", ExclusionKind.CONSUMABLE, "opened samples cannot be resold"),
        Exclusion("underwear", ExclusionKind.HYGIENE, "worn next to the skin"),
    ),
    parts=(WarrantyPart("battery", 3, "phones"),),
)


def cst(y: int, m: int, d: int, h: int = 0) -> datetime:
    return datetime(y, m, d, h, tzinfo=CST)


def line(category: str = "apparel", *, confirmed: bool = False, qty: int = 1) -> OrderLine:
    tenders = (Tender(TenderKind.CARD, 15_000), Tender(TenderKind.COUPON, 5_000))
    return OrderLine(1, "SKU-1", "item", category, qty, 20_000, tenders, confirmed)


def test_inside_the_window_every_option_says_until_which_last_day() -> None:
    answer = about_line(line(), TERMS, SIGNED, cst(2026, 10, 3))
    no_reason = answer.option(Action.NO_REASON_RETURN)
    assert no_reason.available and no_reason.rule == "R1"
    assert no_reason.by is not None
    assert (no_reason.by.last_day, no_reason.by.ends_at_midnight) == (date(2026, 10, 7), True)
    assert "2026-10-07 24:00 CST" in no_reason.message
    assert answer.option(Action.NO_REASON_EXCHANGE).by == no_reason.by  # R8 like a return
    quality = answer.option(Action.QUALITY_RETURN)
    assert quality.available and quality.rule == "R1.c"
    assert quality.by is not None and quality.by.last_day == date(2027, 9, 30)  # R5 12 months
    repair = answer.option(Action.REPAIR)
    assert repair.available and repair.free is True and repair.rule == "R6"
    assert not answer.option(Action.REFUND_NOT_DELIVERED).available  # R3: it was delivered
    assert answer.option(Action.COMPLAINT).available  # R9


def test_in_the_last_second_the_window_is_open_and_at_24_00_it_is_closed() -> None:
    last_second = cst(2026, 10, 8) - timedelta(seconds=1)
    assert about_line(line(), TERMS, SIGNED, last_second).option(Action.NO_REASON_RETURN).available
    closed = about_line(line(), TERMS, SIGNED, cst(2026, 10, 8)).option(Action.NO_REASON_RETURN)
    assert not closed.available and closed.rule == "R1"
    assert closed.by is not None and closed.by.last_day == date(2026, 10, 7)


def test_exclusions_answer_with_their_rule_and_the_published_reason() -> None:
    fresh = about_line(line("fresh"), TERMS, SIGNED, cst(2026, 10, 2))
    option = fresh.option(Action.NO_REASON_RETURN)
    assert (option.available, option.rule, option.exclusion_reason) == (False, "R1.a", "perishable")
    assert fresh.option(Action.QUALITY_RETURN).available  # R1.c whatever the category
    opened = about_line(line("cosmetics"), TERMS, SIGNED, cst(2026, 10, 2), opened=True)
    assert opened.option(Action.NO_REASON_RETURN).rule == "R1.a"
    sealed = about_line(line("cosmetics"), TERMS, SIGNED, cst(2026, 10, 2))
    assert sealed.option(Action.NO_REASON_RETURN).available
    hygiene = about_line(line("underwear", confirmed=True), TERMS, SIGNED, cst(2026, 10, 2))
    assert hygiene.option(Action.NO_REASON_RETURN).rule == "R1.b"


def test_after_the_warranty_a_repair_is_at_the_consumers_cost_and_returns_are_over() -> None:
    answer = about_line(line(), TERMS, SIGNED, cst(2027, 10, 1))
    repair = answer.option(Action.REPAIR)
    assert repair.available and repair.free is False  # R6: on a quote
    quality = answer.option(Action.QUALITY_RETURN)
    assert not quality.available and quality.rule == "R5"


def test_before_delivery_only_a_refund_for_goods_not_delivered_and_a_complaint() -> None:
    answer = about_line(line(), TERMS, None, cst(2026, 9, 29))
    available = {o.action for o in answer.options if o.available}
    assert available == {Action.REFUND_NOT_DELIVERED, Action.COMPLAINT}
    assert not answer.delivered
    assert all(p.warranty_end is None for p in answer.parts)


def test_the_parts_of_the_line_and_their_warranty_ends() -> None:
    answer = about_line(line("phones"), TERMS, SIGNED, cst(2026, 10, 3))
    assert [(p.component, p.months) for p in answer.parts] == [("unit", 12), ("battery", 3)]
    assert answer.parts[1].warranty_end == cst(2026, 12, 31)  # R5: last day 2026-12-30


def test_who_pays_the_shipping_first_return_and_after_buying_again() -> None:
    # R2: the consumer pays the return leg of a first no-reason return; the merchant pays both
    # legs of a quality return; after a return and a new purchase the merchant pays it.
    first = about_line(line(), TERMS, SIGNED, cst(2026, 10, 2))
    assert (first.no_reason_shipping.return_leg, first.no_reason_shipping.outbound_leg) == (
        Party.CONSUMER,
        Party.CONSUMER,
    )
    assert (first.quality_shipping.return_leg, first.quality_shipping.outbound_leg) == (
        Party.MERCHANT,
        Party.MERCHANT,
    )
    again = about_line(
        line(),
        TERMS,
        SIGNED,
        cst(2026, 10, 2),
        prior_returns_to_merchant=1,
        bought_again_since_first_return=True,
    )
    assert again.no_reason_shipping.return_leg is Party.MERCHANT
    free = about_line(line(), replace(TERMS, free_return_shipping=True), SIGNED, cst(2026, 10, 2))
    assert free.no_reason_shipping.return_leg is Party.MERCHANT
    assert free.no_reason_shipping.rule == "R2"


def test_how_much_comes_back_is_capped_by_what_was_paid_plus_shipping_owed() -> None:
    # R3.a: 200.00 paid (150 card + 50 coupon); the delivery share 10.00 is owed on a quality
    # return only; the coupon comes back in kind, in proportion.
    answer = about_line(line(qty=2), TERMS, SIGNED, cst(2026, 10, 2), outbound_share_fen=1_000)
    no_reason = answer.no_reason_money
    assert (no_reason.goods_fen, no_reason.shipping_fen, no_reason.cap_fen) == (20_000, 0, 20_000)
    assert not no_reason.return_leg_refunded and no_reason.rule == "R3.a"
    assert no_reason.split == (
        TenderRefund(TenderKind.CARD, 15_000),
        TenderRefund(TenderKind.COUPON, 5_000),
    )
    quality = answer.quality_money
    assert (quality.goods_fen, quality.shipping_fen, quality.total_fen) == (20_000, 1_000, 21_000)
    assert quality.return_leg_refunded
    one = about_line(line(qty=2), TERMS, SIGNED, cst(2026, 10, 2), quantity=1)
    assert one.no_reason_money.cap_fen == 10_000


def test_about_order_answers_only_for_units_not_already_claimed() -> None:
    staff = Actor(Role.SYSTEM, "platform")
    order = Order.record(
        order_no="O1",
        consumer_id="c1",
        merchant_id="m1",
        placed_at=cst(2026, 9, 28),
        lines=(line(qty=2), replace(line("phones"), line_no=2)),
        shipping_fee_fen=2_000,
        currency="CNY",
        actor=staff,
        at=cst(2026, 9, 28),
    )
    order.record_delivery(signed_at=SIGNED, actor=staff, at=SIGNED)
    order.claim(case_no="AS1", quantities={1: 1}, actor=CONSUMER, at=cst(2026, 10, 2))
    answer = about_order(order, TERMS, cst(2026, 10, 3))
    assert answer.order_no == "O1"
    first, second = answer.lines
    assert (first.quantity, first.no_reason_money.goods_fen) == (1, 10_000)
    assert first.quality_money.shipping_fen == order.outbound_share_fen(1, 1)
    assert second.quantity == 1 and [p.component for p in second.parts] == ["unit", "battery"]


def test_about_a_requested_case_it_is_the_merchants_turn_and_the_refund_is_its_cap() -> None:
    case = open_case()
    answer = about_case(case, OPENED + timedelta(minutes=5))
    assert (answer.kind, answer.status, answer.finished) == (
        CaseKind.RETURN_REFUND,
        "requested",
        False,
    )
    assert not answer.your_turn
    assert answer.deadlines and all(d.party is Role.MERCHANT for d in answer.deadlines)
    assert answer.deadlines[0].rule == "R12"  # 2 h to accept or reject, a time of day
    assert not answer.deadlines[0].by.ends_at_midnight
    assert answer.shipping is not None and answer.shipping.return_leg is Party.CONSUMER  # R2
    assert answer.money is not None and not answer.money.approved
    assert answer.money.total_fen == answer.money.cap_fen == sum(ln.paid_fen for ln in case.lines)


def test_about_an_accepted_case_the_consumer_ships_by_the_last_day() -> None:
    case = given(CaseKind.RETURN_REFUND, Reason.NO_REASON).did(accept_move(MERCHANT)).case
    answer = about_case(case, OPENED + timedelta(hours=1))
    mine = [d for d in answer.deadlines if d.yours]
    assert answer.your_turn and mine and mine[0].rule == "R13"
    assert mine[0].by.ends_at_midnight  # N natural days: by 24:00 of the last day
    shipped = given(CaseKind.RETURN_REFUND, Reason.NO_REASON).did(
        accept_move(MERCHANT), ship_return(fee_fen=1_200)
    )
    after = about_case(shipped.case, shipped.now)
    assert not any(d.yours for d in after.deadlines)


def test_about_a_quality_case_the_merchant_pays_both_legs_and_the_return_leg_comes_back() -> None:
    case = (
        given(CaseKind.RETURN_REFUND, Reason.QUALITY_DEFECT, delivered_at=DELIVERED)
        .did(accept_move(MERCHANT), ship_return(fee_fen=1_200))
        .case
    )
    answer = about_case(case, OPENED + timedelta(hours=1))
    assert answer.shipping is not None
    assert (answer.shipping.return_leg, answer.shipping.outbound_leg) == (
        Party.MERCHANT,
        Party.MERCHANT,
    )
    assert answer.money is not None and answer.money.return_leg_refunded
    assert answer.money.shipping_fen >= 1_200  # R2: the return leg's fee is owed back


def test_about_a_complaint_there_is_no_shipping_or_refund() -> None:
    case = open_case(CaseKind.COMPLAINT, Reason.SERVICE, description="rude service")
    answer = about_case(case, OPENED)
    assert answer.shipping is None and answer.money is None
    assert {d.rule for d in answer.deadlines} >= {"R9.a"}


def test_the_application_answers_a_consumer_about_their_own_order_and_case() -> None:
    # R16 from the stored facts: the policy in force (R19), the order, the case; P4: only theirs.
    clock = FakeClock()
    shop = seed(memory_app(clock), clock)
    clock.now = OPENED
    answer = ask_about_order(shop.app, actor=CONSUMER, order_no="O1")
    (first,) = answer.lines
    assert first.option(Action.NO_REASON_RETURN).available
    assert first.no_reason_shipping.return_leg is Party.CONSUMER  # R2: a first return
    case_no = shop.open()
    after = ask_about_order(shop.app, actor=CONSUMER, order_no="O1")
    assert after.lines[0].quantity == 0  # R3.a: the unit is under the open return
    case = ask_about_case(shop.app, actor=CONSUMER, case_no=case_no)
    assert case.case_no == case_no and case.status == "requested" and not case.your_turn
    agent = Actor(Role.PLATFORM_AGENT, "agent1")
    assert ask_about_case(shop.app, actor=agent, case_no=case_no).case_no == case_no
    with pytest.raises(NotFound):
        ask_about_order(shop.app, actor=OTHER_CONSUMER, order_no="O1")
    with pytest.raises(NotFound):
        ask_about_case(shop.app, actor=OTHER_CONSUMER, case_no=case_no)
