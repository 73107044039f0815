"""Queries of the ledger: journal lines and pages, balances (by account, case, merchant, CST
day), the trial balance, refunds due (R3) and each refund's per-tender payments (R3.a)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from domain.tenders import PaymentStatus
from projections.db import Database
from projections.ledger.booking import PREFIX_SQL, prefix_params


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
            where.append(PREFIX_SQL)
            params.extend(prefix_params(account))
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


@dataclass(frozen=True)
class TenderPaymentRow:
    """One money tender's payment of a refund (R3.a): its state, reference and attempts."""

    case_no: str
    tender: str
    paid_to: str
    merchant_id: str
    currency: str
    amount_fen: int
    status: str
    failed_attempts: int
    retries: int
    psp_reference: str | None
    last_failure: str | None
    consent: str | None
    updated_at: str

    @property
    def paid(self) -> bool:
        return self.status == PaymentStatus.PAID

    @property
    def rerouted(self) -> bool:
        """Paid to another tender than its own (the wallet, with the consumer's consent)."""
        return self.paid_to != self.tender

    @property
    def due(self) -> bool:
        return self.status == PaymentStatus.DUE


def tender_payments(
    db: Database, case_no: str | None = None, *, status: str | None = None
) -> list[TenderPaymentRow]:
    """Per-tender payments, of one case or all, optionally of one status."""
    sql = "SELECT * FROM ledger_tender_payments"
    where: list[str] = []
    params: list[Any] = []
    if case_no is not None:
        where.append("case_no = ?")
        params.append(case_no)
    if status is not None:
        where.append("status = ?")
        params.append(status)
    if where:
        sql += " WHERE " + " AND ".join(where)
    with db.connect() as conn:
        rows = conn.execute(sql + " ORDER BY case_no, tender", params).fetchall()
    return [
        TenderPaymentRow(
            case_no=str(r["case_no"]),
            tender=str(r["tender"]),
            paid_to=str(r["paid_to"]),
            merchant_id=str(r["merchant_id"]),
            currency=str(r["currency"]),
            amount_fen=int(r["amount_fen"]),
            status=str(r["status"]),
            failed_attempts=int(r["failed_attempts"]),
            retries=int(r["retries"]),
            psp_reference=r["psp_reference"],
            last_failure=r["last_failure"],
            consent=r["consent"],
            updated_at=str(r["updated_at"]),
        )
        for r in rows
    ]
