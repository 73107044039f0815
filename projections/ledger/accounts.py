"""The ledger's accounts and the checked double-entry posting (R3, R3.a, R6, R14): a
:class:`Posting` is one side of one journal line; :func:`dr` and :func:`cr` make one,
:func:`balanced` checks an entry before :func:`projections.ledger.booking.post` writes it.

Accounts (``<m>`` is the merchant id, ``<t>`` a money tender: card or wallet) are listed in
``projections/ledger/__init__.py``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from domain.values import TenderKind

LEDGER_PROJECTION = "ledger"
LEDGER_TABLES = (
    "journal",
    "ledger_cases",
    "ledger_refunds",
    "ledger_payments",
    "ledger_tender_payments",
)

MERCHANT_PAYABLE = "merchant_payable"
SHIPPING_REFUND = "shipping_refund"
CONSUMER_REFUND_PAYABLE = "consumer_refund_payable"
POINTS_LIABILITY = "points_liability"
COUPON_LIABILITY = "coupon_liability"
PSP_CLEARING = "psp_clearing"
COMPENSATION_EXPENSE = "compensation_expense"
COMPENSATION_PAYABLE = "consumer_compensation_payable"
REPAIR_FEE_RECEIVABLE = "repair_fee_receivable"
REPAIR_FEE_DEFERRED = "repair_fee_deferred"
REPAIR_FEE_INCOME = "repair_fee_income"

IN_KIND_ACCOUNT = {TenderKind.POINTS: POINTS_LIABILITY, TenderKind.COUPON: COUPON_LIABILITY}


class LedgerError(Exception):
    """An event cannot be booked: it would unbalance the books or contradicts what is owed."""


@dataclass(frozen=True)
class Posting:
    """One side of one journal line, before numbering."""

    account: str
    debit_fen: int = 0
    credit_fen: int = 0


def dr(account: str, fen: int) -> Posting:
    return Posting(account, debit_fen=fen)


def cr(account: str, fen: int) -> Posting:
    return Posting(account, credit_fen=fen)


def balanced(postings: Iterable[Posting]) -> list[Posting]:
    """The postings without zero lines, checked: whole fen, one-sided, not negative, balanced."""
    kept: list[Posting] = []
    for p in postings:
        for value in (p.debit_fen, p.credit_fen):
            if isinstance(value, bool) or not isinstance(value, int):
                raise LedgerError(f"{p.account}: amounts are whole fen, got {value!r}")
            if value < 0:
                raise LedgerError(f"{p.account}: a line amount cannot be negative ({value})")
        if p.debit_fen and p.credit_fen:
            raise LedgerError(f"{p.account}: a line is either a debit or a credit")
        if p.debit_fen or p.credit_fen:
            kept.append(p)
    debits = sum(p.debit_fen for p in kept)
    credits = sum(p.credit_fen for p in kept)
    if debits != credits:
        lines = ", ".join(f"{p.account} {p.debit_fen}/{p.credit_fen}" for p in kept)
        raise LedgerError(f"unbalanced entry: debits {debits} != credits {credits} ({lines})")
    return kept
