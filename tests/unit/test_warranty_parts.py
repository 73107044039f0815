"""R5 parts warranty from the policy version and the order line's category: the parts offered for
a line with each one's warranty end, the floor (R19), the most generous reading, and free-text
components of stored cases (unlisted: the unit's warranty)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from domain.calendar import CST, format_deadline_cst
from domain.errors import InvalidInput, PolicyBelowFloor
from domain.lines import OrderLine, Tender
from domain.rules import eligibility
from domain.terms import PolicyTerms, WarrantyPart, check_terms, most_generous
from domain.transcodings import DataclassAsDict
from domain.values import CaseKind, Reason, TenderKind
from domain.warranty import UNIT, offer_for, parts_offered

DELIVERED = datetime(2026, 9, 30, 20, 0, tzinfo=CST)
TERMS = PolicyTerms(
    categories=("phones", "earphones"),
    parts=(
        WarrantyPart("battery", 3, "phones"),
        WarrantyPart("charger", 6, "phones"),
        WarrantyPart("ear tips", 3, "earphones"),
        WarrantyPart("cable", 4),  # every category
    ),
    warranty_parts=("screen protector",),  # the older list: every category, 3 months
)


def cst(y: int, m: int, d: int, h: int = 0) -> datetime:
    return datetime(y, m, d, h, tzinfo=CST)


def line(category: str = "phones") -> OrderLine:
    return OrderLine(1, "S", "T", category, 1, 100_00, (Tender(TenderKind.CARD, 100_00),))


def test_a_phone_line_is_offered_the_unit_then_its_categorys_parts_with_their_ends() -> None:
    offers = parts_offered(line(), TERMS, DELIVERED)
    assert [(o.component, o.months) for o in offers] == [
        (UNIT, 12),
        ("battery", 3),
        ("charger", 6),
        ("cable", 4),
        ("screen protector", 3),
    ]
    assert offers[0].is_unit and not any(o.is_unit for o in offers[1:])
    battery = offers[1]
    assert battery.rule == "R5"
    assert battery.warranty_end == cst(2026, 12, 31)  # 3 months from 09-30: last day 12-30
    assert format_deadline_cst(battery.warranty_end) == "2026-12-30 24:00 CST"
    assert battery.in_warranty(cst(2026, 12, 30, 23)) and not battery.in_warranty(cst(2026, 12, 31))


def test_an_earphone_line_is_not_offered_the_phones_parts() -> None:
    names = [o.component for o in parts_offered(line("earphones"), TERMS, DELIVERED)]
    assert names == [UNIT, "ear tips", "cable", "screen protector"]


def test_before_delivery_parts_are_offered_without_a_warranty_end() -> None:
    offers = parts_offered(line(), TERMS, None)
    assert all(o.warranty_end is None and not o.in_warranty(cst(2026, 9, 1)) for o in offers)


def test_a_part_of_the_line_has_its_own_warranty_in_eligibility() -> None:
    # R5: the charger is listed for phones with 6 months: ends with 2027-03-30.
    end = cst(2027, 3, 31)
    ok = eligibility(
        CaseKind.REPAIR,
        Reason.QUALITY_DEFECT,
        line(),
        TERMS,
        DELIVERED,
        end - timedelta(seconds=1),
        "charger",
    )
    assert ok.allowed and "free" in ok.message and "2027-03-30 24:00 CST" in ok.message
    late = eligibility(
        CaseKind.RETURN_REFUND, Reason.QUALITY_DEFECT, line(), TERMS, DELIVERED, end, "charger"
    )
    assert not late.allowed and late.rule == "R5" and "6-month" in late.message
    # the same name on an earphone line is not a listed part there: the unit's 12 months
    other = eligibility(
        CaseKind.RETURN_REFUND,
        Reason.QUALITY_DEFECT,
        line("earphones"),
        TERMS,
        DELIVERED,
        end,
        "charger",
    )
    assert other.allowed and "12-month" in other.message


def test_a_free_text_component_of_a_stored_case_keeps_the_units_warranty() -> None:
    offer = offer_for("left speaker", line(), TERMS, DELIVERED)
    assert (offer.months, offer.is_unit) == (12, False)
    assert offer.warranty_end == parts_offered(line(), TERMS, DELIVERED)[0].warranty_end
    assert TERMS.warranty_months_for("left speaker", "phones") == 12
    assert TERMS.warranty_months_for("screen protector") == 3  # the older list, any category


@pytest.mark.parametrize(
    ("part", "error", "text"),
    [
        (WarrantyPart("battery", 2, "phones"), PolicyBelowFloor, "below the platform floor"),
        (WarrantyPart("battery", 0, "phones"), InvalidInput, "positive whole number"),
        (WarrantyPart("battery", 3, "shoes"), InvalidInput, "not one of the policy's categories"),
        (WarrantyPart(" ", 3), InvalidInput, "needs a name"),
        (WarrantyPart("unit", 3), InvalidInput, "needs a name"),
    ],
)
def test_a_listed_part_is_checked_when_published(
    part: WarrantyPart, error: type[Exception], text: str
) -> None:
    with pytest.raises(error, match=text):
        check_terms(replace(TERMS, parts=(part,)))


def test_a_part_listed_twice_for_one_category_is_refused() -> None:
    twice = (WarrantyPart("battery", 3, "phones"), WarrantyPart("battery", 6, "phones"))
    with pytest.raises(InvalidInput, match="twice"):
        check_terms(replace(TERMS, parts=twice))
    check_terms(TERMS)


def test_most_generous_keeps_a_parts_longest_warranty_and_drops_an_unlisted_one() -> None:
    # R19 reading: a later version giving the battery 6 months, and no longer listing the
    # charger (so it has the unit's 12 months), applies to an earlier order.
    later = replace(TERMS, parts=(WarrantyPart("battery", 6, "phones"),))
    best = most_generous([TERMS, later])
    assert best.warranty_months_for("battery", "phones") == 6
    assert best.warranty_months_for("charger", "phones") == 12
    assert "charger" not in dict(best.parts_for("phones"))
    check_terms(best)


def test_a_version_stored_before_parts_existed_decodes_with_none() -> None:
    codec = DataclassAsDict(PolicyTerms)
    stored = codec.encode(PolicyTerms(categories=("phones",), warranty_parts=("battery",)))
    del stored["parts"]
    decoded = codec.decode(stored)
    assert decoded.parts == ()
    assert decoded.parts_for("phones") == (("battery", 3),)
