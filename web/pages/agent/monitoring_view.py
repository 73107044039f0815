"""The monitoring page's texts: rates, durations, flag and badge criteria in words (R15, R18,
R22, R24)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from fractions import Fraction
from typing import Any

from flask_babel import lazy_gettext as _l

from domain.calendar import cst_date
from projections import metrics as m
from web.common.charts import decimal_text
from web.common.translate import gettext

# --- monitoring (R15, R18, R22, R24) ----------------------------------------------------------

PERIODS = (30, 90, 365)

FLAG_TEXTS: dict[str, Any] = {
    "after_sales_rate": _l(
        "After-sales rate %(value)s is above %(limit)s (with at least %(min)s delivered orders)"
    ),
    "breach_rate": _l("SLA breach rate %(value)s is above %(limit)s (with at least %(min)s cases)"),
}

# R15 (issue 8): what each figure counts, shown next to it on the monitoring page and the API.
DEFINITIONS: dict[str, Any] = {
    "after_sales_rate": _l("cases opened ÷ orders delivered (R15)"),
    "refund_rate": _l("orders with a refund paid ÷ orders delivered (R15)"),
    "breach_rate": _l("missed merchant deadlines ÷ cases opened (R12.a)"),
    "dispute_rate": _l("complaints ÷ cases opened (R9)"),
    "arbitration_rate": _l("escalations to arbitration ÷ cases opened (R10)"),
}

BADGE_TEXTS: dict[str, Any] = {
    "closed_cases": _l("Closed cases: at least %(threshold)s"),
    "median_acceptance_seconds": _l("Median time to accept: at most %(threshold)s"),
    "breach_rate": _l("SLA breach rate: at most %(threshold)s"),
    "arbitration_rate": _l("Arbitration rate: at most %(threshold)s"),
    "ratings": _l("Ratings: at least %(threshold)s"),
    "satisfaction": _l("Average rating: at least %(threshold)s of 5"),
}


def percent_text(value: Fraction | None, places: int = 1) -> str:
    """``Fraction(1, 8)`` -> ``12.5%``; None -> ``—``."""
    if value is None:
        return "—"
    return f"{decimal_text(value * 100, places)}%"


def rate_text(rate: m.Rate, places: int = 1) -> str:
    return percent_text(rate.value, places)


def duration_text(seconds: int | None) -> str:
    """``95`` -> ``1 min 35 s``; ``5400`` -> ``1 h 30 min``; None -> ``—``."""
    if seconds is None:
        return "—"
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        if not hours:
            return gettext("%(d)s d", d=days)
        return gettext("%(d)s d %(h)s h", d=days, h=hours)
    if hours:
        if not minutes:
            return gettext("%(h)s h", h=hours)
        return gettext("%(h)s h %(m)s min", h=hours, m=minutes)
    if minutes:
        if not secs:
            return gettext("%(m)s min", m=minutes)
        return gettext("%(m)s min %(s)s s", m=minutes, s=secs)
    return gettext("%(s)s s", s=secs)


def criterion_text(code: str, value: Any, places: int = 2) -> str:
    if value is None:
        return "—"
    if code == "median_acceptance_seconds":
        return duration_text(int(value))
    if code in ("breach_rate", "arbitration_rate"):
        return percent_text(Fraction(value))
    if code == "satisfaction":
        return decimal_text(Fraction(value), places)
    return str(value)


@dataclass
class MerchantRow:
    merchant_id: str
    metrics: m.MerchantMetrics
    badge: m.BadgeVerdict
    flags: tuple[str, ...]


def today_cst() -> date:
    return cst_date(datetime.now(UTC))


def percent_value(rate: m.Rate) -> Fraction | None:
    return rate.value * 100 if rate.value is not None else None


def minutes_value(seconds: int | None) -> Fraction | None:
    return Fraction(seconds, 60) if seconds is not None else None


def flag_short(code: str) -> str:
    if code == "after_sales_rate":
        return gettext("after-sales rate")
    if code == "breach_rate":
        return gettext("SLA breach rate")
    return code


def flag_text(code: str, metrics: m.MerchantMetrics) -> str:
    if code == "after_sales_rate":
        return str(FLAG_TEXTS[code]) % {
            "value": rate_text(metrics.after_sales_rate),
            "limit": percent_text(m.FLAG_MAX_AFTER_SALES_RATE),
            "min": m.FLAG_MIN_DELIVERED_ORDERS,
        }
    if code == "breach_rate":
        return str(FLAG_TEXTS[code]) % {
            "value": rate_text(metrics.breach_rate),
            "limit": percent_text(m.FLAG_MAX_BREACH_RATE),
            "min": m.FLAG_MIN_CASES,
        }
    return code


def badge_rules() -> list[str]:
    return [
        gettext("over the last %(n)s days:", n=m.BADGE_WINDOW_DAYS),
        str(BADGE_TEXTS["closed_cases"]) % {"threshold": m.BADGE_MIN_CLOSED_CASES},
        str(BADGE_TEXTS["median_acceptance_seconds"])
        % {"threshold": duration_text(m.BADGE_MAX_MEDIAN_ACCEPTANCE_SECONDS)},
        str(BADGE_TEXTS["breach_rate"]) % {"threshold": percent_text(m.BADGE_MAX_BREACH_RATE)},
        str(BADGE_TEXTS["arbitration_rate"])
        % {"threshold": percent_text(m.BADGE_MAX_ARBITRATION_RATE)},
        str(BADGE_TEXTS["ratings"]) % {"threshold": m.BADGE_MIN_RATINGS},
        str(BADGE_TEXTS["satisfaction"]) % {"threshold": decimal_text(m.BADGE_MIN_SATISFACTION, 1)},
    ]


def flag_rules() -> list[str]:
    return [
        gettext(
            "After-sales rate (cases / delivered orders) above %(limit)s over %(n)s days, "
            "with at least %(min)s delivered orders",
            limit=percent_text(m.FLAG_MAX_AFTER_SALES_RATE),
            n=m.FLAG_WINDOW_DAYS,
            min=m.FLAG_MIN_DELIVERED_ORDERS,
        ),
        gettext(
            "SLA breach rate (missed merchant deadlines / cases) above %(limit)s over %(n)s "
            "days, with at least %(min)s cases",
            limit=percent_text(m.FLAG_MAX_BREACH_RATE),
            n=m.FLAG_WINDOW_DAYS,
            min=m.FLAG_MIN_CASES,
        ),
    ]


def sku_rules() -> str:
    return gettext(
        "A product is flagged when, over the last %(recent)s days against the %(base)s days "
        "before, it has at least %(ru)s units delivered recently, %(bu)s in the baseline and "
        "%(rr)s recent returns, and its recent return rate is at least %(ratio)s times the "
        "baseline rate and %(rise)s points above it.",
        recent=m.SKU_RECENT_DAYS,
        base=m.SKU_BASELINE_DAYS,
        ru=m.SKU_MIN_RECENT_UNITS,
        bu=m.SKU_MIN_BASELINE_UNITS,
        rr=m.SKU_MIN_RECENT_RETURNS,
        ratio=m.SKU_RATE_RATIO,
        rise=decimal_text(m.SKU_MIN_RATE_RISE * 100, 0),
    )
