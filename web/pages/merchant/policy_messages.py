"""The policy form's messages: a domain refusal put next to its input and worded for the
merchant, and each term's platform bound as a hint (R19; bounds from ``domain.terms.TERM_BOUNDS``
through ``AT_LEAST`` / ``AT_MOST``)."""

from __future__ import annotations

from flask_babel import gettext

from domain.errors import DomainError, PolicyBelowFloor
from domain.terms import PLATFORM_FLOOR
from web.common.actions import refusal_text
from web.pages.merchant.policy_form import AT_LEAST, AT_MOST, FIELD_LABELS, PolicyForm
from web.pages.merchant.policy_money import FORM_FIELD, money_refusal


def _label(name: str) -> str:
    return str(FIELD_LABELS.get(name, name))


def refusal_field(error: DomainError) -> str:
    """The form input a domain refusal is about (``repair_fee_cap_fen`` is typed in yuan)."""
    name = error.field or ""
    if name == "repair_fee_cap_fen":
        return "repair_fee_cap"
    if name in FORM_FIELD:
        return FORM_FIELD[name]
    if name in FIELD_LABELS:
        return name
    return "form"


def explain_refusal(form: PolicyForm, error: DomainError) -> None:
    """Put a domain refusal next to its field, worded for the merchant, naming the rule."""
    name = refusal_field(error)
    money = money_refusal(error)
    if money is not None:
        message = money
    elif isinstance(error, PolicyBelowFloor) and name in AT_LEAST:
        message = gettext(
            "%(field)s must be at least %(floor)s (%(rule)s, R19): a store may be more generous "
            "than the platform's floor, never less.",
            field=_label(name),
            floor=getattr(PLATFORM_FLOOR, name),
            rule=AT_LEAST[name],
        )
    elif isinstance(error, PolicyBelowFloor) and name in AT_MOST:
        message = gettext(
            "%(field)s must be at most %(limit)s (%(rule)s, R19): a store may be faster than "
            "the platform's limit, never slower.",
            field=_label(name),
            limit=getattr(PLATFORM_FLOOR, name),
            rule=AT_MOST[name],
        )
    else:
        message = refusal_text(error)
    form.add_error(name, message)


def floor_hint(name: str) -> str:
    """``At least 7 (R1)`` / ``At most 2 (R12)`` for a term with a platform limit, else ""."""
    if name in AT_LEAST:
        return str(
            gettext(
                "Platform floor: at least %(n)s (%(rule)s).",
                n=getattr(PLATFORM_FLOOR, name),
                rule=AT_LEAST[name],
            )
        )
    if name in AT_MOST:
        return str(
            gettext(
                "Platform limit: at most %(n)s (%(rule)s).",
                n=getattr(PLATFORM_FLOOR, name),
                rule=AT_MOST[name],
            )
        )
    return ""
