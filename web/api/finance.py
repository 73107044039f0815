"""``/api/v1`` ledger (R3, R3.a, R14), reconciliation of settlement reports, and merchant metrics
(R15, R18, R22, R24). The same queries as the finance pages (``web/pages/finance/``)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

from flask import abort, request
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError

from domain.values import Role
from projections import metrics
from web import get_db
from web.api.core import dump, dump_list, load_query, operation
from web.api.schemas.finance import (
    BadgeListSchema,
    BalanceListSchema,
    JournalPageSchema,
    MetricsSchema,
    ReconciliationResultSchema,
    ReconciliationRunSchema,
    RefundDueListSchema,
)
from web.api.schemas.queries import (
    BalanceQuerySchema,
    JournalQuerySchema,
    MetricsQuerySchema,
    RefundsDueQuerySchema,
)
from web.common import finance
from web.common.auth import current_account

FINANCE = Role.FINANCE.value
AGENT = Role.PLATFORM_AGENT.value
MERCHANT = Role.MERCHANT.value
ARBITRATOR = Role.ARBITRATOR.value


# --- ledger ---------------------------------------------------------------------------------


@operation(
    "/ledger/journal",
    summary="Journal lines, newest first, filtered by merchant, CST day, case and entry kind",
    tag="ledger",
    roles=(FINANCE,),
    query=JournalQuerySchema,
    response=JournalPageSchema,
    errors=(400, 401, 403),
    rule_ids=("R3", "R3.a", "R14"),
)
def ledger_journal() -> ResponseReturnValue:
    query = load_query(JournalQuerySchema)
    lines, total = finance.journal_page(
        merchant_id=query.get("merchant_id"),
        day=query.get("day"),
        case_no=query.get("case_no"),
        kind=query.get("kind"),
        limit=query["limit"],
        offset=query["offset"],
    )
    return dump(
        JournalPageSchema,
        {"items": lines, "total": total, "limit": query["limit"], "offset": query["offset"]},
    )


@operation(
    "/ledger/balances",
    summary="Balances per account, merchant, CST day (movements of that day) or case",
    tag="ledger",
    roles=(FINANCE,),
    query=BalanceQuerySchema,
    response=BalanceListSchema,
    errors=(400, 401, 403),
    rule_ids=("R3.a",),
)
def ledger_balances() -> ResponseReturnValue:
    query = load_query(BalanceQuerySchema)
    rows = finance.balance_rows(
        query["by"],
        merchant_id=query.get("merchant_id"),
        start_day=query.get("start_day"),
        end_day=query.get("end_day"),
    )
    return dump(BalanceListSchema, {"by": query["by"], "items": rows})


@operation(
    "/ledger/refunds-due",
    summary="Approved refunds not paid yet, earliest R3 deadline (3-7 working days) first",
    tag="ledger",
    roles=(FINANCE, AGENT),
    query=RefundsDueQuerySchema,
    response=RefundDueListSchema,
    errors=(400, 401, 403),
    rule_ids=("R3",),
)
def ledger_refunds_due() -> ResponseReturnValue:
    query = load_query(RefundsDueQuerySchema)
    rows = finance.refund_rows(by_day=query.get("by_day"), merchant_id=query.get("merchant_id"))
    items = [{**vars(row.refund), "overdue": row.overdue} for row in rows]
    return dump(RefundDueListSchema, {"items": items})


# --- reconciliation -------------------------------------------------------------------------


@operation(
    "/reconciliation",
    "POST",
    summary="Upload a payment provider's settlement report (CSV) and compare it with the ledger",
    tag="reconciliation",
    roles=(FINANCE,),
    response=ReconciliationResultSchema,
    status=201,
    multipart=True,
    errors=(400, 401, 403, 413),
    rule_ids=("R3", "R3.a"),
    description="multipart/form-data with the CSV in the field 'report'. A malformed file is a "
    "400 naming the row and column; nothing is stored then.",
    upload_field="report",
)
def upload_reconciliation() -> ResponseReturnValue:
    upload = request.files.get("report")
    if upload is None or not upload.filename:
        raise ValidationError({"report": ["Attach the settlement report in the field 'report'."]})
    data = upload.read(finance.settlement_max_bytes() + 1)
    try:
        result = finance.import_settlement(upload.filename, data)
    except finance.UploadRefused as refused:
        if refused.status == 413:
            abort(413, description=refused.message)
        raise ValidationError({"report": [refused.message]}) from None
    run, items = finance.load_run(finance.run_id_of(result))
    return dump(ReconciliationResultSchema, {"run": run, "items": items}, 201)


@operation(
    "/reconciliation",
    summary="Past reconciliation runs, newest first",
    tag="reconciliation",
    roles=(FINANCE,),
    response=ReconciliationRunSchema,
    errors=(401, 403),
    many=True,
)
def list_reconciliation_runs() -> ResponseReturnValue:
    return dump_list(ReconciliationRunSchema, finance.runs())


@operation(
    "/reconciliation/<run_id>",
    summary="One reconciliation run: matched, missing on either side, mismatches",
    tag="reconciliation",
    roles=(FINANCE,),
    response=ReconciliationResultSchema,
    errors=(401, 403, 404),
)
def get_reconciliation_run(run_id: str) -> ResponseReturnValue:
    run, items = finance.load_run(run_id)
    return dump(ReconciliationResultSchema, {"run": run, "items": items})


# --- metrics --------------------------------------------------------------------------------


def _number(value: Fraction | int | None) -> str | int | None:
    """Exact figures as JSON: whole numbers stay numbers, fractions become decimal strings."""
    if value is None or isinstance(value, int):
        return value
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return str(exact.quantize(Decimal("0.0001")))


def _decimal(value: Decimal | None) -> str | None:
    return None if value is None else str(value)


def _rate(rate: metrics.Rate) -> dict[str, Any]:
    return {
        "numerator": rate.numerator,
        "denominator": rate.denominator,
        "percent": _decimal(rate.percent(2)),
    }


def _durations(durations: metrics.Durations) -> dict[str, Any]:
    return {
        "count": durations.count,
        "median_seconds": durations.median_seconds,
        "p90_seconds": durations.p90_seconds,
    }


def _badge(verdict: metrics.BadgeVerdict) -> dict[str, Any]:
    return {
        "merchant_id": verdict.merchant_id,
        "as_of": verdict.as_of.isoformat(),
        "window_start": verdict.window_start.isoformat(),
        "awarded": verdict.awarded,
        "failed": list(verdict.failed),
        "criteria": [
            {
                "code": c.code,
                "value": _number(c.value),
                "threshold": _number(c.threshold),
                "passed": c.passed,
            }
            for c in verdict.criteria
        ],
    }


def merchant_figures(merchant_id: str, start: date, end: date) -> dict[str, Any]:
    db = get_db()
    figures = metrics.merchant_metrics(db, merchant_id, start, end)
    counts = vars(figures.counts)
    return {
        "start_day": start.isoformat(),
        "end_day": end.isoformat(),
        "counts": dict(counts),
        "rates": {
            "after_sales": _rate(figures.after_sales_rate),
            "refund": _rate(figures.refund_rate),
            "refund_amount": _rate(figures.refund_amount_rate),
            "breach": _rate(figures.breach_rate),
            "dispute": _rate(figures.dispute_rate),
            "arbitration": _rate(figures.arbitration_rate),
        },
        "definitions": dict(metrics.RATE_DEFINITIONS),  # R15 (issue 8): what each rate counts
        "satisfaction": {
            "ratings": figures.satisfaction.denominator,
            "score_sum": figures.satisfaction.numerator,
            "average": _decimal(figures.satisfaction.rounded(2)),
        },
        "acceptance": _durations(figures.acceptance),
        "first_response": _durations(figures.first_response),
        "flags": list(metrics.flags_for(figures)),
        "badge": _badge(metrics.gold_badge(db, merchant_id, end)),
        "quarters": [
            {
                "quarter": q.quarter,
                "ratings": q.ratings,
                "average": _decimal(q.average.rounded(2)),
            }
            for q in metrics.quarterly_satisfaction(db, merchant_id)
        ],
        "sku_alerts": [
            {
                "sku": a.sku,
                "recent_delivered": a.recent_delivered,
                "recent_returned": a.recent_returned,
                "baseline_delivered": a.baseline_delivered,
                "baseline_returned": a.baseline_returned,
            }
            for a in metrics.sku_alerts(db, end, merchant_id=merchant_id)
        ],
    }


@operation(
    "/metrics/merchants/<merchant_id>",
    summary="A merchant's after-sales figures: rates, response times, satisfaction, badge, flags",
    tag="metrics",
    roles=(MERCHANT, AGENT, ARBITRATOR, FINANCE),
    query=MetricsQuerySchema,
    response=MetricsSchema,
    errors=(400, 401, 403, 404),
    rule_ids=("R15", "R18", "R22", "R24"),
    description="Merchant staff see their own store only (another store is a 404). Default "
    "period: the 30 CST days up to today.",
)
def merchant_metrics(merchant_id: str) -> ResponseReturnValue:
    account = current_account()
    if account is not None and account.role == MERCHANT and account.merchant_id != merchant_id:
        abort(404)
    query = load_query(MetricsQuerySchema)
    end = query.get("end_day") or finance.today_cst()
    start = query.get("start_day") or end - timedelta(days=29)
    if start > end:
        raise ValidationError({"end_day": ["The period ends before it starts."]})
    return dump(
        MetricsSchema,
        {"merchant_id": merchant_id, "figures": merchant_figures(merchant_id, start, end)},
    )


@operation(
    "/metrics/badges",
    summary="The Gold after-sales badge (R22) of every merchant, with the criteria",
    tag="metrics",
    response=BadgeListSchema,
    errors=(401,),
    rule_ids=("R22",),
)
def badges() -> ResponseReturnValue:
    db = get_db()
    today = finance.today_cst()
    items = [_badge(metrics.gold_badge(db, m, today)) for m in metrics.merchant_ids(db)]
    return dump(BadgeListSchema, {"items": items})
