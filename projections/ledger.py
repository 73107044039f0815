"""Refund ledger: a double-entry journal of what the after-sales record owes and pays (R3, R3.a,
R6, R14).

The projection books Case events into ``journal`` lines; every entry balances (debits = credits,
one currency per entry) and is checked before it is written. Balances are ``debits - credits``.

Accounts (``<m>`` is the merchant id):

- ``merchant_payable:<m>``: what the merchant owes back for refunded goods (debit when a refund is
  approved).
- ``shipping_refund:<m>``: shipping the merchant refunds under R2 (the plan's ``shipping_fen``).
- ``consumer_refund_payable:card`` / ``consumer_refund_payable:wallet``: money owed to consumers,
  per tender (R3.a); credited at approval, cleared when the payment provider pays.
- ``points_liability`` / ``coupon_liability``: points and coupons given back in kind (Law art. 15),
  credited at approval (restored at once; they never pass through the payment provider).
- ``psp_clearing``: money sent out through the payment provider (credited at payment).
- ``compensation_expense:<m>`` / ``consumer_compensation_payable``: R14 compensation granted by the
  merchant (or a ruling, R10) and owed to the consumer until paid.
- ``repair_fee_receivable:<m>``: a repair fee the consumer accepted (R6) and owes the merchant;
  ``repair_fee_deferred:<m>`` holds it until the repair is completed, then
  ``repair_fee_income:<m>`` earns it.

Entries (``kind``):

==========================  =======================================================================
RefundApproved              ``refund_approved``: Dr merchant_payable (goods), Dr shipping_refund
                            (shipping) / Cr consumer_refund_payable:<tender> per money tender,
                            Cr points_liability / coupon_liability for in-kind tenders.
RefundPaid                  ``refund_paid``: Dr every open consumer_refund_payable of the case /
                            Cr psp_clearing. No entry when the whole refund was in kind.
RefundFailed                nothing moves: the payable stays open (the R3 clock keeps running) and
                            ``ledger_refunds`` counts the failed attempt.
CompensationGranted         ``compensation_granted``: Dr compensation_expense / Cr
                            consumer_compensation_payable.
CompensationPaid            ``compensation_paid``: Dr consumer_compensation_payable / Cr
                            psp_clearing.
QuoteAccepted               ``repair_fee_accepted``: Dr repair_fee_receivable / Cr
                            repair_fee_deferred.
RepairCompleted             ``repair_fee_earned``: Dr repair_fee_deferred (what was deferred) / Cr
                            repair_fee_income (the fee the event states); a difference is booked
                            against repair_fee_receivable.
Closed / Withdrawn          ``repair_fee_cancelled`` when an accepted fee is still deferred (the
                            case ended without the repair): Dr repair_fee_deferred / Cr
                            repair_fee_receivable.
==========================  =======================================================================

Idempotency: ``ledger_cases.last_version`` skips any event at or below the last one applied, and the
journal's primary key ``(case_no, event_version, line_no)`` makes a repeated line impossible.
A booking that would not balance, or a payment that does not clear what is owed, raises
:class:`LedgerError`: the batch rolls back and the runner stops rather than write wrong books.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from eventsourcing.utils import get_topic

from domain.calendar import cst_date
from domain.case import Case
from domain.case_values import RefundPlan
from domain.deadlines import Clock
from domain.values import TenderKind
from projections.db import Database, DbConnection, ts
from projections.ledger_fees import FEE_EVENTS, fee_handlers

__all__ = [
    "LEDGER_PROJECTION",
    "LEDGER_TABLES",
    "PROJECTIONS",
    "AccountBalance",
    "Grouping",
    "JournalLine",
    "LedgerError",
    "LedgerProjection",
    "Posting",
    "RefundDue",
    "balances",
    "case_balances",
    "daily_balances",
    "journal_lines",
    "merchant_balances",
    "refund_status",
    "refunds_due",
    "trial_balance",
]

LEDGER_PROJECTION = "ledger"
LEDGER_TABLES = ("journal", "ledger_cases", "ledger_refunds", "ledger_payments")

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

_IN_KIND_ACCOUNT = {TenderKind.POINTS: POINTS_LIABILITY, TenderKind.COUPON: COUPON_LIABILITY}


class LedgerError(Exception):
    """An event cannot be booked: it would unbalance the books or contradicts what is owed."""


@dataclass(frozen=True)
class Posting:
    """One side of one journal line, before numbering."""

    account: str
    debit_fen: int = 0
    credit_fen: int = 0


def _dr(account: str, fen: int) -> Posting:
    return Posting(account, debit_fen=fen)


def _cr(account: str, fen: int) -> Posting:
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


@dataclass(frozen=True)
class _CaseRow:
    case_id: str
    case_no: str
    merchant_id: str
    currency: str
    repair_fee_deferred_fen: int
    last_version: int


def _topic(name: str) -> str:
    return get_topic(getattr(Case, name))


class LedgerProjection:
    """Books Case events into the double-entry journal (see the module docstring)."""

    name = LEDGER_PROJECTION
    tables = LEDGER_TABLES

    _HANDLED = (
        "Opened",
        "RefundApproved",
        "RefundPaid",
        "RefundFailed",
        "CompensationGranted",
        "CompensationPaid",
        "QuoteAccepted",
        "RepairCompleted",
        "Closed",
        "Withdrawn",
        *FEE_EVENTS,  # issue 8: projections/ledger_fees.py
    )
    topics = tuple(_topic(n) for n in _HANDLED)

    def __init__(self) -> None:
        self._handlers: dict[str, Callable[[DbConnection, Any, _CaseRow], None]] = {
            _topic("RefundApproved"): self._refund_approved,
            _topic("RefundPaid"): self._refund_paid,
            _topic("RefundFailed"): self._refund_failed,
            _topic("CompensationGranted"): self._compensation_granted,
            _topic("CompensationPaid"): self._compensation_paid,
            _topic("QuoteAccepted"): self._quote_accepted,
            _topic("RepairCompleted"): self._repair_completed,
            _topic("Closed"): self._case_ended,
            _topic("Withdrawn"): self._case_ended,
        }
        self._handlers.update({_topic(n): h for n, h in fee_handlers().items()})  # issue 8
        self._opened = _topic("Opened")

    # -- the projection protocol ---------------------------------------------------------------

    def process(self, tx: DbConnection, event: Any, notification_id: int) -> None:
        topic = get_topic(type(event))
        if topic == self._opened:
            self._case_opened(tx, event)
            return
        handler = self._handlers.get(topic)
        if handler is None:
            return
        case = _load_case(tx, str(event.originator_id))
        if case is None:
            raise LedgerError(
                f"{type(event).__name__} for case id {event.originator_id} arrived before the "
                "case was opened in the ledger (was the ledger started mid-log? rebuild it)"
            )
        version = int(event.originator_version)
        if version <= case.last_version:
            return  # replayed: booked already
        handler(tx, event, case)
        tx.execute(
            "UPDATE ledger_cases SET last_version = ? WHERE case_id = ?", (version, case.case_id)
        )

    # -- handlers ------------------------------------------------------------------------------

    def _case_opened(self, tx: DbConnection, event: Any) -> None:
        tx.execute(
            "INSERT INTO ledger_cases (case_id, case_no, merchant_id, order_no, currency, "
            "goods_paid_fen, repair_fee_deferred_fen, last_version) "
            "VALUES (?, ?, ?, ?, ?, ?, 0, ?) ON CONFLICT (case_id) DO NOTHING",
            (
                str(event.originator_id),
                event.case_no,
                event.merchant_id,
                event.order_no,
                event.terms.currency,
                sum(int(line.paid_fen) for line in event.lines),
                int(event.originator_version),
            ),
        )

    def _refund_approved(self, tx: DbConnection, event: Any, case: _CaseRow) -> None:
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
            _dr(f"{MERCHANT_PAYABLE}:{m}", plan.goods_fen),
            _dr(f"{SHIPPING_REFUND}:{m}", plan.shipping_fen),
        ]
        money = in_kind = 0
        for part in plan.split:
            kind = TenderKind(part.kind)
            if kind.in_kind:
                postings.append(_cr(_IN_KIND_ACCOUNT[kind], part.amount_fen))
                in_kind += part.amount_fen
            else:
                postings.append(_cr(f"{CONSUMER_REFUND_PAYABLE}:{kind.value}", part.amount_fen))
                money += part.amount_fen
        _post(tx, case, event, "refund_approved", postings, currency=plan.currency)
        due = _deadline(event.deadlines, Clock.REFUND_PAYMENT)
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

    def _refund_paid(self, tx: DbConnection, event: Any, case: _CaseRow) -> None:
        refund = tx.execute(
            "SELECT total_fen, in_kind_fen, currency FROM ledger_refunds WHERE case_no = ?",
            (case.case_no,),
        ).fetchone()
        if refund is None:
            raise LedgerError(f"case {case.case_no}: a refund was paid but none was approved")
        open_payables = [
            (str(row["account"]), int(row["owed"]))
            for row in tx.execute(
                "SELECT account, SUM(credit_fen) - SUM(debit_fen) AS owed FROM journal "
                f"WHERE case_no = ? AND {_PREFIX} GROUP BY account ORDER BY account",
                (case.case_no, *_prefix(f"{CONSUMER_REFUND_PAYABLE}:")),
            ).fetchall()
            if int(row["owed"]) != 0
        ]
        money = sum(owed for _, owed in open_payables)
        amount = int(event.amount_fen)
        if money + int(refund["in_kind_fen"]) != amount:
            raise LedgerError(
                f"case {case.case_no}: RefundPaid says {amount} fen, the ledger owes "
                f"{money} fen in money plus {int(refund['in_kind_fen'])} fen in kind"
            )
        postings = [_dr(account, owed) for account, owed in open_payables]
        postings.append(_cr(PSP_CLEARING, money))
        currency = str(refund["currency"])
        _post(tx, case, event, "refund_paid", postings, currency=currency)
        tx.execute(
            "UPDATE ledger_refunds SET status = 'paid', paid_at = ?, psp_reference = ? "
            "WHERE case_no = ?",
            (ts(event.at), event.psp_reference, case.case_no),
        )
        _record_payment(tx, case, event, "refund", amount, money, currency)

    def _refund_failed(self, tx: DbConnection, event: Any, case: _CaseRow) -> None:
        tx.execute(
            "UPDATE ledger_refunds SET status = 'failed', failed_attempts = failed_attempts + 1, "
            "last_failure = ?, last_failed_at = ? WHERE case_no = ?",
            (event.reason, ts(event.at), case.case_no),
        )

    def _compensation_granted(self, tx: DbConnection, event: Any, case: _CaseRow) -> None:
        fen = int(event.amount_fen)
        postings = [
            _dr(f"{COMPENSATION_EXPENSE}:{case.merchant_id}", fen),
            _cr(COMPENSATION_PAYABLE, fen),
        ]
        _post(tx, case, event, "compensation_granted", postings, currency=case.currency)

    def _compensation_paid(self, tx: DbConnection, event: Any, case: _CaseRow) -> None:
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
        postings = [_dr(COMPENSATION_PAYABLE, fen), _cr(PSP_CLEARING, fen)]
        _post(tx, case, event, "compensation_paid", postings, currency=case.currency)
        _record_payment(tx, case, event, "compensation", fen, fen, case.currency)

    def _quote_accepted(self, tx: DbConnection, event: Any, case: _CaseRow) -> None:
        fen = int(event.fee_fen)
        m = case.merchant_id
        postings = [
            _dr(f"{REPAIR_FEE_RECEIVABLE}:{m}", fen),
            _cr(f"{REPAIR_FEE_DEFERRED}:{m}", fen),
        ]
        _post(tx, case, event, "repair_fee_accepted", postings, currency=case.currency)
        _set_deferred(tx, case, case.repair_fee_deferred_fen + fen)

    def _repair_completed(self, tx: DbConnection, event: Any, case: _CaseRow) -> None:
        fee = int(event.fee_fen)
        deferred = case.repair_fee_deferred_fen
        m = case.merchant_id
        postings = [
            _dr(f"{REPAIR_FEE_DEFERRED}:{m}", deferred),
            _cr(f"{REPAIR_FEE_INCOME}:{m}", fee),
        ]
        if fee > deferred:  # charged without an accepted quote (e.g. after a ruling, R10)
            postings.append(_dr(f"{REPAIR_FEE_RECEIVABLE}:{m}", fee - deferred))
        elif fee < deferred:  # charged less than accepted: the rest is not owed
            postings.append(_cr(f"{REPAIR_FEE_RECEIVABLE}:{m}", deferred - fee))
        _post(tx, case, event, "repair_fee_earned", postings, currency=case.currency)
        _set_deferred(tx, case, 0)

    def _case_ended(self, tx: DbConnection, event: Any, case: _CaseRow) -> None:
        deferred = case.repair_fee_deferred_fen
        if not deferred:
            return
        m = case.merchant_id
        postings = [
            _dr(f"{REPAIR_FEE_DEFERRED}:{m}", deferred),
            _cr(f"{REPAIR_FEE_RECEIVABLE}:{m}", deferred),
        ]
        _post(tx, case, event, "repair_fee_cancelled", postings, currency=case.currency)
        _set_deferred(tx, case, 0)


PROJECTIONS = (LedgerProjection,)
"""For :mod:`projections.registry`."""


def _load_case(tx: DbConnection, case_id: str) -> _CaseRow | None:
    row = tx.execute(
        "SELECT case_id, case_no, merchant_id, currency, repair_fee_deferred_fen, last_version "
        "FROM ledger_cases WHERE case_id = ?",
        (case_id,),
    ).fetchone()
    if row is None:
        return None
    return _CaseRow(
        case_id=str(row["case_id"]),
        case_no=str(row["case_no"]),
        merchant_id=str(row["merchant_id"]),
        currency=str(row["currency"]),
        repair_fee_deferred_fen=int(row["repair_fee_deferred_fen"]),
        last_version=int(row["last_version"]),
    )


# "account starts with ?": exact and case-sensitive on both stores (unlike LIKE on SQLite).
_PREFIX = "substr(account, 1, CAST(? AS INTEGER)) = ?"


def _prefix(prefix: str) -> tuple[int, str]:
    return len(prefix), prefix


def _set_deferred(tx: DbConnection, case: _CaseRow, fen: int) -> None:
    tx.execute(
        "UPDATE ledger_cases SET repair_fee_deferred_fen = ? WHERE case_id = ?",
        (fen, case.case_id),
    )


def _deadline(deadlines: Iterable[Any], clock: Clock) -> Any:
    for deadline in deadlines or ():
        if Clock(deadline.name) is clock:
            return deadline
    return None


def last_day_before(end: datetime) -> date:
    """The CST day a deadline "at 24:00 CST of day D" (stored as 00:00 of D + 1) falls on: D."""
    return cst_date(end - timedelta(microseconds=1))


def _post(
    tx: DbConnection,
    case: _CaseRow,
    event: Any,
    kind: str,
    postings: Sequence[Posting],
    *,
    currency: str,
) -> None:
    lines = balanced(postings)
    if not lines:
        return
    version = int(event.originator_version)
    at: datetime = event.at
    entry_id = f"{case.case_no}#{version}"
    tx.executemany(
        "INSERT INTO journal (entry_id, line_no, case_no, merchant_id, account, debit_fen, "
        "credit_fen, currency, at, cst_day, event_version, kind) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
        "ON CONFLICT (case_no, event_version, line_no) DO NOTHING",
        [
            (
                entry_id,
                line_no,
                case.case_no,
                case.merchant_id,
                p.account,
                p.debit_fen,
                p.credit_fen,
                currency,
                ts(at),
                cst_date(at).isoformat(),
                version,
                kind,
            )
            for line_no, p in enumerate(lines, start=1)
        ],
    )


def _record_payment(
    tx: DbConnection,
    case: _CaseRow,
    event: Any,
    kind: str,
    amount_fen: int,
    psp_amount_fen: int,
    currency: str,
) -> None:
    tx.execute(
        "INSERT INTO ledger_payments (case_no, event_version, kind, psp_reference, merchant_id, "
        "currency, amount_fen, psp_amount_fen, paid_at, paid_day) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (case_no, event_version) DO NOTHING",
        (
            case.case_no,
            int(event.originator_version),
            kind,
            event.psp_reference,
            case.merchant_id,
            currency,
            amount_fen,
            psp_amount_fen,
            ts(event.at),
            cst_date(event.at).isoformat(),
        ),
    )


# ---------------------------------------------------------------------------------------------
# Queries


@dataclass(frozen=True)
class JournalLine:
    entry_id: str
    line_no: int
    case_no: str
    merchant_id: str
    account: str
    debit_fen: int
    credit_fen: int
    currency: str
    at: str
    cst_day: str
    event_version: int
    kind: str


@dataclass(frozen=True)
class AccountBalance:
    """Debits, credits and balance (debits - credits) of one account in one currency; ``key`` is
    the case number, merchant id or CST day the balance is grouped by ("" when by account)."""

    key: str
    account: str
    currency: str
    debit_fen: int
    credit_fen: int

    @property
    def balance_fen(self) -> int:
        return self.debit_fen - self.credit_fen


@dataclass(frozen=True)
class RefundDue:
    """An approved refund not yet paid, with its R3 due day (the last CST day money may arrive)."""

    case_no: str
    merchant_id: str
    currency: str
    total_fen: int
    money_fen: int
    in_kind_fen: int
    approved_at: str
    due_at: str | None
    due_day: date | None
    due_provisional: bool
    status: str
    failed_attempts: int
    last_failure: str | None
    paid_at: str | None
    psp_reference: str | None
    working_due_at: str | None = None
    """R3: the policy's working days after approval."""
    statutory_due_at: str | None = None
    """R3, Law art. 13: 7 natural days from the goods' delivery back (None: none delivered)."""
    statutory_due_day: date | None = None

    @property
    def statutory_is_earlier(self) -> bool:
        """True when the statutory ceiling, not the working days, sets the due day (equal: the
        statutory one)."""
        if self.statutory_due_at is None:
            return False
        return self.working_due_at is None or self.statutory_due_at <= self.working_due_at

    def overdue_on(self, day: date) -> bool:
        """True when ``day`` is after the due day and the refund is still unpaid."""
        return self.paid_at is None and self.due_day is not None and day > self.due_day


Grouping = Literal["account", "case", "merchant", "day"]
_GROUP_COLUMN: dict[str, str | None] = {
    "account": None,
    "case": "case_no",
    "merchant": "merchant_id",
    "day": "cst_day",
}


def balances(
    db: Database,
    *,
    by: Grouping = "account",
    merchant_id: str | None = None,
    case_no: str | None = None,
    account: str | None = None,
    currency: str | None = None,
    start_day: date | None = None,
    end_day: date | None = None,
) -> list[AccountBalance]:
    """Debits and credits per account and currency, optionally grouped by case, merchant or CST
    day, filtered by merchant, case, account (exact, or a prefix ending in ``:``), currency and
    an inclusive CST day range. Grouped by ``"day"`` the figures are that day's movements;
    otherwise (with ``end_day``) they are the balances at the end of ``end_day``."""
    if by not in _GROUP_COLUMN:
        raise ValueError(f"group balances by one of {sorted(_GROUP_COLUMN)}, not {by!r}")
    column = _GROUP_COLUMN[by]
    where: list[str] = []
    params: list[Any] = []
    for name, value in (("merchant_id", merchant_id), ("case_no", case_no), ("currency", currency)):
        if value is not None:
            where.append(f"{name} = ?")
            params.append(value)
    if account is not None:
        if account.endswith(":"):
            where.append(_PREFIX)
            params.extend(_prefix(account))
        else:
            where.append("account = ?")
            params.append(account)
    if start_day is not None:
        where.append("cst_day >= ?")
        params.append(start_day.isoformat())
    if end_day is not None:
        where.append("cst_day <= ?")
        params.append(end_day.isoformat())
    key = f"{column} AS k, " if column else ""
    group = f"{column}, " if column else ""
    sql = (
        f"SELECT {key}account, currency, SUM(debit_fen) AS d, SUM(credit_fen) AS c FROM journal"
        + (" WHERE " + " AND ".join(where) if where else "")
        + f" GROUP BY {group}account, currency ORDER BY {group}account, currency"
    )
    with db.connect() as conn:
        rows = conn.execute(sql, params).fetchall()
    return [
        AccountBalance(
            key=str(row["k"]) if column else "",
            account=str(row["account"]),
            currency=str(row["currency"]),
            debit_fen=int(row["d"]),
            credit_fen=int(row["c"]),
        )
        for row in rows
    ]


def case_balances(db: Database, case_no: str) -> list[AccountBalance]:
    """Balances of one case's accounts."""
    return balances(db, by="case", case_no=case_no)


def merchant_balances(db: Database, merchant_id: str) -> list[AccountBalance]:
    """Balances of every account one merchant's cases touched."""
    return balances(db, by="merchant", merchant_id=merchant_id)


def daily_balances(
    db: Database, start_day: date, end_day: date, *, merchant_id: str | None = None
) -> list[AccountBalance]:
    """Movements per CST day and account in ``start_day``..``end_day`` (inclusive)."""
    return balances(db, by="day", merchant_id=merchant_id, start_day=start_day, end_day=end_day)


def trial_balance(db: Database) -> dict[str, tuple[int, int]]:
    """Total (debits, credits) per currency: the two are equal in a sound ledger."""
    with db.connect() as conn:
        rows = conn.execute(
            "SELECT currency, SUM(debit_fen) AS d, SUM(credit_fen) AS c FROM journal "
            "GROUP BY currency ORDER BY currency"
        ).fetchall()
    return {str(r["currency"]): (int(r["d"]), int(r["c"])) for r in rows}


def _journal_line(r: Any) -> JournalLine:
    return JournalLine(
        entry_id=str(r["entry_id"]),
        line_no=int(r["line_no"]),
        case_no=str(r["case_no"]),
        merchant_id=str(r["merchant_id"]),
        account=str(r["account"]),
        debit_fen=int(r["debit_fen"]),
        credit_fen=int(r["credit_fen"]),
        currency=str(r["currency"]),
        at=str(r["at"]),
        cst_day=str(r["cst_day"]),
        event_version=int(r["event_version"]),
        kind=str(r["kind"]),
    )


def _journal_where(
    case_no: str | None, merchant_id: str | None, kind: str | None, cst_day: str | None
) -> tuple[str, list[Any]]:
    where: list[str] = []
    params: list[Any] = []
    for name, value in (
        ("case_no", case_no),
        ("merchant_id", merchant_id),
        ("kind", kind),
        ("cst_day", cst_day),
    ):
        if value is not None:
            where.append(f"{name} = ?")
            params.append(value)
    return (" WHERE " + " AND ".join(where) if where else ""), params


def journal_lines(
    db: Database,
    *,
    case_no: str | None = None,
    merchant_id: str | None = None,
    kind: str | None = None,
    cst_day: str | None = None,
) -> list[JournalLine]:
    """Journal lines in booking order (case, event version, line), optionally filtered."""
    where, params = _journal_where(case_no, merchant_id, kind, cst_day)
    sql = f"SELECT * FROM journal{where} ORDER BY at, case_no, event_version, line_no"
    with db.connect() as conn:
        rows = conn.execute(sql, params).fetchall()
    return [_journal_line(r) for r in rows]


def journal_page(
    db: Database,
    *,
    limit: int | None,
    offset: int = 0,
    case_no: str | None = None,
    merchant_id: str | None = None,
    kind: str | None = None,
    cst_day: str | None = None,
) -> tuple[list[JournalLine], int]:
    """One page of journal lines, newest entry first (an entry's lines in their order), and how
    many match: filtered, ordered and paged in SQL."""
    if offset < 0 or (limit is not None and limit < 1):
        raise ValueError("a page starts at 0 and holds at least one line")
    where, params = _journal_where(case_no, merchant_id, kind, cst_day)
    order = " ORDER BY at DESC, case_no DESC, event_version DESC, line_no ASC"
    page = "" if limit is None else " LIMIT ? OFFSET ?"
    with db.connect() as conn:
        total = int(
            conn.execute(f"SELECT COUNT(*) AS n FROM journal{where}", params).fetchone()["n"]
        )
        rows = conn.execute(
            f"SELECT * FROM journal{where}{order}{page}",
            [*params, *([] if limit is None else [limit, offset])],
        ).fetchall()
    return [_journal_line(r) for r in rows], total


def _refund(row: Any) -> RefundDue:
    return RefundDue(
        case_no=str(row["case_no"]),
        merchant_id=str(row["merchant_id"]),
        currency=str(row["currency"]),
        total_fen=int(row["total_fen"]),
        money_fen=int(row["money_fen"]),
        in_kind_fen=int(row["in_kind_fen"]),
        approved_at=str(row["approved_at"]),
        due_at=row["due_at"],
        due_day=date.fromisoformat(row["due_day"]) if row["due_day"] else None,
        due_provisional=bool(row["due_provisional"]),
        status=str(row["status"]),
        failed_attempts=int(row["failed_attempts"]),
        last_failure=row["last_failure"],
        paid_at=row["paid_at"],
        psp_reference=row["psp_reference"],
        working_due_at=row["working_due_at"],
        statutory_due_at=row["statutory_due_at"],
        statutory_due_day=(
            date.fromisoformat(row["statutory_due_day"]) if row["statutory_due_day"] else None
        ),
    )


def refunds_due(
    db: Database, by_day: date | None = None, *, merchant_id: str | None = None
) -> list[RefundDue]:
    """Approved refunds not yet paid (failed attempts included) whose R3 due day is on or before
    ``by_day`` (all of them when None), earliest due first."""
    sql = "SELECT * FROM ledger_refunds WHERE status <> 'paid'"
    params: list[Any] = []
    if by_day is not None:
        sql += " AND due_day <= ?"
        params.append(by_day.isoformat())
    if merchant_id is not None:
        sql += " AND merchant_id = ?"
        params.append(merchant_id)
    sql += " ORDER BY due_day, approved_at, case_no"
    with db.connect() as conn:
        return [_refund(row) for row in conn.execute(sql, params).fetchall()]


def refund_status(db: Database, case_no: str) -> RefundDue | None:
    """The approved refund of a case (paid or not), or None."""
    with db.connect() as conn:
        row = conn.execute("SELECT * FROM ledger_refunds WHERE case_no = ?", (case_no,)).fetchone()
    return None if row is None else _refund(row)
