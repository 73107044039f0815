"""The platform's list of excludable categories (R1.a, R1.b, R19): a merchant excludes only a
listed category, with a kind the list allows for it; the refusal names both."""

from __future__ import annotations

from dataclasses import replace

import pytest

from domain.errors import PolicyBelowFloor
from domain.exclusions import PLATFORM_EXCLUDABLE, excludable
from domain.terms import Exclusion, PolicyTerms, check_terms
from domain.values import ExclusionKind

BASE = PolicyTerms(categories=("phones", "fruit", "cosmetics", "underwear", "生鲜", "e_books"))


def excluding(category: str, kind: ExclusionKind) -> PolicyTerms:
    return replace(BASE, exclusions=(Exclusion(category, kind, "shown to consumers"),))


@pytest.mark.parametrize(
    ("category", "kind"),
    [
        ("fruit", ExclusionKind.FRESH),  # R1.a 生鲜
        ("生鲜", ExclusionKind.FRESH),
        ("e_books", ExclusionKind.DIGITAL),  # R1.a 数字商品
        ("cosmetics", ExclusionKind.CONSUMABLE),  # R1.a once opened
        ("underwear", ExclusionKind.HYGIENE),  # R1.b confirmed at purchase
    ],
)
def test_a_listed_category_may_be_excluded_with_its_kind(
    category: str, kind: ExclusionKind
) -> None:
    check_terms(excluding(category, kind))


def test_a_category_not_on_the_platform_list_cannot_be_excluded() -> None:
    with pytest.raises(PolicyBelowFloor) as caught:
        check_terms(excluding("phones", ExclusionKind.FRESH))  # phones as "fresh goods"
    message = str(caught.value)
    assert caught.value.rule == "R19" and caught.value.field == "exclusions"
    assert "'phones'" in message and "(R1.a, R19)" in message
    assert "fruit (fresh)" in message and "underwear (hygiene)" in message  # the allowed ones


@pytest.mark.parametrize(
    ("category", "kind", "allowed"),
    [
        ("fruit", ExclusionKind.DIGITAL, "fresh"),
        ("cosmetics", ExclusionKind.FRESH, "consumable"),
        ("underwear", ExclusionKind.CUSTOM, "hygiene"),
    ],
)
def test_a_listed_category_with_a_kind_it_does_not_allow_is_refused(
    category: str, kind: ExclusionKind, allowed: str
) -> None:
    with pytest.raises(PolicyBelowFloor) as caught:
        check_terms(excluding(category, kind))
    message = str(caught.value)
    assert f"{category!r} may be excluded only as {allowed}" in message
    assert f"not as {kind.value}" in message and "R19" in message


def test_names_match_without_case_or_blanks_and_every_entry_has_a_reason() -> None:
    entry = excludable(" Fruit ")
    assert entry is not None and entry.kinds == (ExclusionKind.FRESH,)
    assert excludable("phones") is None
    names = [n for e in PLATFORM_EXCLUDABLE for n in e.names]
    assert len(names) == len(set(names))
    for e in PLATFORM_EXCLUDABLE:
        assert e.kinds and e.reason.strip() and e.reason_zh.strip()
        assert e.rule in ("R1.a", "R1.b")
    assert excludable("underwear").rule == "R1.b"  # type: ignore[union-attr]
