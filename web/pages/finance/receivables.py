"""``/finance/receivables`` (issue 8): money owed around cases, aged 0–7, 8–30 and over 30 days
(CST): repair fees the consumer accepted (R6), paid with tender and reference, or waived with a
reason (R6); shipping the merchant owes for an exchange or repair leg (R2, R8, R6), paid back."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from projections.receivables import AGE_BUCKETS, aged, receivables
from web import get_db
from web.common.actions import perform
from web.common.finance import today_cst
from web.pages.finance.base import MAX_TEXT, bp

TENDERS = ("card", "wallet")


@bp.route("/receivables")
def receivables_page() -> ResponseReturnValue:
    today = today_cst()
    db = get_db()
    open_rows = receivables(db, today, open_only=True)
    still_open = {(r.case_no, r.kind) for r in open_rows}
    totals = aged(db, today)
    return render_template(
        "finance/receivables.html",
        open_rows=open_rows,
        other_rows=[r for r in receivables(db, today) if (r.case_no, r.kind) not in still_open],
        totals=totals,
        buckets=[name for name, _, _ in AGE_BUCKETS],
        kinds=("repair_fee", "shipping"),
        tenders=TENDERS,
        today=today,
    )


@bp.route("/receivables/<case_no>/<kind>/paid", methods=["POST"])
def receivable_paid(case_no: str, kind: str) -> ResponseReturnValue:
    """R6: the consumer paid the repair fee; R2/R8: the owed shipping was paid back."""
    back = url_for("finance.receivables_page")
    tender = (request.form.get("tender") or "").strip()
    reference = (request.form.get("psp_reference") or "").strip()[:64]
    command = "record_repair_fee_paid" if kind == "repair_fee" else "record_shipping_repaid"
    return perform(
        command,
        back,
        success=gettext("Payment recorded."),
        case_no=case_no,
        tender=tender,
        psp_reference=reference,
    )


@bp.route("/receivables/<case_no>/waive", methods=["POST"])
def receivable_waived(case_no: str) -> ResponseReturnValue:
    """R6: the repair fee is waived, with a reason (``RepairFeeWaived``); the domain refuses a
    fee not due or settled already."""
    back = url_for("finance.receivables_page")
    reason = (request.form.get("reason") or "").strip()
    if not reason:
        flash(
            gettext("%(field)s: please fill this in.", field=gettext("Why the fee is waived")),
            "error",
        )
        return redirect(back, code=303)
    if len(reason) > MAX_TEXT:
        flash(
            gettext(
                "%(field)s: at most %(max)s characters.",
                field=gettext("Why the fee is waived"),
                max=MAX_TEXT,
            ),
            "error",
        )
        return redirect(back, code=303)
    return perform(
        "waive_repair_fee",
        back,
        success=gettext("Repair fee waived (R6)."),
        case_no=case_no,
        reason=reason,
    )
