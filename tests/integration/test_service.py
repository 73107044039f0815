"""The AfterSales service on SQLite and PostgreSQL: every case kind walked to its end, bad input
refused with nothing stored, R3.a across cases, timers, snapshots and a clean verify."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

import pytest

from domain.case import Case
from domain.case_values import Evidence, Ruling, RulingOutcome, Status
from domain.deadlines import Clock
from domain.errors import (
    CaseRuledFinal,
    DeadlinePassed,
    IllegalTransition,
    InvalidInput,
    NotFound,
    RefundExceedsPaid,
)
from domain.lines import OrderLine, Tender
from domain.service import AfterSales, LineRequest
from domain.values import Actor, CaseKind, Role, TenderKind
from tests.integration.conftest import MakeApp
from tests.unit.builders import (
    AGENT,
    ARBITRATOR,
    CONSUMER,
    DELIVERED,
    FINANCE,
    MERCHANT,
    OTHER_MERCHANT,
    PHOTO,
    SYSTEM,
    US,
    FakeClock,
    Shop,
    cst,
    order_line,
    raises_nothing_stored,
    seed,
)

OPEN_AT = cst(2026, 9, 24, 9)


@pytest.fixture
def shop(make_app: MakeApp) -> Shop:
    clock = FakeClock()
    shop = seed(make_app(clock), clock, shipping_fee_fen=10_00)
    clock.now = OPEN_AT
    return shop


def tick(shop: Shop, **delta: float) -> None:
    shop.clock.advance(**(delta or {"minutes": 5}))


def walk(shop: Shop, case_no: str, *steps: tuple[str, Actor, dict[str, Any]]) -> Case:
    for command, actor, kwargs in steps:
        tick(shop)
        shop.do(command, case_no, actor, **kwargs)
    return shop.app.get_case(case_no)


def returned(fee_fen: int = 0) -> list[tuple[str, Actor, dict[str, Any]]]:
    return [
        ("accept", MERCHANT, {}),
        ("ship_return", CONSUMER, {"carrier": "SF", "tracking_no": "SF1", "fee_fen": fee_fen}),
        ("record_return_delivered", SYSTEM, {}),
        ("confirm_receipt", MERCHANT, {}),
    ]


def assert_closed_and_verified(shop: Shop, case: Case, outcome: str) -> None:
    assert (case.status, case.outcome) == (Status.CLOSED, outcome)
    (report,) = shop.app.verify(case.case_no)
    assert report.ok and report.events_checked == case.version


# ----------------------------------------------------------------------------- every kind
def test_no_reason_return_refund_to_its_end(shop: Shop) -> None:
    case_no = shop.open()
    case = walk(
        shop,
        case_no,
        *returned(fee_fen=12_00),
        ("inspect", MERCHANT, {"responsibility": "no_fault", "findings": "as new"}),
        ("approve_refund", AGENT, {}),
        ("record_refund_paid", FINANCE, {"psp_reference": "PSP1"}),
        ("rate", CONSUMER, {"score": 5}),
    )
    assert case.refund is not None and case.refund.total_fen == 100_00
    assert case.rating == 5
    assert_closed_and_verified(shop, case, "refunded")


def test_defect_return_refund_to_its_end_with_shipping(shop: Shop) -> None:
    case_no = shop.open(reason="quality_defect", description="screen flickers")
    case = walk(
        shop,
        case_no,
        *returned(fee_fen=12_00),
        ("inspect", MERCHANT, {"responsibility": "product_defect", "findings": "dead pixels"}),
        ("approve_refund", AGENT, {}),
        ("record_refund_paid", FINANCE, {"psp_reference": "PSP1"}),
    )
    # R2: the merchant pays both legs: the 12.00 return leg and the order's 10.00 delivery.
    assert case.refund is not None and case.refund.total_fen == 122_00
    assert_closed_and_verified(shop, case, "refunded")


def test_refund_only_for_goods_not_delivered_to_its_end(make_app: MakeApp) -> None:
    clock = FakeClock()
    shop = seed(make_app(clock), clock, delivered_at=None)
    clock.now = OPEN_AT
    case_no = shop.open("refund_only", "not_delivered", description="never arrived")
    case = walk(
        shop,
        case_no,
        ("accept", MERCHANT, {}),
        ("approve_refund", AGENT, {}),
        ("record_refund_paid", FINANCE, {"psp_reference": "PSP1"}),
    )
    assert_closed_and_verified(shop, case, "refunded")


def test_exchange_to_its_end(shop: Shop) -> None:
    case_no = shop.open("exchange", "no_reason")
    case = walk(
        shop,
        case_no,
        *returned(),
        ("inspect", MERCHANT, {"responsibility": "no_fault", "findings": "ok"}),
        ("ship_exchange", MERCHANT, {"carrier": "SF", "tracking_no": "SF9"}),
        ("confirm_goods_received", CONSUMER, {}),  # R7/R8 (issue 7): ends on the consumer's word
    )
    assert_closed_and_verified(shop, case, "exchanged")


@pytest.mark.parametrize(
    ("when", "answer", "outcome", "fee"),
    [
        (OPEN_AT, None, "repaired", 0),
        (cst(2027, 9, 23), True, "repaired", 150_00),
        (cst(2027, 9, 23), False, "returned_unrepaired", 0),
    ],
    ids=["in-warranty-free", "quote-accepted", "quote-declined"],
)
def test_repair_to_its_end(
    shop: Shop, when: datetime, answer: bool | None, outcome: str, fee: int
) -> None:
    shop.clock.now = when
    case_no = shop.open("repair", "quality_defect", description="won't charge")
    steps: list[tuple[str, Actor, dict[str, Any]]] = [
        *returned(),
        ("inspect", MERCHANT, {"responsibility": "product_defect", "findings": "port broken"}),
    ]
    if answer is not None:
        steps += [
            ("quote_repair", MERCHANT, {"fee_fen": 150_00}),
            ("answer_quote", CONSUMER, {"accepted": answer}),
        ]
    steps.append(
        ("complete_repair", MERCHANT, {"notes": "done", "carrier": "SF", "tracking_no": "9"})
    )
    steps.append(("confirm_goods_received", CONSUMER, {}))  # R7 (issue 7): goods back
    case = walk(shop, case_no, *steps)
    assert case.repair_fee_fen == fee
    assert_closed_and_verified(shop, case, outcome)


def test_complaint_to_its_end(shop: Shop) -> None:
    case_no = shop.open("complaint", "service", lines=(), description="rude staff")
    case = walk(
        shop,
        case_no,
        ("respond_to_complaint", AGENT, {"reason": "looking into it"}),
        ("give_opinion", AGENT, {"opinion": "merchant apologises"}),
        ("close_case", CONSUMER, {"reason": "fine"}),
        ("rate", CONSUMER, {"score": 3}),
    )
    assert_closed_and_verified(shop, case, "closed")


RULINGS: dict[str, tuple[Ruling, list[tuple[str, Actor, dict[str, Any]]], str]] = {
    "refund": (
        Ruling(RulingOutcome.REFUND, refund_fen=60_00),
        [
            ("approve_refund", AGENT, {}),
            ("record_refund_paid", FINANCE, {"psp_reference": "P"}),
        ],
        "refunded",
    ),
    "exchange": (
        Ruling(RulingOutcome.EXCHANGE),
        [
            ("ship_exchange", MERCHANT, {"carrier": "SF", "tracking_no": "X"}),
            ("confirm_goods_received", CONSUMER, {}),
        ],
        "exchanged",
    ),
    "repair": (
        Ruling(RulingOutcome.REPAIR, compensation_fen=5_00),
        [
            ("grant_compensation", MERCHANT, {"amount_fen": 5_00, "reason": "delay"}),
            ("complete_repair", MERCHANT, {"notes": "fixed"}),
            ("confirm_goods_received", CONSUMER, {}),
            ("record_compensation_paid", FINANCE, {"psp_reference": "C"}),
        ],
        "repaired",
    ),
    "compensation": (
        Ruling(RulingOutcome.COMPENSATION, compensation_fen=30_00),
        [
            ("grant_compensation", AGENT, {"amount_fen": 30_00, "reason": "ruled"}),
            ("record_compensation_paid", FINANCE, {"psp_reference": "C"}),
        ],
        "compensated",
    ),
    "dismissed": (Ruling(RulingOutcome.DISMISSED), [], "dismissed"),
}


@pytest.mark.parametrize("outcome", RULINGS)
def test_arbitration_to_its_end_for_each_ruling(shop: Shop, outcome: str) -> None:
    ruling, carry_out, closed_as = RULINGS[outcome]
    case_no = shop.open(reason="quality_defect", description="broken")
    walk(
        shop,
        case_no,
        ("reject", MERCHANT, {"reason": "looks fine to us"}),
        ("escalate", CONSUMER, {"reason": "it is broken"}),
        ("submit_evidence", CONSUMER, {"evidence": (PHOTO,), "reason": "photo"}),
        ("rule", ARBITRATOR, {"ruling": ruling, "reasoning": "on the photo"}),
    )
    final = IllegalTransition if outcome == "dismissed" else CaseRuledFinal  # closed already
    tick(shop)
    raises_nothing_stored(shop, final, lambda: shop.do("withdraw", case_no, CONSUMER))
    case = walk(shop, case_no, *carry_out)
    assert case.ruling == ruling
    assert_closed_and_verified(shop, case, closed_as)


# ----------------------------------------------------------------------------- bad input
NAIVE = datetime(2026, 9, 21, 10)


def other_order(shop: Shop) -> None:
    shop.app.record_order(
        request_id="order-O2",
        actor=SYSTEM,
        order_no="O2",
        consumer_id=CONSUMER.id,
        merchant_id="m1",
        placed_at=cst(2026, 9, 21, 10),
        lines=(order_line(1), order_line(2, category="apparel")),
    )


Setup = Callable[[Shop, str], Any]


def nothing(shop: Shop, case_no: str) -> None:
    pass


def inspected(responsibility: str) -> Setup:
    def setup(shop: Shop, case_no: str) -> None:
        walk(
            shop,
            case_no,
            *returned(),
            ("inspect", MERCHANT, {"responsibility": responsibility, "findings": "seen"}),
        )

    return setup


def in_transit(shop: Shop, case_no: str) -> None:
    walk(shop, case_no, *returned()[:2])


def with_other_order(shop: Shop, case_no: str) -> None:
    other_order(shop)


# name: (error, words of its message, setup on a fresh no-reason return case, the bad call)
BAD_INPUT: dict[str, tuple[type[Exception], str, Setup, Callable[[Shop, str], Any]]] = {
    "unknown order": (
        NotFound,
        "O404",
        nothing,
        lambda s, c: s.open(order_no="O404"),
    ),
    "a line not in the order": (
        NotFound,
        "has no line 2",
        nothing,
        lambda s, c: s.open(lines=(LineRequest(2, 1),)),
    ),
    "a line of another order": (
        NotFound,
        "order O1 has no line 2",
        with_other_order,
        lambda s, c: s.open(lines=(LineRequest(2, 1),)),
    ),
    "more units than bought": (
        InvalidInput,
        "1 unit(s)",
        nothing,
        lambda s, c: s.open(lines=(LineRequest(1, 2),)),
    ),
    "a negative quantity": (
        InvalidInput,
        "at least 1",
        nothing,
        lambda s, c: s.open(lines=(LineRequest(1, -1),)),
    ),
    "a line named twice": (
        InvalidInput,
        "named twice",
        nothing,
        lambda s, c: s.open(lines=(LineRequest(1, 1), LineRequest(1, 1))),
    ),
    "unknown case kind": (
        InvalidInput,
        "unknown kind 'refund'",
        nothing,
        lambda s, c: s.open("refund"),
    ),
    "unknown reason": (
        InvalidInput,
        "unknown reason_code 'meh'",
        nothing,
        lambda s, c: s.open(reason="meh"),
    ),
    "unknown channel": (
        InvalidInput,
        "unknown channel",
        nothing,
        lambda s, c: s.open(channel="fax"),
    ),
    "unknown responsibility": (
        InvalidInput,
        "unknown responsibility 'gremlins'",
        nothing,
        lambda s, c: s.do("inspect", c, MERCHANT, responsibility="gremlins", findings="?"),
    ),
    "a negative refund": (
        InvalidInput,
        "-1 fen",
        inspected("no_fault"),
        lambda s, c: s.do("approve_refund", c, AGENT, amount_fen=-1),
    ),
    "a refund above the cap": (
        RefundExceedsPaid,
        "exceeds",
        inspected("no_fault"),
        lambda s, c: s.do("approve_refund", c, AGENT, amount_fen=10_000_00),
    ),
    "a negative return shipping fee": (
        InvalidInput,
        "non-negative",
        nothing,
        lambda s, c: s.do("ship_return", c, CONSUMER, carrier="SF", tracking_no="1", fee_fen=-5),
    ),
    "a negative compensation": (
        InvalidInput,
        "positive",
        inspected("product_defect"),
        lambda s, c: s.do("grant_compensation", c, MERCHANT, amount_fen=-100, reason="x"),
    ),
    "a category not in the policy": (
        InvalidInput,
        "'toys' is not in merchant m1's policy",
        nothing,
        lambda s, c: s.app.record_order(
            request_id="toys",
            actor=SYSTEM,
            order_no="O3",
            consumer_id=CONSUMER.id,
            merchant_id="m1",
            placed_at=cst(2026, 9, 21),
            lines=(order_line(category="toys"),),
        ),
    ),
    "a negative line amount": (
        InvalidInput,
        "cannot be negative",
        nothing,
        lambda s, c: OrderLine(1, "S", "t", "phones", 1, -1, (Tender(TenderKind.CARD, -1),)),
    ),
    "a naive order time": (
        InvalidInput,
        "time zone",
        nothing,
        lambda s, c: s.app.record_order(
            request_id="naive",
            actor=SYSTEM,
            order_no="O4",
            consumer_id=CONSUMER.id,
            merchant_id="m1",
            placed_at=NAIVE,
            lines=(order_line(),),
        ),
    ),
    "a naive delivery time": (
        InvalidInput,
        "time zone",
        nothing,
        lambda s, c: s.app.record_delivery(
            request_id="naive-d", actor=SYSTEM, order_no="O1", signed_at=NAIVE
        ),
    ),
    "a naive return delivery time": (
        InvalidInput,
        "time zone",
        in_transit,
        lambda s, c: s.do("record_return_delivered", c, SYSTEM, delivered_at=NAIVE),
    ),
    "an empty request id": (
        InvalidInput,
        "request id",
        nothing,
        lambda s, c: s.app.accept(request_id=" ", actor=MERCHANT, case_no=c),
    ),
    "an unknown case": (
        NotFound,
        "unknown case",
        nothing,
        lambda s, c: s.do("accept", "AS404", MERCHANT),
    ),
    "another merchant's case": (
        NotFound,
        "no case",
        nothing,
        lambda s, c: s.do("accept", c, OTHER_MERCHANT),
    ),
    "a duplicate order": (
        InvalidInput,
        "recorded already",
        nothing,
        lambda s, c: s.app.record_order(
            request_id="again",
            actor=SYSTEM,
            order_no="O1",
            consumer_id=CONSUMER.id,
            merchant_id="m1",
            placed_at=cst(2026, 9, 21),
            lines=(order_line(),),
        ),
    ),
    "an order handed over by a consumer": (
        InvalidInput,
        "handed over",
        nothing,
        lambda s, c: s.app.record_order(
            request_id="me",
            actor=CONSUMER,
            order_no="O5",
            consumer_id=CONSUMER.id,
            merchant_id="m1",
            placed_at=cst(2026, 9, 21),
            lines=(order_line(),),
        ),
    ),
}


@pytest.mark.parametrize("case", BAD_INPUT)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_stored(
    shop: Shop, case: str
) -> None:
    error, message, setup, call = BAD_INPUT[case]
    case_no = shop.open()
    setup(shop, case_no)
    tick(shop)
    before = shop.stored()
    with pytest.raises(error) as info:
        call(shop, case_no)
    assert message in str(info.value), str(info.value)
    assert shop.stored() == before, "a refused command stores nothing"


# ----------------------------------------------------------------------------- R3.a / claims
def test_the_same_unit_cannot_be_under_two_refund_cases(shop: Shop) -> None:
    first = shop.open()
    tick(shop)
    error = raises_nothing_stored(shop, IllegalTransition, shop.open)
    assert error.rule == "R3.a" and "not already under another case" in str(error)
    walk(shop, first, ("withdraw", CONSUMER, {}))  # the claim is released
    tick(shop)
    assert shop.app.get_case(shop.open()).status is Status.REQUESTED


def test_a_refunded_unit_stays_claimed(shop: Shop) -> None:
    case_no = shop.open()
    walk(
        shop,
        case_no,
        *returned(),
        ("inspect", MERCHANT, {"responsibility": "no_fault", "findings": "ok"}),
        ("approve_refund", AGENT, {}),
        ("record_refund_paid", FINANCE, {"psp_reference": "P"}),
    )
    tick(shop)
    raises_nothing_stored(shop, IllegalTransition, lambda: shop.open(reason="quality_defect"))


def test_an_exchange_and_a_repair_do_not_claim_the_units(shop: Shop) -> None:
    shop.open("exchange")
    tick(shop)
    shop.open("repair", "quality_defect")
    tick(shop)
    assert shop.app.get_case(shop.open()).status is Status.REQUESTED


def test_refund_approved_twice_through_the_service_stores_nothing(shop: Shop) -> None:
    case_no = shop.open()
    walk(
        shop,
        case_no,
        *returned(),
        ("inspect", MERCHANT, {"responsibility": "no_fault", "findings": "ok"}),
        ("approve_refund", AGENT, {}),
    )
    tick(shop)
    error = raises_nothing_stored(
        shop, IllegalTransition, lambda: shop.do("approve_refund", case_no, AGENT)
    )
    assert error.rule == "R3.a"


# ----------------------------------------------------------------------------- eligibility, timers
def test_window_boundary_through_open_case(make_app: MakeApp) -> None:
    clock = FakeClock()
    shop = seed(make_app(clock), clock)
    end = cst(2026, 9, 30)  # signed for 09-22: seven days 09-23 .. 09-29
    clock.now = end
    raises_nothing_stored(shop, DeadlinePassed, shop.open)
    clock.now = end - US
    assert shop.app.get_case(shop.open()).delivered_at == DELIVERED


def test_expire_through_the_service_on_this_store(shop: Shop) -> None:
    case_no = shop.open()
    due = shop.app.get_case(case_no).deadlines[Clock.MERCHANT_DECISION].due_at
    shop.clock.now = due - US
    before = shop.stored()
    assert not shop.app.expire(case_no=case_no, clock="merchant_decision").changed
    assert shop.stored() == before
    shop.clock.now = due
    assert shop.app.expire(case_no=case_no, clock="merchant_decision").changed
    after = shop.stored()
    assert not shop.app.expire(case_no=case_no, clock="merchant_decision").changed
    assert shop.stored() == after
    case = shop.app.get_case(case_no)
    assert case.status is Status.AWAITING_RETURN
    assert shop.app.verify(case_no)[0].ok


# ----------------------------------------------------------------------------- snapshots
def replayed(app: AfterSales, case_id: UUID) -> Case:
    """The case rebuilt from its events alone, ignoring any snapshot."""
    aggregate: Any = None
    for event in app.events.get(case_id):
        aggregate = event.mutate(aggregate)
    assert isinstance(aggregate, Case)
    return aggregate


def typed(case: Any) -> dict[str, Any]:
    state = dict(vars(case))
    state.pop("_pending_events", None)
    return {k: (type(v), v) for k, v in state.items()}


def test_a_case_longer_than_the_snapshot_interval_reloads_identically(shop: Shop) -> None:
    interval = AfterSales.snapshotting_intervals[Case]
    case_no = shop.open()
    walk(shop, case_no, ("accept", MERCHANT, {}))
    for i in range(interval):
        tick(shop)
        shop.do("add_note", case_no, CONSUMER, text=f"note {i}")
    case_id = shop.app.get_case(case_no).id
    assert shop.app.snapshots is not None
    snapshots = list(shop.app.snapshots.get(case_id))
    assert [s.originator_version for s in snapshots] == [interval]
    loaded = shop.app.get_case(case_no)
    assert loaded.version == interval + 3  # opened, triaged (R20), ...
    assert typed(loaded) == typed(replayed(shop.app, case_id))
    assert loaded.status is Status.AWAITING_RETURN and loaded.kind is CaseKind.RETURN_REFUND
    # ... and it goes on working from the snapshot.
    case = walk(
        shop,
        case_no,
        ("ship_return", CONSUMER, {"carrier": "SF", "tracking_no": "1"}),
        ("record_return_delivered", SYSTEM, {}),
        ("confirm_receipt", MERCHANT, {}),
        ("inspect", MERCHANT, {"responsibility": "no_fault", "findings": "ok"}),
        ("approve_refund", AGENT, {}),
        ("record_refund_paid", FINANCE, {"psp_reference": "P"}),
    )
    assert typed(case) == typed(replayed(shop.app, case_id))
    assert_closed_and_verified(shop, case, "refunded")


def test_snapshot_as_of_a_past_version_matches_the_replay(shop: Shop) -> None:
    case_no = shop.open()
    for i in range(30):
        tick(shop)
        shop.do("add_note", case_no, MERCHANT, text=f"n{i}", internal=True)
    case_id = shop.app.get_case(case_no).id
    past = shop.app.get_case(case_no, version=27)
    rebuilt: Any = None
    for event in shop.app.events.get(case_id, lte=27):
        rebuilt = event.mutate(rebuilt)
    assert typed(past) == typed(rebuilt)


def test_an_untampered_store_verifies_clean(shop: Shop) -> None:
    first = shop.open()
    tick(shop)
    second = shop.open("repair", "quality_defect")
    walk(shop, first, ("accept", MERCHANT, {}))
    reports = shop.app.verify()
    assert {r.originator_id for r in reports} == {
        shop.app.get_case(first).id,
        shop.app.get_case(second).id,
    }
    assert all(r.ok for r in reports)
    with pytest.raises(NotFound):
        shop.app.verify("AS404")


def test_evidence_is_named_by_its_hash() -> None:
    with pytest.raises(InvalidInput, match="SHA-256"):
        Evidence("not-a-hash", "x.jpg", "image/jpeg", 1)


def test_aware_times_are_stored_as_given(shop: Shop) -> None:
    case = shop.app.get_case(shop.open())
    assert (case.opened_at == OPEN_AT and case.opened_at.utcoffset() == timedelta(0)) or (
        case.opened_at == OPEN_AT
    )
    assert Role(case.deadlines[Clock.MERCHANT_DECISION].party) is Role.MERCHANT


def test_a_policy_with_more_versions_than_the_snapshot_interval_reloads_identically(
    shop: Shop,
) -> None:
    from dataclasses import replace

    from domain.policy import MerchantPolicy
    from tests.unit.builders import TERMS

    interval = AfterSales.snapshotting_intervals[MerchantPolicy]
    for i in range(interval):
        tick(shop)
        shop.app.publish_policy(
            request_id=f"v{i + 2}",
            actor=MERCHANT,
            merchant_id="m1",
            terms=replace(TERMS, return_window_days=7 + i % 3),
        )
    policy = shop.app.get_policy("m1")
    assert policy.current.number == interval + 1
    rebuilt: Any = None
    for event in shop.app.events.get(policy.id):
        rebuilt = event.mutate(rebuilt)
    assert typed(policy) == typed(rebuilt)
    assert shop.app.get_case(shop.open()).terms.return_window_days == 9  # R19: the most generous
