"""Platform constants the pages state (R9.a complaint clocks, the R3 statutory refund period),
and the template globals every page may use: ``fen_money`` and ``exclusion_kind_label``."""

from __future__ import annotations

from flask import Flask

from domain.terms import COMPLAINT_OPINION_HOURS, COMPLAINT_RESPONSE_HOURS, STATUTORY_REFUND_DAYS
from web.common.formats import money
from web.common.labels import exclusion_kind_label


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


def init_app(app: Flask) -> None:
    app.add_template_global(fen_money, "fen_money")
    app.add_template_global(exclusion_kind_label, "exclusion_kind_label")
