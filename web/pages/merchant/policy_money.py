"""The policy form's money terms (issue 8): the most one shipping leg is paid back without a
receipt (R2; typed in yuan as ``unproven_leg_fee``, stored as ``unproven_leg_fee_fen``) and the
deduction kinds a refund may carry (R3.a; one checkbox per kind an agent may enter).

The limits are the domain's (``domain.money_terms``, checked by ``check_terms`` when the version
is published, R19); this module reads the two inputs and words the domain's refusal for the
merchant, naming the field and the limit."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from domain.entitlement import HandDeduction
from domain.errors import DomainError, PolicyBelowFloor
from domain.money_terms import UNPROVEN_LEG_FEE_CEILING_FEN, UNPROVEN_LEG_FEE_FLOOR_FEN
from domain.terms import PolicyTerms
from web.common.formats import yuan_text
from web.common.labels import DEDUCTION_LABELS, label_of

FEE = "unproven_leg_fee"
KINDS = "deduction_kinds"
KINDS_SHOWN = "deduction_kinds_shown"

MONEY_LABELS: dict[str, Any] = {
    FEE: _l("Most paid back for a shipping leg without a receipt (¥)"),
    KINDS: _l("Deductions a refund may carry"),
}

#: The domain's field name → the form's input.
FORM_FIELD = {"unproven_leg_fee_fen": FEE, KINDS: KINDS}


def money_values(terms: PolicyTerms) -> dict[str, str]:
    return {FEE: yuan_text(terms.unproven_leg_fee_fen)}


def deduction_options(chosen: list[str]) -> list[tuple[str, str, bool]]:
    """(value, words, checked) for each deduction a store may publish (R3.a)."""
    return [
        (k.value, label_of(DEDUCTION_LABELS, k.value), k.value in chosen) for k in HandDeduction
    ]


def fee_hint() -> str:
    return str(
        gettext(
            "Platform band: from ¥%(floor)s to ¥%(ceiling)s (R2, R19). Above what you enter, a "
            "declared fee is paid back in full only with its receipt, accepted by the platform.",
            floor=yuan_text(UNPROVEN_LEG_FEE_FLOOR_FEN),
            ceiling=yuan_text(UNPROVEN_LEG_FEE_CEILING_FEN),
        )
    )


def parse_money(
    values: dict[str, str],
    data: MultiDict[str, str],
    parse_yuan: Callable[[str], int | None],
    add_error: Callable[[str, str], None],
) -> tuple[dict[str, Any], list[str]]:
    """The two money terms as ``PolicyTerms`` arguments, and the kinds as checked (re-shown). A
    fee that is not an amount is an error here; its band is the domain's check. An empty fee, or
    a form without the deduction checkboxes (``deduction_kinds_shown``), keeps the defaults."""
    values[FEE] = str(data.get(FEE, "") or "").strip()
    out: dict[str, Any] = {}
    kinds: list[str] = []
    if data.get(KINDS_SHOWN):  # the form shows the checkboxes: none checked is none published
        kinds = list(dict.fromkeys(k.strip() for k in data.getlist(KINDS) if k and k.strip()))
        out[KINDS] = tuple(kinds)
    try:
        fen = parse_yuan(values[FEE])
    except ValueError:
        add_error(
            FEE,
            gettext(
                "%(field)s: enter an amount in yuan such as 12 or 15.50, or leave it empty for "
                "the platform's floor (R2).",
                field=MONEY_LABELS[FEE],
            ),
        )
        fen = None
    if fen is not None:
        out["unproven_leg_fee_fen"] = fen
    return out, kinds


def money_refusal(error: DomainError) -> str | None:
    """The merchant's sentence for a refusal of the unproven-leg fee (its limit named), else
    None (the general wording applies)."""
    if error.field != "unproven_leg_fee_fen":
        return None
    label = MONEY_LABELS[FEE]
    if isinstance(error, PolicyBelowFloor):
        return str(
            gettext(
                "%(field)s must be at least ¥%(floor)s (R2, R19): a store may pay back more "
                "without a receipt than the platform's floor, never less.",
                field=label,
                floor=yuan_text(UNPROVEN_LEG_FEE_FLOOR_FEN),
            )
        )
    return str(
        gettext(
            "%(field)s must be at most ¥%(ceiling)s (R2): above it a fee is paid back in full "
            "only with its receipt.",
            field=label,
            ceiling=yuan_text(UNPROVEN_LEG_FEE_CEILING_FEN),
        )
    )
