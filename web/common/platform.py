"""Platform constants the pages state (R9.a complaint clocks, the R3 statutory refund period),
and the template globals every page may use: ``fen_money`` and ``exclusion_kind_label``."""

from __future__ import annotations

from flask import Flask

from domain.terms import (
    COMPLAINT_OPINION_HOURS,
    COMPLAINT_RESPONSE_HOURS,
    STATUTORY_REFUND_DAYS,
    PolicyTerms,
)
from domain.values import CaseKind
from web.common.formats import money
from web.common.labels import exclusion_kind_label, kind_label

#: The rule behind each kind's first-response time (R12.a table; repair R5.a, complaint R9.a).
FIRST_RESPONSE_RULES: dict[CaseKind, str] = {
    CaseKind.RETURN_REFUND: "R12.a",
    CaseKind.REFUND_ONLY: "R12.a",
    CaseKind.EXCHANGE: "R12.a",
    CaseKind.REPAIR: "R5.a",
    CaseKind.COMPLAINT: "R9.a",
}


def platform_constants() -> dict[str, int]:
    """The platform's own periods, for templates that state them."""
    return {
        "complaint_response_hours": COMPLAINT_RESPONSE_HOURS,
        "complaint_opinion_hours": COMPLAINT_OPINION_HOURS,
        "statutory_refund_days": STATUTORY_REFUND_DAYS,
    }


def fen_money(fen: int | None, currency: str = "CNY") -> str:
    """``¥12.34`` from integer fen (``web.common.formats.money``)."""
    return money(fen, currency)


def first_response_rows(terms: PolicyTerms) -> list[tuple[str, int, str]]:
    """R12.a: (kind label, hours, rule) per case kind, as ``terms`` promise them."""
    return [
        (kind_label(kind.value), terms.first_response_hours_for(kind), FIRST_RESPONSE_RULES[kind])
        for kind in CaseKind
    ]


def init_app(app: Flask) -> None:
    app.add_template_global(first_response_rows, "first_response_rows")
    app.add_template_global(fen_money, "fen_money")
    app.add_template_global(exclusion_kind_label, "exclusion_kind_label")
