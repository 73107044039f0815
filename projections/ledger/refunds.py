"""Refunds in the journal, one payment per money tender (R3, R3.a; ``domain.tenders``).

- ``RefundApproved``: Dr merchant_payable (goods), Dr shipping_refund / Cr
  consumer_refund_payable:<tender> per money tender, Cr points/coupon liability in kind; one
  ``ledger_tender_payments`` row per money tender (``due``).
- ``RefundPaid`` (v3, one tender): Dr consumer_refund_payable:<paid_to> / Cr psp_clearing, for
  exactly that payment's amount; (``tender`` None, or v2) every open payable of the case.
- ``RefundFailed`` / ``RefundRetried``: nothing moves; the tender's row records the attempt.
- ``RefundRerouted``: Dr consumer_refund_payable:<from> / Cr consumer_refund_payable:wallet.
- ``PaymentReopened``: Dr psp_clearing / Cr consumer_refund_payable:<paid_to>: owed again; the
  payment is marked reopened for reconciliation.
"""

from __future__ import annotations

from typing import Any

from domain.case_values import RefundPlan
from domain.deadlines import Clock
from domain.tenders import money_parts
from domain.values import TenderKind
from projections.db import DbConnection, ts
from projections.ledger.accounts import (
    CONSUMER_REFUND_PAYABLE,
    IN_KIND_ACCOUNT,
    MERCHANT_PAYABLE,
    PSP_CLEARING,
    SHIPPING_REFUND,
    LedgerError,
    cr,
    dr,
)
from projections.ledger.booking import (
    PREFIX_SQL,
    CaseRow,
    deadline_of,
    last_day_before,
    post,
    prefix_params,
    record_payment,
)

OPEN_CASE_SQL = (
    "INSERT INTO ledger_cases (case_id, case_no, merchant_id, order_no, currency, "
    "goods_paid_fen, repair_fee_deferred_fen, last_version) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (case_id) DO NOTHING"
)


def opened_row(event: Any) -> tuple[Any, ...]:
    """The ``ledger_cases`` row of a case just opened (:data:`OPEN_CASE_SQL`'s parameters)."""
    return (
        str(event.originator_id),
        event.case_no,
        event.merchant_id,
        event.order_no,
        event.terms.currency,
        sum(int(line.paid_fen) for line in event.lines),
        0,
        int(event.originator_version),
    )


def case_opened(tx: DbConnection, event: Any) -> None:
    tx.execute(OPEN_CASE_SQL, opened_row(event))


def refund_approved(tx: DbConnection, event: Any, case: CaseRow) -> None:
    plan: RefundPlan = event.plan
    m = case.merchant_id
    if sum(part.amount_fen for part in plan.split) != plan.total_fen:
        raise LedgerError(
            f"case {case.case_no}: the refund split sums to "
            f"{sum(p.amount_fen for p in plan.split)} fen, the plan's total is "
            f"{plan.total_fen} fen"
        )
    if plan.goods_fen + plan.shipping_fen != plan.total_fen:
        raise LedgerError(
            f"case {case.case_no}: goods {plan.goods_fen} + shipping {plan.shipping_fen} "
            f"!= total {plan.total_fen} fen"
        )
    postings = [
        dr(f"{MERCHANT_PAYABLE}:{m}", plan.goods_fen),
        dr(f"{SHIPPING_REFUND}:{m}", plan.shipping_fen),
    ]
    money = in_kind = 0
    for part in plan.split:
        kind = TenderKind(part.kind)
        if kind.in_kind:
            postings.append(cr(IN_KIND_ACCOUNT[kind], part.amount_fen))
            in_kind += part.amount_fen
        else:
            postings.append(cr(f"{CONSUMER_REFUND_PAYABLE}:{kind.value}", part.amount_fen))
            money += part.amount_fen
    post(tx, case, event, "refund_approved", postings, currency=plan.currency)
    due = deadline_of(event.deadlines, Clock.REFUND_PAYMENT)
    due_at = due.due_at if due is not None else None
    # R3: both clocks hold, the earlier wins (the REFUND_PAYMENT deadline); both are kept.
    working = getattr(event, "working_days_due_at", None) or due_at
    statutory = getattr(event, "statutory_due_at", None)
    tx.execute(
        "INSERT INTO ledger_refunds (case_no, merchant_id, currency, goods_fen, shipping_fen, "
        "total_fen, money_fen, in_kind_fen, approved_at, approved_version, due_at, due_day, "
        "due_provisional, status, failed_attempts, working_due_at, statutory_due_at, "
        "statutory_due_day) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'approved', 0, ?, ?, ?)",
        (
            case.case_no,
            m,
            plan.currency,
            plan.goods_fen,
            plan.shipping_fen,
            plan.total_fen,
            money,
            in_kind,
            ts(event.at),
            int(event.originator_version),
            ts(due_at) if due_at is not None else None,
            last_day_before(due_at).isoformat() if due_at is not None else None,
            1 if due is not None and due.provisional else 0,
            ts(working) if working is not None else None,
            ts(statutory) if statutory is not None else None,
            last_day_before(statutory).isoformat() if statutory is not None else None,
        ),
    )
    for tender, amount in money_parts(plan.split).items():
        tx.execute(
            "INSERT INTO ledger_tender_payments (case_no, tender, paid_to, merchant_id, currency, "
            "amount_fen, status, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'due', ?) "
            "ON CONFLICT (case_no, tender) DO NOTHING",
            (case.case_no, tender.value, tender.value, m, plan.currency, amount, ts(event.at)),
        )


def _payable(tender: str) -> str:
    return f"{CONSUMER_REFUND_PAYABLE}:{tender}"


def _tenders(tx: DbConnection, case: CaseRow) -> dict[str, Any]:
    rows = tx.execute(
        "SELECT * FROM ledger_tender_payments WHERE case_no = ? ORDER BY tender", (case.case_no,)
    ).fetchall()
    return {str(r["tender"]): r for r in rows}


def _owed(tx: DbConnection, case: CaseRow, account: str) -> int:
    row = tx.execute(
        "SELECT COALESCE(SUM(credit_fen) - SUM(debit_fen), 0) AS owed FROM journal "
        "WHERE case_no = ? AND account = ?",
        (case.case_no, account),
    ).fetchone()
    return int(row["owed"])


def _refund_row(tx: DbConnection, case: CaseRow) -> Any:
    refund = tx.execute(
        "SELECT total_fen, in_kind_fen, currency FROM ledger_refunds WHERE case_no = ?",
        (case.case_no,),
    ).fetchone()
    if refund is None:
        raise LedgerError(f"case {case.case_no}: a refund payment moved but none was approved")
    return refund


def _set_refund_status(tx: DbConnection, case: CaseRow) -> None:
    """The refund's status from its tenders: paid when every one is, failed while one is."""
    statuses = {str(r["status"]) for r in _tenders(tx, case).values()}
    _write_status(tx, case, statuses)


def _write_status(tx: DbConnection, case: CaseRow, statuses: set[str]) -> None:
    status = "paid" if statuses <= {"paid"} else "failed" if "failed" in statuses else "approved"
    tx.execute("UPDATE ledger_refunds SET status = ? WHERE case_no = ?", (status, case.case_no))


def refund_paid(tx: DbConnection, event: Any, case: CaseRow) -> None:
    refund = _refund_row(tx, case)
    currency = str(refund["currency"])
    tender = getattr(event, "tender", None)
    tenders = _tenders(tx, case)
    if tender is None:  # every open payment at once (and every v2 RefundPaid)
        open_payables = [
            (str(row["account"]), int(row["owed"]))
            for row in tx.execute(
                "SELECT account, SUM(credit_fen) - SUM(debit_fen) AS owed FROM journal "
                f"WHERE case_no = ? AND {PREFIX_SQL} GROUP BY account ORDER BY account",
                (case.case_no, *prefix_params(f"{CONSUMER_REFUND_PAYABLE}:")),
            ).fetchall()
            if int(row["owed"]) != 0
        ]
        money = sum(owed for _, owed in open_payables)
        stated = int(event.amount_fen)  # the open money plus what came back in kind (as v2)
        if stated != money + int(refund["in_kind_fen"]):
            raise LedgerError(
                f"case {case.case_no}: RefundPaid says {stated} fen, the ledger owes "
                f"{money} fen in money plus {int(refund['in_kind_fen'])} fen in kind"
            )
        postings = [dr(account, owed) for account, owed in open_payables]
        postings.append(cr(PSP_CLEARING, money))
        paying = [t for t, r in tenders.items() if str(r["status"]) != "paid"]
        amount = stated
    else:
        row = tenders.get(tender)
        if row is None:
            raise LedgerError(f"case {case.case_no}: RefundPaid to {tender}, which is owed nothing")
        money = amount = int(event.amount_fen)
        account = _payable(str(row["paid_to"]))
        if money != int(row["amount_fen"]) or _owed(tx, case, account) < money:
            raise LedgerError(
                f"case {case.case_no}: RefundPaid says {money} fen to {tender}; the payment is "
                f"{int(row['amount_fen'])} fen and {account} owes {_owed(tx, case, account)} fen"
            )
        postings = [dr(account, money), cr(PSP_CLEARING, money)]
        paying = [tender]
    post(tx, case, event, "refund_paid", postings, currency=currency)
    for t in paying:
        tx.execute(
            "UPDATE ledger_tender_payments SET status = 'paid', psp_reference = ?, updated_at = ? "
            "WHERE case_no = ? AND tender = ?",
            (event.psp_reference, ts(event.at), case.case_no, t),
        )
    if getattr(event, "settles_refund", True):  # paid, whatever the tenders say
        tx.execute(
            "UPDATE ledger_refunds SET status = 'paid', paid_at = ?, psp_reference = ? "
            "WHERE case_no = ?",
            (ts(event.at), event.psp_reference, case.case_no),
        )
    else:  # the refund's status from its tenders as just updated (no read back: issue 12)
        _write_status(
            tx, case, {"paid" if t in paying else str(r["status"]) for t, r in tenders.items()}
        )
    record_payment(tx, case, event, "refund", amount, money, currency, tender=tender)


def refund_failed(tx: DbConnection, event: Any, case: CaseRow) -> None:
    tender = getattr(event, "tender", None)
    tx.execute(
        "UPDATE ledger_refunds SET failed_attempts = failed_attempts + 1, "
        "last_failure = ?, last_failed_at = ? WHERE case_no = ?",
        (event.reason, ts(event.at), case.case_no),
    )
    where, params = ("AND tender = ?", (tender,)) if tender else ("AND status = 'due'", ())
    tx.execute(
        "UPDATE ledger_tender_payments SET status = 'failed', failed_attempts = "
        f"failed_attempts + 1, last_failure = ?, updated_at = ? WHERE case_no = ? {where}",
        (event.reason, ts(event.at), case.case_no, *params),
    )
    _set_refund_status(tx, case)
    if not _tenders(tx, case):  # a refund wholly in kind has no tender rows: as before
        tx.execute("UPDATE ledger_refunds SET status = 'failed' WHERE case_no = ?", (case.case_no,))


def refund_retried(tx: DbConnection, event: Any, case: CaseRow) -> None:
    tx.execute(
        "UPDATE ledger_tender_payments SET status = 'due', retries = retries + 1, updated_at = ? "
        "WHERE case_no = ? AND tender = ?",
        (ts(event.at), case.case_no, event.tender),
    )
    _set_refund_status(tx, case)


def refund_rerouted(tx: DbConnection, event: Any, case: CaseRow) -> None:
    fen = int(event.amount_fen)
    source, target = _payable(event.from_tender), _payable(event.to_tender)
    if _owed(tx, case, source) < fen:
        raise LedgerError(
            f"case {case.case_no}: {fen} fen rerouted from {source}, which owes "
            f"{_owed(tx, case, source)} fen"
        )
    post(
        tx,
        case,
        event,
        "refund_rerouted",
        [dr(source, fen), cr(target, fen)],
        currency=case.currency,
    )
    tx.execute(
        "UPDATE ledger_tender_payments SET status = 'due', paid_to = ?, consent = ?, "
        "updated_at = ? WHERE case_no = ? AND tender = ?",
        (event.to_tender, event.consent, ts(event.at), case.case_no, event.tender),
    )
    _set_refund_status(tx, case)


def payment_reopened(tx: DbConnection, event: Any, case: CaseRow) -> None:
    fen = int(event.amount_fen)
    account = _payable(event.paid_to)
    post(
        tx,
        case,
        event,
        "refund_reopened",
        [dr(PSP_CLEARING, fen), cr(account, fen)],
        currency=case.currency,
    )
    tx.execute(
        "UPDATE ledger_tender_payments SET status = 'failed', last_failure = ?, updated_at = ? "
        "WHERE case_no = ? AND tender = ?",
        (event.reason, ts(event.at), case.case_no, event.tender),
    )
    tx.execute(
        "UPDATE ledger_payments SET reopened_at = ? WHERE case_no = ? AND psp_reference = ? "
        "AND kind = 'refund' AND reopened_at IS NULL AND (tender = ? OR tender IS NULL)",
        (ts(event.at), case.case_no, event.psp_reference, event.tender),
    )
    tx.execute(
        "UPDATE ledger_refunds SET paid_at = NULL, psp_reference = NULL WHERE case_no = ?",
        (case.case_no,),
    )
    _set_refund_status(tx, case)
