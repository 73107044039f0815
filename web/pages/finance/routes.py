"""Finance pages (``/finance``, R3, R3.a, R14): what is owed and by when, the journal, balances,
payments and the reconciliation of payment-provider settlement reports.

- ``/finance/`` refunds due, earliest R3 deadline first (3-7 working days after approval, as live
  countdowns; overdue ones marked), with "paid" (payment reference) and "failed" (reason) on each,
  and the compensation still owed with "paid";
- ``/finance/journal`` the double-entry journal, newest first, paged, filtered by merchant, CST
  day, case and entry kind;
- ``/finance/balances`` balances per account, per merchant or per CST day (with the trial balance);
- ``/finance/reconciliation`` upload a settlement report (CSV) and see past runs;
  ``/finance/reconciliation/<run_id>`` one run's result: matched, missing on either side,
  amount and status mismatches;
- ``/finance/cases/<case_no>`` one case's ledger.

Every table has a CSV twin (``?format=csv`` on the page, or ``/finance/<table>.csv``): UTF-8 with
a BOM for Excel, amounts as yuan with two decimals from integer fen, times in ISO with the
viewer's UTC offset (``web/csvexport.py``). Exports ignore paging: they hold every row matching
the filters.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from domain.calendar import cst_date
from domain.values import Role
from projections import ledger
from projections.ledger import AccountBalance, JournalLine, RefundDue
from projections.timeline import case_summary
from web import get_db
from web.common.actions import perform
from web.common.auth import add_nav_link, restrict_blueprint, set_audience_home
from web.common.casepage import load_case_view
from web.common.csvexport import Column, attr, csv_response
from web.common.formats import money
from web.services import get_service

bp = Blueprint("finance", __name__, url_prefix="/finance")
restrict_blueprint(bp, Role.FINANCE)
add_nav_link(bp, "finance.index", _l("Refunds due"), Role.FINANCE, order=10)
add_nav_link(bp, "finance.journal", _l("Journal"), Role.FINANCE, order=20)
add_nav_link(bp, "finance.balances", _l("Balances"), Role.FINANCE, order=30)
add_nav_link(bp, "finance.reconciliation", _l("Reconciliation"), Role.FINANCE, order=40)
set_audience_home(bp, Role.FINANCE, "finance.index")

PAGE_SIZE = 50
DEFAULT_DAY_RANGE = 30
#: Largest settlement report accepted (bytes); config ``SETTLEMENT_MAX_BYTES`` overrides it.
DEFAULT_SETTLEMENT_MAX_BYTES = 5 * 1024 * 1024
MAX_TEXT = 500

# --- words for codes --------------------------------------------------------------------------

#: Account prefixes (``projections/ledger.py``) and what they hold.
ACCOUNT_LABELS: dict[str, Any] = {
    ledger.MERCHANT_PAYABLE: _l("Merchant owes back (goods)"),
    ledger.SHIPPING_REFUND: _l("Shipping refunded by the merchant (R2)"),
    ledger.CONSUMER_REFUND_PAYABLE: _l("Refund owed to consumers"),
    ledger.POINTS_LIABILITY: _l("Points given back"),
    ledger.COUPON_LIABILITY: _l("Coupons given back"),
    ledger.PSP_CLEARING: _l("Paid out through the payment provider"),
    ledger.COMPENSATION_EXPENSE: _l("Compensation expense"),
    ledger.COMPENSATION_PAYABLE: _l("Compensation owed to consumers"),
    ledger.REPAIR_FEE_RECEIVABLE: _l("Repair fees receivable (R6)"),
    ledger.REPAIR_FEE_DEFERRED: _l("Repair fees deferred"),
    ledger.REPAIR_FEE_INCOME: _l("Repair fee income"),
}

KIND_LABELS: dict[str, Any] = {
    "refund_approved": _l("Refund approved"),
    "refund_paid": _l("Refund paid"),
    "compensation_granted": _l("Compensation granted"),
    "compensation_paid": _l("Compensation paid"),
    "repair_fee_accepted": _l("Repair fee accepted"),
    "repair_fee_earned": _l("Repair fee earned"),
    "repair_fee_cancelled": _l("Repair fee cancelled"),
}

REFUND_STATUS_LABELS: dict[str, Any] = {
    "approved": _l("Approved, not paid yet"),
    "failed": _l("Payment failed"),
    "paid": _l("Paid"),
}

#: Reconciliation outcomes, discrepancies first (the order the result page shows them in).
OUTCOME_LABELS: dict[str, Any] = {
    "missing_in_report": _l("Paid in the ledger, missing in the report"),
    "missing_in_ledger": _l("In the report, missing in the ledger"),
    "amount_mismatch": _l("Amounts differ"),
    "status_mismatch": _l("Status differs"),
    "not_settled": _l("Not settled by the provider"),
    "matched": _l("Matched"),
}

GROUPINGS: dict[str, Any] = {
    "account": _l("Per account"),
    "merchant": _l("Per merchant"),
    "day": _l("Per CST day"),
}


def account_label(account: str) -> str:
    prefix = account.split(":", 1)[0]
    label = ACCOUNT_LABELS.get(prefix)
    return str(label) if label is not None else account


def kind_label(kind: str) -> str:
    label = KIND_LABELS.get(kind)
    return str(label) if label is not None else kind


def refund_status_label(status: str) -> str:
    label = REFUND_STATUS_LABELS.get(status)
    return str(label) if label is not None else status


def outcome_label(outcome: str) -> str:
    label = OUTCOME_LABELS.get(outcome)
    return str(label) if label is not None else outcome


# --- queries (shared with web/api_finance.py) -------------------------------------------------


def now() -> datetime:
    return get_service().clock()


def today_cst() -> date:
    return cst_date(now())


def journal_page(
    *,
    merchant_id: str | None = None,
    day: date | None = None,
    case_no: str | None = None,
    kind: str | None = None,
    limit: int | None = PAGE_SIZE,
    offset: int = 0,
) -> tuple[list[JournalLine], int]:
    """Journal lines newest first matching the filters, one page of them, and how many match."""
    return ledger.journal_page(
        get_db(),
        limit=limit,
        offset=offset,
        case_no=case_no,
        merchant_id=merchant_id,
        kind=kind,
        cst_day=day.isoformat() if day is not None else None,
    )


def balance_rows(
    by: str,
    *,
    merchant_id: str | None = None,
    start_day: date | None = None,
    end_day: date | None = None,
) -> list[AccountBalance]:
    if by == "day" and start_day is None and end_day is None:
        end_day = today_cst()
        start_day = end_day - timedelta(days=DEFAULT_DAY_RANGE - 1)
    return ledger.balances(
        get_db(),
        by=by,  # type: ignore[arg-type]
        merchant_id=merchant_id,
        start_day=start_day,
        end_day=end_day,
    )


@dataclass(frozen=True)
class RefundRow:
    """An unpaid approved refund and where it stands against its R3 deadline today."""

    refund: RefundDue
    overdue: bool

    def __getattr__(self, name: str) -> Any:
        return getattr(self.refund, name)


def refund_rows(*, by_day: date | None = None, merchant_id: str | None = None) -> list[RefundRow]:
    today = today_cst()
    return [
        RefundRow(refund, refund.overdue_on(today))
        for refund in ledger.refunds_due(get_db(), by_day, merchant_id=merchant_id)
    ]


@dataclass(frozen=True)
class CompensationDue:
    case_no: str
    merchant_id: str
    currency: str
    owed_fen: int


def compensations_due(*, merchant_id: str | None = None) -> list[CompensationDue]:
    """Compensation granted (R14, R10) and not paid yet, per case."""
    rows = ledger.balances(
        get_db(), by="case", account=ledger.COMPENSATION_PAYABLE, merchant_id=merchant_id
    )
    out: list[CompensationDue] = []
    for row in rows:
        owed = row.credit_fen - row.debit_fen
        if owed > 0:
            summary = case_summary(get_db(), row.key)
            merchant = summary.merchant_id if summary is not None else ""
            out.append(CompensationDue(row.key, merchant, row.currency, owed))
    return out


# --- columns (pages and CSV alike) ------------------------------------------------------------


def journal_columns() -> list[Column]:
    return [
        Column("at", _l("Time"), attr("at"), "time"),
        Column("cst_day", _l("CST day"), attr("cst_day")),
        Column("entry_id", _l("Entry"), attr("entry_id")),
        Column("line_no", _l("Line"), attr("line_no")),
        Column("case_no", _l("Case"), attr("case_no")),
        Column("merchant_id", _l("Merchant"), attr("merchant_id")),
        Column("account", _l("Account"), attr("account")),
        Column("debit", _l("Debit (yuan)"), attr("debit_fen"), "fen"),
        Column("credit", _l("Credit (yuan)"), attr("credit_fen"), "fen"),
        Column("currency", _l("Currency"), attr("currency")),
        Column("kind", _l("Entry kind"), lambda r: kind_label(r.kind)),
    ]


def balance_columns(by: str) -> list[Column]:
    key_title = {"merchant": _l("Merchant"), "day": _l("CST day"), "case": _l("Case")}
    columns = []
    if by in key_title:
        columns.append(Column("key", key_title[by], attr("key")))
    columns += [
        Column("account", _l("Account"), attr("account")),
        Column("currency", _l("Currency"), attr("currency")),
        Column("debit", _l("Debits (yuan)"), attr("debit_fen"), "fen"),
        Column("credit", _l("Credits (yuan)"), attr("credit_fen"), "fen"),
        Column("balance", _l("Balance (yuan)"), lambda r: r.balance_fen, "fen"),
    ]
    return columns


def refund_columns() -> list[Column]:
    return [
        Column("case_no", _l("Case"), attr("case_no")),
        Column("merchant_id", _l("Merchant"), attr("merchant_id")),
        Column("approved_at", _l("Approved at"), attr("approved_at"), "time"),
        Column("total", _l("Refund total (yuan)"), attr("total_fen"), "fen"),
        Column("money", _l("To pay through the provider (yuan)"), attr("money_fen"), "fen"),
        Column("in_kind", _l("Points and coupons (yuan)"), attr("in_kind_fen"), "fen"),
        Column("currency", _l("Currency"), attr("currency")),
        Column("due_at", _l("R3 deadline"), attr("due_at"), "time"),
        Column("due_day", _l("Last CST day"), attr("due_day")),
        Column("provisional", _l("Deadline provisional"), attr("due_provisional")),
        Column("overdue", _l("Overdue"), attr("overdue")),
        Column("status", _l("Status"), lambda r: refund_status_label(r.status)),
        Column("failed_attempts", _l("Failed attempts"), attr("failed_attempts")),
        Column("last_failure", _l("Last failure"), attr("last_failure")),
    ]


def compensation_columns() -> list[Column]:
    return [
        Column("case_no", _l("Case"), attr("case_no")),
        Column("merchant_id", _l("Merchant"), attr("merchant_id")),
        Column("owed", _l("Compensation owed (yuan)"), attr("owed_fen"), "fen"),
        Column("currency", _l("Currency"), attr("currency")),
    ]


def run_columns() -> list[Column]:
    return [
        Column("run_id", _l("Run"), attr("run_id")),
        Column("imported_at", _l("Imported at"), attr("imported_at"), "time"),
        Column("file_name", _l("File"), attr("file_name")),
        Column("provider", _l("Report format"), attr("provider")),
        Column("period_start", _l("Period start"), attr("period_start")),
        Column("period_end", _l("Period end"), attr("period_end")),
        Column("report_rows", _l("Report rows"), attr("report_rows")),
        Column("matched", _l("Matched"), attr("matched")),
        Column("missing_in_report", _l("Missing in the report"), attr("missing_in_report")),
        Column("missing_in_ledger", _l("Missing in the ledger"), attr("missing_in_ledger")),
        Column("amount_mismatches", _l("Amounts differ"), attr("amount_mismatches")),
        Column("status_mismatches", _l("Status differs"), attr("status_mismatches")),
        Column("not_settled", _l("Not settled"), attr("not_settled")),
        Column("report_total", _l("Report total (yuan)"), attr("report_total_fen"), "fen"),
        Column("ledger_total", _l("Ledger total (yuan)"), attr("ledger_total_fen"), "fen"),
    ]


def item_columns() -> list[Column]:
    return [
        Column("item_no", _l("Item"), attr("item_no")),
        Column("outcome", _l("Outcome"), lambda r: outcome_label(r.outcome)),
        Column("psp_reference", _l("Payment reference"), attr("psp_reference")),
        Column("refund_id", _l("Provider refund number"), attr("refund_id")),
        Column("case_no", _l("Case"), attr("case_no")),
        Column("merchant_id", _l("Merchant"), attr("merchant_id")),
        Column("payment_kind", _l("Payment"), attr("payment_kind")),
        Column("report_row", _l("Report line"), attr("report_row")),
        Column("report_amount", _l("Report amount (yuan)"), attr("report_amount_fen"), "fen"),
        Column("ledger_amount", _l("Ledger amount (yuan)"), attr("ledger_amount_fen"), "fen"),
        Column("report_status", _l("Report status"), attr("report_status")),
        Column("report_at", _l("Report time"), attr("report_at"), "time"),
        Column("ledger_at", _l("Ledger time"), attr("ledger_at"), "time"),
        Column("note", _l("Note"), attr("note")),
    ]


# --- request helpers --------------------------------------------------------------------------


def _text_arg(name: str, max_length: int = 64) -> str | None:
    value = (request.args.get(name) or "").strip()
    return value[:max_length] or None


def _day_arg(name: str, errors: dict[str, str], label: Any) -> date | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = gettext("%(field)s: give a date as YYYY-MM-DD.", field=label)
        return None


def _page_arg() -> int:
    raw = request.args.get("page", "1")
    try:
        return max(1, int(raw))
    except ValueError:
        return 1


def _wants_csv() -> bool:
    return request.args.get("format") == "csv"


def _query(**changes: Any) -> dict[str, Any]:
    """The current query string with ``changes`` (None removes a key)."""
    args = {k: v for k, v in request.args.items() if k not in ("format", "lang")}
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return args


def _csv_name(base: str) -> str:
    return f"{base}-{today_cst().isoformat()}.csv"


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "money": money,
        "account_label": account_label,
        "kind_label": kind_label,
        "refund_status_label": refund_status_label,
        "outcome_label": outcome_label,
        "query": _query,
    }


# --- refunds due and compensation (home) ------------------------------------------------------


def _refund_filters() -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    filters = {
        "merchant_id": _text_arg("merchant_id"),
        "by_day": _day_arg("by_day", errors, _l("Due by")),
    }
    return filters, errors


@bp.route("/")
def index() -> ResponseReturnValue:
    filters, errors = _refund_filters()
    refunds = refund_rows(**filters)
    compensations = compensations_due(merchant_id=filters["merchant_id"])
    if _wants_csv():
        if request.args.get("table") == "compensations":
            return csv_response(
                _csv_name("compensations-due"), compensation_columns(), compensations
            )
        return csv_response(_csv_name("refunds-due"), refund_columns(), refunds)
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
    return csv_response(_csv_name("refunds-due"), refund_columns(), refund_rows(**filters))


@bp.route("/compensations.csv")
def compensations_csv() -> ResponseReturnValue:
    rows = compensations_due(merchant_id=_text_arg("merchant_id"))
    return csv_response(_csv_name("compensations-due"), compensation_columns(), rows)


def _form_text(name: str, label: Any) -> str | None:
    """A required form text, or None after flashing a message naming the field."""
    value = (request.form.get(name) or "").strip()
    if not value:
        flash(gettext("%(field)s: this is required; nothing was recorded.", field=label), "error")
        return None
    if len(value) > MAX_TEXT:
        flash(
            gettext(
                "%(field)s: at most %(n)s characters; nothing was recorded.",
                field=label,
                n=MAX_TEXT,
            ),
            "error",
        )
        return None
    return value


def _back() -> str:
    """Where a payment form returns to: the case page it was sent from, or the refunds list
    with its filters."""
    case_no = (request.form.get("back_case") or "").strip()
    if case_no and request.view_args and case_no == request.view_args.get("case_no"):
        return url_for("finance.case", case_no=case_no)
    args: dict[str, Any] = _safe_back_args()
    return url_for("finance.index", **args)


def _safe_back_args() -> dict[str, str]:
    out = {}
    for key in ("merchant_id", "by_day"):
        value = (request.form.get(f"back_{key}") or "").strip()
        if value:
            out[key] = value[:64]
    return out


@bp.route("/refunds/<case_no>/paid", methods=["POST"])
def refund_paid(case_no: str) -> ResponseReturnValue:
    reference = _form_text("psp_reference", _l("Payment reference"))
    if reference is None:
        return redirect(_back(), code=303)
    return perform(
        "record_refund_paid",
        _back(),
        success=gettext(
            "Refund of case %(case)s recorded as paid (%(ref)s).", case=case_no, ref=reference
        ),
        case_no=case_no,
        psp_reference=reference,
    )


@bp.route("/refunds/<case_no>/failed", methods=["POST"])
def refund_failed(case_no: str) -> ResponseReturnValue:
    reason = _form_text("reason", _l("Why the payment failed"))
    if reason is None:
        return redirect(_back(), code=303)
    return perform(
        "record_refund_failed",
        _back(),
        success=gettext(
            "Failed payment of case %(case)s recorded; the R3 deadline keeps running.", case=case_no
        ),
        case_no=case_no,
        reason=reason,
    )


@bp.route("/compensations/<case_no>/paid", methods=["POST"])
def compensation_paid(case_no: str) -> ResponseReturnValue:
    reference = _form_text("psp_reference", _l("Payment reference"))
    if reference is None:
        return redirect(_back(), code=303)
    return perform(
        "record_compensation_paid",
        _back(),
        success=gettext(
            "Compensation of case %(case)s recorded as paid (%(ref)s).", case=case_no, ref=reference
        ),
        case_no=case_no,
        psp_reference=reference,
    )


# --- journal ----------------------------------------------------------------------------------


def _journal_filters() -> tuple[dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    kind = _text_arg("kind")
    filters = {
        "merchant_id": _text_arg("merchant_id"),
        "day": _day_arg("day", errors, _l("CST day")),
        "case_no": _text_arg("case_no"),
        "kind": kind if kind in KIND_LABELS else None,
    }
    if kind and kind not in KIND_LABELS:
        errors["kind"] = gettext("%(field)s: unknown entry kind.", field=_l("Entry kind"))
    return filters, errors


@bp.route("/journal")
def journal() -> ResponseReturnValue:
    filters, errors = _journal_filters()
    if _wants_csv():
        return journal_csv()
    page = _page_arg()
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
    return csv_response(_csv_name("journal"), journal_columns(), lines)


# --- balances ---------------------------------------------------------------------------------


def _balance_filters() -> tuple[str, dict[str, Any], dict[str, str]]:
    errors: dict[str, str] = {}
    by = request.args.get("by", "account")
    if by not in GROUPINGS:
        errors["by"] = gettext("%(field)s: unknown grouping.", field=_l("Group by"))
        by = "account"
    start = _day_arg("start_day", errors, _l("From"))
    end = _day_arg("end_day", errors, _l("To"))
    filters: dict[str, Any] = {
        "merchant_id": _text_arg("merchant_id"),
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
    if _wants_csv():
        return csv_response(_csv_name(f"balances-by-{by}"), balance_columns(by), rows)
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
        _csv_name(f"balances-by-{by}"), balance_columns(by), balance_rows(by, **filters)
    )


# --- one case's ledger ------------------------------------------------------------------------


@bp.route("/cases/<case_no>")
def case(case_no: str) -> ResponseReturnValue:
    """One case for finance: its refund against the R3 deadline with the payment actions, any
    compensation owed, its balances and journal, and every step of the case (R21)."""
    view = load_case_view(case_no, include_internal=True)  # 404 for an unknown case
    lines, _total = journal_page(case_no=case_no, limit=None)
    case_balances = ledger.case_balances(get_db(), case_no)
    if _wants_csv():
        if request.args.get("table") == "balances":
            name = _csv_name(f"balances-{case_no}")
            return csv_response(name, balance_columns("account"), case_balances)
        return csv_response(_csv_name(f"journal-{case_no}"), journal_columns(), lines)
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


# --- reconciliation ---------------------------------------------------------------------------


def settlement_max_bytes() -> int:
    return int(current_app.config.get("SETTLEMENT_MAX_BYTES") or DEFAULT_SETTLEMENT_MAX_BYTES)


class UploadRefused(Exception):
    """A settlement upload refused before anything was stored; ``status`` is the HTTP code."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def import_settlement(filename: str, data: bytes) -> Any:
    """Reconcile an uploaded report (bytes) with the ledger and store the run. A malformed file
    raises :class:`UploadRefused` with the reconciler's message naming line and column; nothing
    is stored then."""
    from projections import reconcile

    if not data:
        raise UploadRefused(gettext("Settlement report: the file is empty."))
    limit = settlement_max_bytes()
    if len(data) > limit:
        raise UploadRefused(
            gettext(
                "Settlement report: the file is larger than the limit of %(limit)s.",
                limit=_size(limit),
            ),
            413,
        )
    # The report is compared with the payments the ledger knows: bring it up to date first (a
    # payment recorded a moment ago would otherwise look missing). Safe next to the background
    # runner: each batch is claimed by a conditional position update.
    from projections.ledger import LedgerProjection
    from projections.runner import Runner

    Runner(get_service(), get_db(), [LedgerProjection()]).catch_up()
    source = io.BytesIO(data)
    name = "".join(c for c in Path(filename or "").name if c.isprintable())[:120]
    source.name = name or "report.csv"
    try:
        return reconcile.reconcile(get_db(), source, clock=get_service().clock)
    except reconcile.ReconciliationError as error:
        raise UploadRefused(
            gettext("Settlement report not imported: %(problem)s", problem=str(error))
        ) from None


def _size(limit: int) -> str:
    if limit >= 1024 * 1024 and limit % (1024 * 1024) == 0:
        return f"{limit // (1024 * 1024)} MB"
    if limit >= 1024:
        return f"{limit // 1024} KB"
    return f"{limit} B"


def runs() -> list[Any]:
    from projections import reconcile

    return list(reconcile.reconciliation_runs(get_db(), limit=200))


@bp.route("/reconciliation", methods=["GET", "POST"])
def reconciliation() -> ResponseReturnValue:
    error: str | None = None
    status = 200
    if request.method == "POST":
        upload = request.files.get("report")
        if upload is None or not upload.filename:
            error = gettext("Settlement report: choose a CSV file to upload.")
        else:
            data = upload.read(settlement_max_bytes() + 1)
            try:
                result = import_settlement(upload.filename, data)
            except UploadRefused as refused:
                error, status = refused.message, refused.status
            else:
                flash(
                    gettext("Settlement report imported and compared with the ledger."), "success"
                )
                return redirect(url_for("finance.run", run_id=run_id_of(result)), code=303)
        if status == 200:
            status = 400
    past = runs()
    if _wants_csv():
        return csv_response(_csv_name("reconciliation-runs"), run_columns(), past)
    return render_template(
        "finance/reconciliation.html",
        runs=past,
        error=error,
        limit=_size(settlement_max_bytes()),
    ), status


@bp.route("/reconciliation.csv")
def reconciliation_csv() -> ResponseReturnValue:
    return csv_response(_csv_name("reconciliation-runs"), run_columns(), runs())


def run_id_of(result: Any) -> str:
    return str(result.run.run_id)


def load_run(run_id: str) -> tuple[Any, list[Any]]:
    """A stored run and its items (404 when there is no such run)."""
    from projections import reconcile

    found = reconcile.reconciliation_run(get_db(), run_id)
    if found is None:
        abort(404)
    return found.run, list(found.items)


@bp.route("/reconciliation/<run_id>")
def run(run_id: str) -> ResponseReturnValue:
    found, items = load_run(run_id)
    if _wants_csv():
        return csv_response(f"reconciliation-{run_id}.csv", item_columns(), items)
    grouped: dict[str, list[Any]] = {code: [] for code in OUTCOME_LABELS}
    for item in items:
        grouped.setdefault(item.outcome, []).append(item)
    return render_template("finance/run.html", run=found, grouped=grouped, items=items)


@bp.route("/reconciliation/<run_id>.csv")
def run_csv(run_id: str) -> ResponseReturnValue:
    _found, items = load_run(run_id)
    return csv_response(f"reconciliation-{run_id}.csv", item_columns(), items)


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)


__all__ = [
    "ACCOUNT_LABELS",
    "CompensationDue",
    "RefundRow",
    "balance_rows",
    "bp",
    "compensations_due",
    "import_settlement",
    "journal_page",
    "refund_rows",
]
