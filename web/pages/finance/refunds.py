"""``/finance/``: refunds due, earliest R3 deadline first, with "paid" (payment reference) and
"failed" (reason) on each, and the compensation still owed (R14) with "paid"."""

from __future__ import annotations

from typing import Any

from flask import (
    render_template,
    request,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from domain.process import Move
from web.common.csvexport import csv_response
from web.common.finance import compensations_due, refund_rows, today_cst
from web.common.moves import perform_move
from web.pages.finance.base import back_url, bp, csv_name, day_arg, text_arg, wants_csv
from web.pages.finance.columns import compensation_columns, refund_columns

# --- refunds due and compensation (home) ------------------------------------------------------


def _refund_filters() -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    filters = {
        "merchant_id": text_arg("merchant_id"),
        "by_day": day_arg("by_day", errors, _l("Due by")),
    }
    return filters, errors


@bp.route("/")
def index() -> ResponseReturnValue:
    filters, errors = _refund_filters()
    refunds = refund_rows(**filters)
    compensations = compensations_due(merchant_id=filters["merchant_id"])
    if wants_csv():
        if request.args.get("table") == "compensations":
            return csv_response(
                csv_name("compensations-due"), compensation_columns(), compensations
            )
        return csv_response(csv_name("refunds-due"), refund_columns(), refunds)
    owed: dict[str, int] = {}
    for row in refunds:
        owed[row.currency] = owed.get(row.currency, 0) + row.money_fen
    return render_template(
        "finance/index.html",
        refunds=refunds,
        compensations=compensations,
        overdue=sum(1 for row in refunds if row.overdue),
        owed=sorted(owed.items()),
        filters=filters,
        errors=errors,
        today=today_cst(),
    )


@bp.route("/refunds.csv")
def refunds_csv() -> ResponseReturnValue:
    filters, _errors = _refund_filters()
    return csv_response(csv_name("refunds-due"), refund_columns(), refund_rows(**filters))


@bp.route("/compensations.csv")
def compensations_csv() -> ResponseReturnValue:
    rows = compensations_due(merchant_id=text_arg("merchant_id"))
    return csv_response(csv_name("compensations-due"), compensation_columns(), rows)


@bp.route("/refunds/<case_no>/paid", methods=["POST"])
def refund_paid(case_no: str) -> ResponseReturnValue:
    reference = (request.form.get("psp_reference") or "").strip()
    return perform_move(
        Move.RECORD_REFUND_PAID,
        case_no,
        back_url(),
        success=gettext(
            "Refund of case %(case)s recorded as paid (%(ref)s).", case=case_no, ref=reference
        ),
    )


@bp.route("/refunds/<case_no>/failed", methods=["POST"])
def refund_failed(case_no: str) -> ResponseReturnValue:
    return perform_move(
        Move.RECORD_REFUND_FAILED,
        case_no,
        back_url(),
        success=gettext(
            "Failed payment of case %(case)s recorded; the R3 deadline keeps running.", case=case_no
        ),
    )


@bp.route("/compensations/<case_no>/paid", methods=["POST"])
def compensation_paid(case_no: str) -> ResponseReturnValue:
    reference = (request.form.get("psp_reference") or "").strip()
    return perform_move(
        Move.RECORD_COMPENSATION_PAID,
        case_no,
        back_url(),
        success=gettext(
            "Compensation of case %(case)s recorded as paid (%(ref)s).", case=case_no, ref=reference
        ),
    )
