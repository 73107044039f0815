"""domain.terms: the issue 7 process terms, their platform floors / ceilings (R19) and the
R12.a per-kind first-response table; stored versions written before them still load and verify."""

from __future__ import annotations

from dataclasses import replace

import pytest

from domain.chain import canonical
from domain.errors import InvalidInput, PolicyBelowFloor
from domain.terms import (
    PLATFORM_FIRST_RESPONSE_HOURS,
    TERM_BOUNDS,
    KindHours,
    PolicyTerms,
    check_terms,
    most_generous,
)
from domain.transcodings import DataclassAsDict
from domain.values import CaseKind

BASE = PolicyTerms(categories=("phones",))

NEW_TERMS = {
    "return_transit_days": (7, "at_most", "R13"),
    "inspection_hours": (48, "at_most", "R14"),
    "refund_review_hours": (24, "at_most", "R3"),
    "replacement_ship_hours": (48, "at_most", "R8"),
    "confirm_goods_days": (10, "at_least", "R8"),
    "repair_days": (7, "at_most", "R7"),
    "quote_answer_days": (3, "at_least", "R6"),
    "ship_back_hours": (48, "at_most", "R14"),
    "dispute_days": (7, "at_least", "R10"),
    "post_close_days": (15, "at_least", "R9"),
}


@pytest.mark.parametrize("name", sorted(NEW_TERMS))
def test_new_process_terms_default_to_the_plan_and_are_bounded_by_the_platform(name: str) -> None:
    default, bound, rule = NEW_TERMS[name]
    assert getattr(BASE, name) == default
    assert TERM_BOUNDS[name] == (bound, rule)
    check_terms(replace(BASE, **{name: default}))  # the bound itself is allowed (R19)
    worse = default + 1 if bound == "at_most" else default - 1
    better = default - 1 if bound == "at_most" else default + 1
    check_terms(replace(BASE, **{name: better}))  # more generous / faster is allowed (R19)
    with pytest.raises(PolicyBelowFloor) as caught:
        check_terms(replace(BASE, **{name: worse}))
    assert caught.value.rule == "R19" and f"({rule})" in str(caught.value)
    assert caught.value.field == name


@pytest.mark.parametrize("name", sorted(NEW_TERMS))
@pytest.mark.parametrize("value", [0, -1, True])
def test_new_process_terms_must_be_positive_whole_numbers(name: str, value: int) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_terms(replace(BASE, **{name: value}))
    assert caught.value.field == name


@pytest.mark.parametrize(
    ("kind", "hours"),
    [
        (CaseKind.RETURN_REFUND, 24),  # R12.a
        (CaseKind.REFUND_ONLY, 24),
        (CaseKind.EXCHANGE, 24),
        (CaseKind.REPAIR, 48),  # R5.a: a repair is not breached at 24 h
        (CaseKind.COMPLAINT, 24),  # R9.a
    ],
)
def test_first_response_sla_is_per_kind_by_default(kind: CaseKind, hours: int) -> None:
    assert BASE.first_response_hours_for(kind) == hours == PLATFORM_FIRST_RESPONSE_HOURS[kind]


def test_a_version_published_before_the_table_keeps_its_promise_for_returns() -> None:
    # R12.a: first_response_hours=12 was the one SLA of every kind; it still holds for returns,
    # and repair follows its own R5.a response term.
    old = replace(BASE, first_response_hours=12, repair_response_hours=36)
    assert old.first_response_hours_for(CaseKind.RETURN_REFUND) == 12
    assert old.first_response_hours_for(CaseKind.EXCHANGE) == 12
    assert old.first_response_hours_for(CaseKind.REPAIR) == 36


def test_a_version_sets_a_kinds_first_response_hours() -> None:
    terms = replace(
        BASE,
        first_response_by_kind=(KindHours(CaseKind.REPAIR, 30), KindHours("exchange", 6)),  # type: ignore[arg-type]
    )
    check_terms(terms)
    assert terms.first_response_hours_for(CaseKind.REPAIR) == 30
    assert terms.first_response_hours_for(CaseKind.EXCHANGE) == 6
    assert terms.first_response_hours_for(CaseKind.RETURN_REFUND) == 24


@pytest.mark.parametrize(
    ("kind", "hours"),
    [(CaseKind.REPAIR, 49), (CaseKind.RETURN_REFUND, 25), (CaseKind.COMPLAINT, 25)],
)
def test_a_kinds_first_response_may_not_be_slower_than_the_platform(
    kind: CaseKind, hours: int
) -> None:
    with pytest.raises(PolicyBelowFloor) as caught:
        check_terms(replace(BASE, first_response_by_kind=(KindHours(kind, hours),)))
    assert "(R12.a)" in str(caught.value) and kind.value in str(caught.value)
    check_terms(replace(BASE, first_response_by_kind=(KindHours(kind, hours - 1),)))


def test_a_kind_listed_twice_or_with_no_hours_is_refused() -> None:
    twice = (KindHours(CaseKind.REPAIR, 10), KindHours(CaseKind.REPAIR, 20))
    with pytest.raises(InvalidInput, match="twice"):
        check_terms(replace(BASE, first_response_by_kind=twice))
    with pytest.raises(InvalidInput, match="positive"):
        check_terms(replace(BASE, first_response_by_kind=(KindHours(CaseKind.REPAIR, 0),)))


def test_most_generous_takes_each_new_term_and_each_kinds_sla_from_the_best_version() -> None:
    # R19 reading: term by term over the version in force and the later ones.
    old = replace(BASE, inspection_hours=24, dispute_days=7, repair_response_hours=40)
    new = replace(
        BASE,
        inspection_hours=48,
        dispute_days=10,
        first_response_by_kind=(KindHours(CaseKind.EXCHANGE, 8),),
    )
    best = most_generous([old, new])
    assert (best.inspection_hours, best.dispute_days) == (24, 10)
    assert best.first_response_hours_for(CaseKind.REPAIR) == 40
    assert best.first_response_hours_for(CaseKind.EXCHANGE) == 8
    assert best.first_response_hours_for(CaseKind.RETURN_REFUND) == 24
    check_terms(best)


def test_a_version_stored_before_the_new_terms_decodes_with_their_defaults() -> None:
    codec = DataclassAsDict(PolicyTerms)
    stored = codec.encode(BASE)
    for name in (*NEW_TERMS, "first_response_by_kind"):
        del stored[name]
    decoded = codec.decode(stored)
    assert decoded == BASE


def test_new_terms_at_their_defaults_leave_the_hash_of_an_old_version_unchanged() -> None:
    # domain.chain: an event stored before the fields existed hashes as it did when recorded ...
    old_shape = {k: v for k, v in canonical(BASE).items() if k not in NEW_TERMS}
    assert canonical(BASE) == old_shape
    assert "first_response_by_kind" not in canonical(BASE)
    # ... and a version that sets one is covered by its hash.
    faster = replace(BASE, inspection_hours=12)
    assert canonical(faster)["inspection_hours"] == 12
