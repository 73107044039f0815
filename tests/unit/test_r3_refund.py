"""R3 refund timeline (PRC working days, statutory 7 days) and R3.a refund cap and tender split."""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.calendar import CST, PrcCalendar, cst_date
from domain.errors import InvalidInput, RefundExceedsPaid
from domain.lines import OrderLine, Tender, TenderRefund
from domain.rules import (
    refund_cap_fen,
    refund_deadline,
    split_refund,
    statutory_refund_deadline,
)
from domain.terms import PolicyTerms
from domain.values import TenderKind

PRC = PrcCalendar()
TERMS = PolicyTerms(categories=("apparel",))  # refund_working_days = 7
FAST = PolicyTerms(categories=("apparel",), refund_working_days=3)


def cst(y: int, m: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=CST)


# --- R3 timeline ----------------------------------------------------------------------------------


def test_refund_deadline_skips_national_day_and_counts_the_make_up_saturday() -> None:
    # Approved Mon 2026-09-28: 09-29, 09-30, [10-01..10-07], 10-08, 10-09, Sat 10-10, 10-12, 10-13.
    assert refund_deadline(cst(2026, 9, 28, 10, 0), TERMS, PRC) == cst(2026, 10, 14)


def test_three_working_day_refund_approved_on_national_day_eve_ends_on_make_up_saturday() -> None:
    assert refund_deadline(cst(2026, 9, 30, 23, 30), FAST, PRC) == cst(2026, 10, 11)


def test_refund_deadline_skips_spring_festival_2026() -> None:
    # Approved Fri 02-13: Sat 02-14, [02-15..02-23], 02-24, 02-25, 02-26, 02-27, Sat 02-28, 03-02.
    assert refund_deadline(cst(2026, 2, 13, 18, 0), TERMS, PRC) == cst(2026, 3, 3)


def test_refund_deadline_in_2027_is_computed_but_provisional() -> None:
    # Fallback: 09-30, [10-01..10-03 fixed, weekend], 10-04, 10-05 (the real holiday is unknown).
    deadline = refund_deadline(cst(2027, 9, 29, 9, 0), FAST, PRC)
    assert deadline == cst(2027, 10, 6)
    assert not PRC.is_authoritative(cst_date(deadline))


def test_statutory_refund_deadline_is_seven_natural_days_after_receipt() -> None:
    assert statutory_refund_deadline(cst(2026, 9, 30, 20, 0)) == cst(2026, 10, 8)


def test_statutory_refund_deadline_is_not_extended_by_holidays() -> None:
    assert statutory_refund_deadline(cst(2026, 2, 14, 9, 0)) == cst(2026, 2, 22)


def test_refund_deadlines_refuse_naive_datetimes() -> None:
    with pytest.raises(InvalidInput):
        refund_deadline(datetime(2026, 9, 28, 10, 0), TERMS, PRC)
    with pytest.raises(InvalidInput):
        statutory_refund_deadline(datetime(2026, 9, 28, 10, 0))


# --- R3.a cap -------------------------------------------------------------------------------------


def line(quantity: int = 3, paid: int = 10000) -> OrderLine:
    return OrderLine(
        line_no=1,
        sku="SKU-1",
        title="socks",
        category="apparel",
        quantity=quantity,
        paid_fen=paid,
        tenders=(Tender(TenderKind.CARD, paid - 1000), Tender(TenderKind.COUPON, 1000)),
    )


def test_refund_cap_is_the_whole_line_plus_shipping_owed() -> None:
    assert refund_cap_fen(line(), 3, 1200) == 11200


def test_refund_cap_for_part_of_a_line_rounds_down_to_whole_fen() -> None:
    assert refund_cap_fen(line(), 1, 0) == 3333
    assert refund_cap_fen(line(), 2, 500) == 6666 + 500


def test_refund_cap_refuses_negative_shipping_and_too_many_units() -> None:
    with pytest.raises(InvalidInput):
        refund_cap_fen(line(), 1, -1)
    with pytest.raises(InvalidInput):
        refund_cap_fen(line(), 4, 0)


# --- R3.a split -----------------------------------------------------------------------------------


def test_split_refund_gives_the_odd_fen_to_the_largest_remainder() -> None:
    tenders = (
        Tender(TenderKind.CARD, 333),
        Tender(TenderKind.WALLET, 333),
        Tender(TenderKind.POINTS, 334),
    )
    assert split_refund(100, tenders) == (
        TenderRefund(TenderKind.CARD, 33),
        TenderRefund(TenderKind.WALLET, 33),
        TenderRefund(TenderKind.POINTS, 34),
    )


def test_split_refund_breaks_ties_toward_the_earlier_tender() -> None:
    tenders = (Tender(TenderKind.CARD, 50), Tender(TenderKind.WALLET, 50))
    assert [p.amount_fen for p in split_refund(1, tenders)] == [1, 0]
    assert [p.amount_fen for p in split_refund(3, tenders)] == [2, 1]


def test_split_refund_returns_points_and_coupons_in_kind() -> None:
    tenders = (Tender(TenderKind.CARD, 9000), Tender(TenderKind.COUPON, 1000))
    parts = split_refund(5000, tenders)
    assert [(p.kind, p.amount_fen, p.in_kind) for p in parts] == [
        (TenderKind.CARD, 4500, False),
        (TenderKind.COUPON, 500, True),
    ]


def test_split_refund_of_everything_gives_each_tender_back_in_full() -> None:
    tenders = (
        Tender(TenderKind.CARD, 7),
        Tender(TenderKind.WALLET, 0),
        Tender(TenderKind.POINTS, 3),
    )
    assert [p.amount_fen for p in split_refund(10, tenders)] == [7, 0, 3]


def test_split_refund_above_what_was_paid_is_refused() -> None:
    with pytest.raises(RefundExceedsPaid) as caught:
        split_refund(101, (Tender(TenderKind.CARD, 100),))
    assert caught.value.rule == "R3.a"


def test_split_refund_of_a_negative_amount_is_invalid() -> None:
    with pytest.raises(InvalidInput) as caught:
        split_refund(-1, (Tender(TenderKind.CARD, 100),))
    assert caught.value.rule == "R3.a"


def test_split_refund_of_nothing_over_no_tenders_is_empty() -> None:
    assert split_refund(0, ()) == ()
    with pytest.raises(RefundExceedsPaid):
        split_refund(1, ())


tender_lists = st.lists(
    st.builds(
        Tender,
        st.sampled_from(list(TenderKind)),
        st.integers(min_value=0, max_value=10_000_000),
    ),
    min_size=1,
    max_size=6,
).map(tuple)


@st.composite
def refunds(draw: st.DrawFn) -> tuple[int, tuple[Tender, ...]]:
    tenders = draw(tender_lists)
    amount = draw(st.integers(min_value=0, max_value=sum(t.amount_fen for t in tenders)))
    return amount, tenders


@given(refunds())
def test_split_refund_parts_sum_exactly_and_never_exceed_their_tender(
    case: tuple[int, tuple[Tender, ...]],
) -> None:
    amount, tenders = case
    parts = split_refund(amount, tenders)
    assert sum(p.amount_fen for p in parts) == amount
    assert [p.kind for p in parts] == [t.kind for t in tenders]
    for part, tender in zip(parts, tenders, strict=True):
        assert 0 <= part.amount_fen <= tender.amount_fen


@given(refunds())
def test_split_refund_is_proportional_within_one_fen(case: tuple[int, tuple[Tender, ...]]) -> None:
    amount, tenders = case
    paid = sum(t.amount_fen for t in tenders)
    for part, tender in zip(split_refund(amount, tenders), tenders, strict=True):
        # |part - amount * tender / paid| < 1, in integers
        assert abs(part.amount_fen * paid - amount * tender.amount_fen) < max(paid, 1)


@given(refunds())
def test_split_refund_is_deterministic(case: tuple[int, tuple[Tender, ...]]) -> None:
    amount, tenders = case
    assert split_refund(amount, tenders) == split_refund(amount, tuple(tenders))


@given(refunds(), st.integers(min_value=1, max_value=10_000_000))
def test_split_refund_above_total_is_always_refused(
    case: tuple[int, tuple[Tender, ...]], extra: int
) -> None:
    _, tenders = case
    with pytest.raises(RefundExceedsPaid):
        split_refund(sum(t.amount_fen for t in tenders) + extra, tenders)
