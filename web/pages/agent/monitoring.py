"""``/agent/monitoring``: per-merchant rates and response times (R15), flags (R15), risky
products (R24), the Gold after-sales badge (R22) and quarterly satisfaction (R18); and events a
read model could not take (parked, issue 10), so that they are noticed and replayed."""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from flask import render_template, request
from flask.typing import ResponseReturnValue

from projections import metrics as m
from projections.db import Database
from projections.parking import parked_counts, parked_events
from web import get_db
from web.common.charts import Series, decimal_text, line_chart
from web.common.stores import store_name
from web.common.translate import gettext
from web.pages.agent.base import bp
from web.pages.agent.monitoring_view import (
    BADGE_TEXTS,
    DEFINITIONS,
    PERIODS,
    MerchantRow,
    badge_rules,
    criterion_text,
    duration_text,
    flag_rules,
    flag_short,
    flag_text,
    percent_value,
    rate_text,
    sku_rules,
    today_cst,
)

PARKED_SHOWN = 50


def _days() -> int:
    try:
        days = int(request.args.get("days", "90"))
    except ValueError:
        days = 90
    return days if days in PERIODS else 90


def merchant_rows(
    db: Database, merchants: list[str], start: date, as_of: date
) -> list[MerchantRow]:
    """Each store's figures over the period, its Gold badge verdict (R22) and flags (R15)."""
    flag_start = as_of - timedelta(days=m.FLAG_WINDOW_DAYS - 1)
    return [
        MerchantRow(
            merchant_id,
            m.merchant_metrics(db, merchant_id, start, as_of),
            m.gold_badge(db, merchant_id, as_of),
            m.flags_for(m.merchant_metrics(db, merchant_id, flag_start, as_of)),
        )
        for merchant_id in merchants
    ]


def flagged_rows(db: Database, as_of: date) -> list[dict[str, Any]]:
    return [
        {
            "merchant_id": flag.merchant_id,
            "reasons": [flag_text(code, flag.metrics) for code in flag.reasons],
            "metrics": flag.metrics,
        }
        for flag in m.flagged_merchants(db, as_of)
    ]


def merchant_charts(merchant_id: str, series: list[Any]) -> dict[str, Any]:
    """A store's monthly rates (R15) and first-response times (R12, R12.a) as two charts."""
    months = [p.month for p in series]
    rates = line_chart(
        chart_id=f"rates-{merchant_id}",
        title=gettext(
            "After-sales and refund rate by month, store %(m)s", m=store_name(merchant_id)
        ),
        desc=gettext(
            "Cases opened and refunded cases, in percent of the order lines "
            "delivered that month (R15)."
        ),
        x_labels=months,
        series=[
            Series(
                gettext("After-sales rate"), [percent_value(p.after_sales_rate) for p in series]
            ),
            Series(gettext("Refund rate"), [percent_value(p.refund_rate) for p in series]),
            Series(gettext("SLA breach rate"), [percent_value(p.breach_rate) for p in series]),
        ],
        unit="%",
    )
    # Issue 11 item 11: an axis people read (hours or days, not "600 min").
    longest = max(
        (
            s
            for p in series
            for s in (p.first_response.median_seconds, p.first_response.p90_seconds)
            if s is not None
        ),
        default=0,
    )
    per, unit_text, unit_name = 60, " " + gettext("min"), gettext("in minutes")
    if longest >= 2 * 86400:
        per, unit_text, unit_name = 86400, " " + gettext("d"), gettext("in days")
    elif longest >= 2 * 3600:
        per, unit_text, unit_name = 3600, " " + gettext("h"), gettext("in hours")

    def in_unit(seconds: int | None) -> Fraction | None:
        return Fraction(seconds, per) if seconds is not None else None

    response = line_chart(
        chart_id=f"response-{merchant_id}",
        title=gettext("First response time by month, store %(m)s", m=store_name(merchant_id)),
        desc=gettext(
            "Median and 90th percentile of the time from application to the "
            "merchant's first answer, %(unit)s (R12, R12.a).",
            unit=unit_name,
        ),
        x_labels=months,
        series=[
            Series(
                gettext("Median"),
                [in_unit(p.first_response.median_seconds) for p in series],
            ),
            Series(
                gettext("90th percentile"),
                [in_unit(p.first_response.p90_seconds) for p in series],
            ),
        ],
        unit=unit_text,
    )
    return {"merchant_id": merchant_id, "rates": rates, "response": response}


def satisfaction_rows(db: Database, merchants: list[str]) -> list[dict[str, Any]]:
    """Quarterly ratings per store (R18), newest quarter first."""
    rows = []
    for merchant_id in merchants:
        for quarter in m.quarterly_satisfaction(db, merchant_id):
            average = quarter.average.value
            rows.append(
                {
                    "merchant_id": merchant_id,
                    "quarter": quarter.quarter,
                    "ratings": quarter.ratings,
                    "average": decimal_text(average, 2) if average is not None else "—",
                }
            )
    rows.sort(key=lambda r: (r["quarter"], r["merchant_id"]), reverse=True)
    return rows


def badge_criteria(verdict: m.BadgeVerdict) -> list[dict[str, Any]]:
    return [
        {
            "code": c.code,
            "text": str(BADGE_TEXTS.get(c.code, c.code))
            % {"threshold": criterion_text(c.code, c.threshold, places=1)},
            "value": criterion_text(c.code, c.value),
            "passed": c.passed,
        }
        for c in verdict.criteria
    ]


@bp.route("/monitoring")
def monitoring() -> ResponseReturnValue:
    db = get_db()
    days = _days()
    as_of = today_cst()
    start = as_of - timedelta(days=days - 1)
    merchants = m.merchant_ids(db)
    sku_rates = m.sku_return_rates(db, as_of)
    charts = [
        merchant_charts(merchant_id, m.merchant_series(db, merchant_id))
        for merchant_id in merchants
    ]
    return render_template(
        "agent/monitoring.html",
        definitions={k: str(v) for k, v in DEFINITIONS.items()},  # R15 (issue 8)
        days=days,
        periods=PERIODS,
        as_of=as_of,
        start=start,
        rows=merchant_rows(db, merchants, start, as_of),
        flagged=flagged_rows(db, as_of),
        alerts=[a for a in sku_rates if a.abnormal],
        sku_rates=sku_rates,
        charts=charts,
        satisfaction=satisfaction_rows(db, merchants),
        badge_rules=badge_rules(),
        flag_rules=flag_rules(),
        sku_rules=sku_rules(),
        badge_criteria=badge_criteria,
        rate_text=rate_text,
        duration_text=duration_text,
        decimal_text=decimal_text,
        flag_label=flag_short,
        parked=parked_events(db, limit=PARKED_SHOWN),
        parked_total=sum(parked_counts(db).values()),
    )
