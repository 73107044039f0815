"""The finance blueprint (``/finance``, finance staff only, its navigation), its words for
ledger codes, and the helpers its pages share (query arguments, CSV twins, form texts)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import (
    Blueprint,
    request,
    url_for,
)
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from domain.values import Role
from projections import ledger
from web.common.auth import add_nav_link, restrict_blueprint, set_audience_home
from web.common.finance import today_cst
from web.common.formats import money
from web.common.labels import TENDER_LABELS

bp = Blueprint("finance", __name__, url_prefix="/finance")
restrict_blueprint(bp, Role.FINANCE)
add_nav_link(bp, "finance.index", _l("Refunds due"), Role.FINANCE, order=10)
add_nav_link(bp, "finance.journal", _l("Journal"), Role.FINANCE, order=20)
add_nav_link(bp, "finance.balances", _l("Balances"), Role.FINANCE, order=30)
add_nav_link(bp, "finance.reconciliation", _l("Reconciliation"), Role.FINANCE, order=40)
add_nav_link(bp, "finance.receivables_page", _l("Receivables"), Role.FINANCE, order=50)
add_nav_link(bp, "finance.discrepancies", _l("Discrepancies"), Role.FINANCE, order=45)
set_audience_home(bp, Role.FINANCE, "finance.index")
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


TENDER_STATUS_LABELS: dict[str, Any] = {
    "due": _l("waiting for the provider"),
    "failed": _l("failed"),
    "paid": _l("paid"),
}


def tender_status_label(status: str) -> str:
    """R3.a: one tender's payment state (``domain.tenders.PaymentStatus``)."""
    label = TENDER_STATUS_LABELS.get(status)
    return str(label) if label is not None else status


def outcome_label(outcome: str) -> str:
    label = OUTCOME_LABELS.get(outcome)
    return str(label) if label is not None else outcome


# --- request helpers --------------------------------------------------------------------------


def text_arg(name: str, max_length: int = 64) -> str | None:
    value = (request.args.get(name) or "").strip()
    return value[:max_length] or None


def day_arg(name: str, errors: dict[str, str], label: Any) -> date | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = gettext("%(field)s: give a date as YYYY-MM-DD.", field=label)
        return None


def page_arg() -> int:
    raw = request.args.get("page", "1")
    try:
        return max(1, int(raw))
    except ValueError:
        return 1


def wants_csv() -> bool:
    return request.args.get("format") == "csv"


def query_args(**changes: Any) -> dict[str, Any]:
    """The current query string with ``changes`` (None removes a key)."""
    args = {k: v for k, v in request.args.items() if k not in ("format", "lang")}
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return args


def csv_name(base: str) -> str:
    return f"{base}-{today_cst().isoformat()}.csv"


@bp.context_processor
def _helpers() -> dict[str, Any]:
    return {
        "money": money,
        "account_label": account_label,
        "kind_label": kind_label,
        "refund_status_label": refund_status_label,
        "tender_status_label": tender_status_label,
        "tender_label": lambda code: str(TENDER_LABELS.get(code, code)),
        "outcome_label": outcome_label,
        "query": query_args,
    }


def back_url() -> str:
    """Where a payment form returns to: the case page it was sent from, or the refunds list
    with its filters."""
    case_no = (request.form.get("back_case") or "").strip()
    if case_no and request.view_args and case_no == request.view_args.get("case_no"):
        return url_for("finance.case", case_no=case_no)
    args: dict[str, Any] = safe_back_args()
    return url_for("finance.index", **args)


def safe_back_args() -> dict[str, str]:
    out = {}
    for key in ("merchant_id", "by_day"):
        value = (request.form.get(f"back_{key}") or "").strip()
        if value:
            out[key] = value[:64]
    return out
