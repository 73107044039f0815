"""Compensation (R14, R10) and repair fees (R6, R7) in the journal: see the entry table in
``projections/ledger/__init__.py``."""

from __future__ import annotations

from typing import Any

from projections.db import DbConnection
from projections.ledger.accounts import (
    COMPENSATION_EXPENSE,
    COMPENSATION_PAYABLE,
    PSP_CLEARING,
    REPAIR_FEE_DEFERRED,
    REPAIR_FEE_INCOME,
    REPAIR_FEE_RECEIVABLE,
    LedgerError,
    cr,
    dr,
)
from projections.ledger.booking import CaseRow, post, record_payment, set_deferred


def compensation_granted(tx: DbConnection, event: Any, case: CaseRow) -> None:
    fen = int(event.amount_fen)
    postings = [
        dr(f"{COMPENSATION_EXPENSE}:{case.merchant_id}", fen),
        cr(COMPENSATION_PAYABLE, fen),
    ]
    post(tx, case, event, "compensation_granted", postings, currency=case.currency)


def compensation_paid(tx: DbConnection, event: Any, case: CaseRow) -> None:
    fen = int(event.amount_fen)
    owed = tx.execute(
        "SELECT COALESCE(SUM(credit_fen) - SUM(debit_fen), 0) AS owed FROM journal "
        "WHERE case_no = ? AND account = ?",
        (case.case_no, COMPENSATION_PAYABLE),
    ).fetchone()
    if int(owed["owed"]) != fen:
        raise LedgerError(
            f"case {case.case_no}: CompensationPaid says {fen} fen, the ledger owes "
            f"{int(owed['owed'])} fen"
        )
    postings = [dr(COMPENSATION_PAYABLE, fen), cr(PSP_CLEARING, fen)]
    post(tx, case, event, "compensation_paid", postings, currency=case.currency)
    record_payment(tx, case, event, "compensation", fen, fen, case.currency)


def quote_accepted(tx: DbConnection, event: Any, case: CaseRow) -> None:
    fen = int(event.fee_fen)
    m = case.merchant_id
    postings = [
        dr(f"{REPAIR_FEE_RECEIVABLE}:{m}", fen),
        cr(f"{REPAIR_FEE_DEFERRED}:{m}", fen),
    ]
    post(tx, case, event, "repair_fee_accepted", postings, currency=case.currency)
    set_deferred(tx, case, case.repair_fee_deferred_fen + fen)


def repair_completed(tx: DbConnection, event: Any, case: CaseRow) -> None:
    fee = int(event.fee_fen)
    deferred = case.repair_fee_deferred_fen
    m = case.merchant_id
    postings = [
        dr(f"{REPAIR_FEE_DEFERRED}:{m}", deferred),
        cr(f"{REPAIR_FEE_INCOME}:{m}", fee),
    ]
    if fee > deferred:  # charged without an accepted quote (e.g. after a ruling, R10)
        postings.append(dr(f"{REPAIR_FEE_RECEIVABLE}:{m}", fee - deferred))
    elif fee < deferred:  # charged less than accepted: the rest is not owed
        postings.append(cr(f"{REPAIR_FEE_RECEIVABLE}:{m}", deferred - fee))
    post(tx, case, event, "repair_fee_earned", postings, currency=case.currency)
    set_deferred(tx, case, 0)


def case_ended(tx: DbConnection, event: Any, case: CaseRow) -> None:
    deferred = case.repair_fee_deferred_fen
    if not deferred:
        return
    m = case.merchant_id
    postings = [
        dr(f"{REPAIR_FEE_DEFERRED}:{m}", deferred),
        cr(f"{REPAIR_FEE_RECEIVABLE}:{m}", deferred),
    ]
    post(tx, case, event, "repair_fee_cancelled", postings, currency=case.currency)
    set_deferred(tx, case, 0)
