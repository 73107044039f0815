"""``/finance/journal`` (the double-entry journal, newest first, paged and filtered),
``/finance/balances`` (per account, merchant or CST day, with the trial balance) and
``/finance/cases/<no>`` (one case's ledger)."""

from __future__ import annotations

from typing import Any

from flask import (
    render_template,
    request,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from projections import ledger
from web import get_db
from web.common.casepage import load_case_view
from web.common.csvexport import csv_response
from web.common.finance import (
    DEFAULT_DAY_RANGE,
    PAGE_SIZE,
    balance_rows,
    compensations_due,
    journal_page,
    today_cst,
)
from web.pages.finance.base import (
    GROUPINGS,
    KIND_LABELS,
    bp,
    csv_name,
    day_arg,
    page_arg,
    text_arg,
    wants_csv,
)
from web.pages.finance.columns import balance_columns, journal_columns

# --- journal ----------------------------------------------------------------------------------


def _journal_filters() -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    kind = text_arg("kind")
    filters = {
        "merchant_id": text_arg("merchant_id"),
        "day": day_arg("day", errors, _l("CST day")),
        "case_no": text_arg("case_no"),
        "kind": kind if kind in KIND_LABELS else None,
    }
    if kind and kind not in KIND_LABELS:
        errors["kind"] = gettext("%(field)s: unknown entry kind.", field=_l("Entry kind"))
    return filters, errors


@bp.route("/journal")
def journal() -> ResponseReturnValue:
    filters, errors = _journal_filters()
    if wants_csv():
        return journal_csv()
    page = page_arg()
    lines, total = journal_page(**filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    pages = max(1, -(-total // PAGE_SIZE))
    return render_template(
        "finance/journal.html",
        lines=lines,
        total=total,
        page=page,
        pages=pages,
        filters=filters,
        errors=errors,
        kinds=KIND_LABELS,
    )


@bp.route("/journal.csv")
def journal_csv() -> ResponseReturnValue:
    filters, _errors = _journal_filters()
    lines, _total = journal_page(**filters, limit=None)
    return csv_response(csv_name("journal"), journal_columns(), lines)


# --- balances ---------------------------------------------------------------------------------


def _balance_filters() -> tuple[str, dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    by = request.args.get("by", "account")
    if by not in GROUPINGS:
        errors["by"] = gettext("%(field)s: unknown grouping.", field=_l("Group by"))
        by = "account"
    start = day_arg("start_day", errors, _l("From"))
    end = day_arg("end_day", errors, _l("To"))
    filters: dict[str, Any] = {
        "merchant_id": text_arg("merchant_id"),
        "start_day": start,
        "end_day": end,
    }
    if start and end and start > end:
        errors["end_day"] = gettext("%(field)s: the range ends before it starts.", field=_l("To"))
        filters["end_day"] = None
    return by, filters, errors


@bp.route("/balances")
def balances() -> ResponseReturnValue:
    by, filters, errors = _balance_filters()
    rows = balance_rows(by, **filters)
    if wants_csv():
        return csv_response(csv_name(f"balances-by-{by}"), balance_columns(by), rows)
    trial = ledger.trial_balance(get_db())
    return render_template(
        "finance/balances.html",
        rows=rows,
        by=by,
        groupings=GROUPINGS,
        filters=filters,
        errors=errors,
        trial=sorted(trial.items()),
        default_range=(by == "day" and not filters["start_day"] and not filters["end_day"]),
        day_range=DEFAULT_DAY_RANGE,
    )


@bp.route("/balances.csv")
def balances_csv() -> ResponseReturnValue:
    by, filters, _errors = _balance_filters()
    return csv_response(
        csv_name(f"balances-by-{by}"), balance_columns(by), balance_rows(by, **filters)
    )


# --- one case's ledger ------------------------------------------------------------------------


@bp.route("/cases/<case_no>")
def case(case_no: str) -> ResponseReturnValue:
    """One case for finance: its refund against the R3 deadline with the payment actions, any
    compensation owed, its balances and journal, and every step of the case (R21)."""
    view = load_case_view(case_no, include_internal=True)  # 404 for an unknown case
    lines, _total = journal_page(case_no=case_no, limit=None)
    case_balances = ledger.case_balances(get_db(), case_no)
    if wants_csv():
        if request.args.get("table") == "balances":
            name = csv_name(f"balances-{case_no}")
            return csv_response(name, balance_columns("account"), case_balances)
        return csv_response(csv_name(f"journal-{case_no}"), journal_columns(), lines)
    refund = ledger.refund_status(get_db(), case_no)
    today = today_cst()
    return render_template(
        "finance/case.html",
        view=view,
        summary=view.summary,
        lines=lines,
        balances=case_balances,
        refund=refund,
        refund_overdue=refund is not None and refund.overdue_on(today),
        compensation=next((c for c in compensations_due() if c.case_no == case_no), None),
    )
