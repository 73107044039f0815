"""domain.rules eligibility: R1 window, R1.a/R1.b exclusions, R1.c quality, R5 warranty, kinds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.calendar import CST
from domain.errors import DeadlinePassed, InvalidInput, NotEligible
from domain.lines import OrderLine, Tender
from domain.rules import Verdict, eligibility, no_reason_window_end, warranty_end
from domain.terms import Exclusion, PolicyTerms
from domain.values import CaseKind, ExclusionKind, Reason, TenderKind

US = timedelta(microseconds=1)

TERMS = PolicyTerms(
    categories=("apparel", "fresh", "cosmetics", "phones", "underwear"),
    exclusions=(
        Exclusion("fresh", ExclusionKind.FRESH, "perishable food cannot be resold"),
        Exclusion("cosmetics", ExclusionKind.CONSUMABLE, "opened samples cannot be resold"),
        Exclusion("underwear", ExclusionKind.HYGIENE, "worn next to the skin"),
    ),
    warranty_parts=("battery",),
)

SIGNED = datetime(2026, 9, 30, 20, 0, tzinfo=CST)  # eve of National Day
WINDOW_END = datetime(2026, 10, 8, 0, 0, tzinfo=CST)
WARRANTY_END = datetime(2027, 10, 1, 0, 0, tzinfo=CST)  # 12 months: end of 2027-09-30 CST


def cst(y: int, m: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, tzinfo=CST)


def line(category: str = "apparel", *, confirmed: bool = False) -> OrderLine:
    return OrderLine(
        line_no=1,
        sku="SKU-1",
        title="item",
        category=category,
        quantity=1,
        paid_fen=19900,
        tenders=(Tender(TenderKind.CARD, 19900),),
        non_returnable_confirmed=confirmed,
    )


def judge(
    reason: Reason,
    now: datetime,
    *,
    kind: CaseKind = CaseKind.RETURN_REFUND,
    category: str = "apparel",
    confirmed: bool = False,
    delivered_at: datetime | None = SIGNED,
    terms: PolicyTerms = TERMS,
    component: str = "unit",
    opened: bool = False,
) -> Verdict:
    return eligibility(
        kind,
        reason,
        line(category, confirmed=confirmed),
        terms,
        delivered_at,
        now,
        component,
        opened=opened,
    )


# --- R1 window ------------------------------------------------------------------------------------


def test_no_reason_window_ends_at_midnight_cst_after_seventh_natural_day() -> None:
    assert no_reason_window_end(SIGNED, TERMS) == WINDOW_END


def test_no_reason_window_is_not_extended_by_national_day_for_a_late_eve_delivery() -> None:
    assert no_reason_window_end(cst(2026, 9, 30, 23, 30), TERMS) == WINDOW_END


def test_no_reason_window_follows_a_more_generous_merchant_policy() -> None:
    generous = PolicyTerms(categories=("apparel",), return_window_days=15)
    assert no_reason_window_end(SIGNED, generous) == cst(2026, 10, 16)


def test_no_reason_return_allowed_in_the_last_microsecond_of_the_seventh_day() -> None:
    verdict = judge(Reason.NO_REASON, WINDOW_END - US)
    assert verdict.allowed
    assert verdict.rule == "R1"
    assert verdict.deadline == WINDOW_END
    assert "2026-10-07 24:00 CST" in verdict.message
    verdict.raise_if_refused()


def test_no_reason_return_refused_after_seventh_day() -> None:
    verdict = judge(Reason.NO_REASON, WINDOW_END)
    assert not verdict.allowed
    assert verdict.rule == "R1"
    assert verdict.deadline == WINDOW_END
    assert "R1" in verdict.message and "2026-10-07 24:00 CST" in verdict.message
    with pytest.raises(DeadlinePassed) as caught:
        verdict.raise_if_refused()
    assert caught.value.rule == "R1"
    assert "2026-10-07 24:00 CST" in str(caught.value)


def test_no_reason_window_names_its_last_day_in_the_last_hour_and_last_second() -> None:
    # policy.md "Clocks": 7 natural days end at 24:00 of the 7th day; 10-07 is a National Day
    # holiday, which does not extend natural days (R1, Law art. 10).
    for now in (cst(2026, 10, 7, 23), cst(2026, 10, 7, 23, 59) + timedelta(seconds=59)):
        verdict = judge(Reason.NO_REASON, now)
        assert verdict.allowed
        assert "open until 2026-10-07 24:00 CST (R1)" in verdict.message
    refused = judge(Reason.NO_REASON, cst(2026, 10, 8))
    assert "closed at 2026-10-07 24:00 CST (R1)" in refused.message
    assert "10-08" not in refused.message


def test_no_reason_window_ending_on_a_make_up_working_day_names_that_day() -> None:
    # 2026-10-10 (a Saturday) is a make-up working day; natural days count it like any day (R1).
    signed = cst(2026, 10, 3, 9)
    last_second = cst(2026, 10, 10, 23, 59) + timedelta(seconds=59)
    assert (
        "until 2026-10-10 24:00 CST"
        in judge(Reason.NO_REASON, last_second, delivered_at=signed).message
    )
    refused = judge(Reason.NO_REASON, cst(2026, 10, 11), delivered_at=signed)
    assert not refused.allowed and "closed at 2026-10-10 24:00 CST (R1)" in refused.message


def test_warranty_messages_name_the_last_day_of_the_warranty() -> None:
    # R5: 12 months from 2026-09-30 end with 2027-09-30; R6 repair messages say the same day.
    inside = judge(Reason.QUALITY_DEFECT, cst(2027, 9, 30, 23, 59) + timedelta(seconds=59))
    assert "open until 2027-09-30 24:00 CST (R1.c, R5)" in inside.message
    repair = judge(Reason.QUALITY_DEFECT, WARRANTY_END, kind=CaseKind.REPAIR)
    assert "warranty ended at 2027-09-30 24:00 CST" in repair.message


def test_no_reason_exchange_follows_the_same_window() -> None:
    assert judge(Reason.NO_REASON, WINDOW_END - US, kind=CaseKind.EXCHANGE).allowed
    assert not judge(Reason.NO_REASON, WINDOW_END, kind=CaseKind.EXCHANGE).allowed


def test_no_reason_return_refused_before_delivery_is_signed_for() -> None:
    verdict = judge(Reason.NO_REASON, cst(2026, 9, 29), delivered_at=None)
    assert not verdict.allowed and verdict.rule == "R1"
    with pytest.raises(NotEligible) as caught:
        verdict.raise_if_refused()
    assert not isinstance(caught.value, DeadlinePassed)


def test_no_reason_window_uses_cst_date_of_a_delivery_signed_just_after_cst_midnight() -> None:
    signed = datetime(2026, 9, 30, 16, 30, tzinfo=UTC)  # 2026-10-01 00:30 CST
    assert judge(Reason.NO_REASON, cst(2026, 10, 8, 12), delivered_at=signed).allowed
    assert not judge(Reason.NO_REASON, cst(2026, 10, 9), delivered_at=signed).allowed


# --- R1.a / R1.b exclusions -----------------------------------------------------------------------


def test_excluded_category_refused_for_no_reason_even_inside_the_window() -> None:
    verdict = judge(Reason.NO_REASON, SIGNED + timedelta(hours=1), category="fresh")
    assert not verdict.allowed
    assert verdict.rule == "R1.a"
    assert "perishable food cannot be resold" in verdict.message
    assert "R1.a" in verdict.message
    with pytest.raises(NotEligible) as caught:
        verdict.raise_if_refused()
    assert not isinstance(caught.value, DeadlinePassed)
    assert caught.value.rule == "R1.a"


def test_confirmation_exclusion_does_not_bite_without_recorded_confirmation() -> None:
    verdict = judge(Reason.NO_REASON, SIGNED + timedelta(days=2), category="underwear")
    assert verdict.allowed
    assert verdict.rule == "R1"


def test_confirmation_exclusion_refuses_when_the_line_records_confirmation() -> None:
    verdict = judge(
        Reason.NO_REASON, SIGNED + timedelta(days=2), category="underwear", confirmed=True
    )
    assert not verdict.allowed
    assert verdict.rule == "R1.b"
    assert "worn next to the skin" in verdict.message and "(R1.b)" in verdict.message


def test_opened_exclusion_does_not_bite_on_goods_left_sealed() -> None:
    # R1.a: consumables are excluded "once opened"; a confirmation at purchase does not matter.
    for confirmed in (False, True):
        verdict = judge(
            Reason.NO_REASON, SIGNED + timedelta(days=2), category="cosmetics", confirmed=confirmed
        )
        assert verdict.allowed and verdict.rule == "R1"


def test_opened_consumable_is_refused_under_r1a_whatever_was_confirmed() -> None:
    for confirmed in (False, True):
        verdict = judge(
            Reason.NO_REASON,
            SIGNED + timedelta(days=2),
            category="cosmetics",
            confirmed=confirmed,
            opened=True,
        )
        assert not verdict.allowed and verdict.rule == "R1.a"
        assert "once opened" in verdict.message and "opened samples" in verdict.message
        with pytest.raises(NotEligible) as caught:
            verdict.raise_if_refused()
        assert not isinstance(caught.value, DeadlinePassed)


def test_opening_other_goods_changes_nothing() -> None:
    # R1: intact packaging is the merchant's case to prove (with evidence), not an exclusion.
    assert judge(Reason.NO_REASON, SIGNED + timedelta(days=2), opened=True).allowed
    hygiene = judge(Reason.NO_REASON, SIGNED + timedelta(days=2), category="underwear", opened=True)
    assert hygiene.allowed  # R1.b bites on the confirmation, not on opening


def test_opened_consumable_with_a_quality_problem_is_still_eligible() -> None:
    verdict = judge(Reason.QUALITY_DEFECT, cst(2026, 10, 20), category="cosmetics", opened=True)
    assert verdict.allowed and verdict.rule == "R1.c"


def test_recorded_confirmation_does_not_matter_for_an_unexcluded_category() -> None:
    assert judge(Reason.NO_REASON, SIGNED + timedelta(days=2), confirmed=True).allowed


# --- R1.c quality and R5 warranty -----------------------------------------------------------------


def test_quality_return_of_excluded_category_allowed_after_the_window_within_warranty() -> None:
    verdict = judge(Reason.QUALITY_DEFECT, cst(2027, 3, 1), category="fresh", confirmed=True)
    assert verdict.allowed
    assert verdict.rule == "R1.c"
    assert verdict.deadline == WARRANTY_END


@pytest.mark.parametrize(
    "reason",
    [Reason.QUALITY_DEFECT, Reason.WRONG_ITEM, Reason.TRANSPORT_DAMAGE, Reason.MISSING_ITEM],
)
def test_quality_reasons_allowed_in_last_microsecond_of_warranty(reason: Reason) -> None:
    assert judge(reason, WARRANTY_END - US).allowed


def test_quality_return_refused_after_warranty() -> None:
    verdict = judge(Reason.QUALITY_DEFECT, WARRANTY_END)
    assert not verdict.allowed
    assert verdict.rule == "R5"
    assert verdict.deadline == WARRANTY_END
    assert "2027-09-30 24:00 CST" in verdict.message
    with pytest.raises(DeadlinePassed) as caught:
        verdict.raise_if_refused()
    assert caught.value.rule == "R5"


def test_quality_exchange_needs_a_signed_delivery() -> None:
    verdict = judge(
        Reason.QUALITY_DEFECT, cst(2026, 9, 29), kind=CaseKind.EXCHANGE, delivered_at=None
    )
    assert not verdict.allowed
    assert verdict.rule == "R1.c"


def test_listed_part_has_the_short_warranty() -> None:
    parts_end = cst(2026, 12, 31)  # 3 months: to the end of 2026-12-30 CST
    assert warranty_end(SIGNED, 3) == parts_end
    assert judge(Reason.QUALITY_DEFECT, parts_end - US, component="battery").allowed
    refused = judge(Reason.QUALITY_DEFECT, parts_end, component="battery")
    assert not refused.allowed and refused.rule == "R5"
    assert judge(Reason.QUALITY_DEFECT, parts_end, component="screen").allowed


def test_warranty_end_clamps_to_month_end_from_a_month_end_delivery() -> None:
    delivered = cst(2025, 11, 30, 15, 0)
    assert warranty_end(delivered, 3) == cst(2026, 3, 1)  # end of 2026-02-28
    assert warranty_end(cst(2026, 1, 31, 9, 0), 1) == cst(2026, 3, 1)
    assert warranty_end(cst(2027, 11, 30, 9, 0), 3) == cst(2028, 3, 1)  # end of 2028-02-29


def test_quality_claim_on_listed_part_refused_the_day_after_the_clamped_month_end() -> None:
    delivered = cst(2025, 11, 30, 15, 0)
    assert judge(
        Reason.QUALITY_DEFECT, cst(2026, 2, 28, 23, 59), delivered_at=delivered, component="battery"
    ).allowed
    assert not judge(
        Reason.QUALITY_DEFECT, cst(2026, 3, 1), delivered_at=delivered, component="battery"
    ).allowed


def test_warranty_uses_the_cst_date_of_delivery() -> None:
    delivered = datetime(2026, 1, 30, 16, 30, tzinfo=UTC)  # 2026-01-31 00:30 CST
    assert warranty_end(delivered, 1) == cst(2026, 3, 1)
    assert warranty_end(delivered, 1).tzinfo is UTC


# --- refund_only ----------------------------------------------------------------------------------


def test_refund_only_for_goods_not_delivered_allowed_before_delivery() -> None:
    verdict = judge(
        Reason.NOT_DELIVERED, cst(2026, 9, 29), kind=CaseKind.REFUND_ONLY, delivered_at=None
    )
    assert verdict.allowed


def test_refund_only_for_goods_not_delivered_refused_once_signed_for() -> None:
    verdict = judge(Reason.NOT_DELIVERED, cst(2026, 10, 1), kind=CaseKind.REFUND_ONLY)
    assert not verdict.allowed
    assert "2026-09-30 20:00 CST" in verdict.message
    with pytest.raises(NotEligible):
        verdict.raise_if_refused()


def test_refund_only_for_missing_item_needs_delivery_and_warranty() -> None:
    assert judge(Reason.MISSING_ITEM, cst(2026, 10, 2), kind=CaseKind.REFUND_ONLY).allowed
    assert not judge(
        Reason.MISSING_ITEM, cst(2026, 10, 2), kind=CaseKind.REFUND_ONLY, delivered_at=None
    ).allowed


# --- repair (R6) and complaint (R9) ---------------------------------------------------------------


def test_repair_in_warranty_is_allowed_and_free() -> None:
    verdict = judge(Reason.QUALITY_DEFECT, WARRANTY_END - US, kind=CaseKind.REPAIR)
    assert verdict.allowed and verdict.rule == "R6"
    assert verdict.deadline == WARRANTY_END
    assert "free" in verdict.message


def test_repair_out_of_warranty_is_still_allowed_at_the_users_cost() -> None:
    verdict = judge(Reason.QUALITY_DEFECT, WARRANTY_END, kind=CaseKind.REPAIR)
    assert verdict.allowed and verdict.rule == "R6"
    assert "user's cost" in verdict.message
    assert "2027-09-30 24:00 CST" in verdict.message


def test_repair_of_user_damage_is_allowed_in_warranty() -> None:
    verdict = judge(Reason.USER_DAMAGE, cst(2026, 11, 1), kind=CaseKind.REPAIR)
    assert verdict.allowed
    assert "user's cost" in verdict.message


def test_repair_needs_a_delivery() -> None:
    verdict = judge(
        Reason.QUALITY_DEFECT, cst(2026, 9, 29), kind=CaseKind.REPAIR, delivered_at=None
    )
    assert not verdict.allowed


@pytest.mark.parametrize("reason", list(Reason))
def test_complaint_allowed_for_any_reason_even_undelivered(reason: Reason) -> None:
    verdict = judge(reason, cst(2030, 1, 1), kind=CaseKind.COMPLAINT, delivered_at=None)
    assert verdict.allowed
    assert verdict.rule == "R9"


COMPATIBLE = {
    CaseKind.RETURN_REFUND: {
        Reason.NO_REASON,
        Reason.QUALITY_DEFECT,
        Reason.WRONG_ITEM,
        Reason.TRANSPORT_DAMAGE,
        Reason.MISSING_ITEM,
    },
    CaseKind.EXCHANGE: {
        Reason.NO_REASON,
        Reason.QUALITY_DEFECT,
        Reason.WRONG_ITEM,
        Reason.TRANSPORT_DAMAGE,
        Reason.MISSING_ITEM,
    },
    CaseKind.REFUND_ONLY: {
        Reason.NOT_DELIVERED,
        Reason.MISSING_ITEM,
        Reason.QUALITY_DEFECT,
        Reason.WRONG_ITEM,
        Reason.TRANSPORT_DAMAGE,
    },
    CaseKind.REPAIR: {Reason.QUALITY_DEFECT, Reason.TRANSPORT_DAMAGE, Reason.USER_DAMAGE},
}


@pytest.mark.parametrize(
    ("kind", "reason"),
    [(k, r) for k in COMPATIBLE for r in Reason if r not in COMPATIBLE[k]],
)
def test_incompatible_kind_and_reason_is_refused_naming_the_reason(
    kind: CaseKind, reason: Reason
) -> None:
    verdict = judge(reason, SIGNED + timedelta(hours=1), kind=kind)
    assert not verdict.allowed
    assert reason.value in verdict.message
    assert verdict.rule in verdict.message
    with pytest.raises(NotEligible) as caught:
        verdict.raise_if_refused()
    assert not isinstance(caught.value, DeadlinePassed)


@pytest.mark.parametrize(
    ("kind", "reason"),
    [(k, r) for k in COMPATIBLE for r in COMPATIBLE[k] if r is not Reason.NOT_DELIVERED],
)
def test_compatible_kind_and_reason_is_allowed_the_day_after_delivery(
    kind: CaseKind, reason: Reason
) -> None:
    assert judge(reason, SIGNED + timedelta(days=1), kind=kind).allowed


# --- inputs ---------------------------------------------------------------------------------------


def test_eligibility_refuses_naive_now_and_naive_delivery() -> None:
    with pytest.raises(InvalidInput):
        judge(Reason.NO_REASON, datetime(2026, 10, 1))
    with pytest.raises(InvalidInput):
        judge(Reason.NO_REASON, cst(2026, 10, 1), delivered_at=datetime(2026, 9, 30))


def test_every_refusal_message_cites_its_rule() -> None:
    refusals = [
        judge(Reason.NO_REASON, WINDOW_END),
        judge(Reason.NO_REASON, WINDOW_END, delivered_at=None),
        judge(Reason.NO_REASON, SIGNED, category="fresh"),
        judge(Reason.NO_REASON, SIGNED, category="underwear", confirmed=True),
        judge(Reason.NO_REASON, SIGNED, category="cosmetics", opened=True),
        judge(Reason.QUALITY_DEFECT, WARRANTY_END),
        judge(Reason.NOT_DELIVERED, SIGNED, kind=CaseKind.REFUND_ONLY),
        judge(Reason.USER_DAMAGE, SIGNED, kind=CaseKind.EXCHANGE),
    ]
    for verdict in refusals:
        assert not verdict.allowed
        assert f"({verdict.rule})" in verdict.message
