"""Booking: what the projection knows of a case, and writing balanced entries and payments.

:func:`post` writes one entry (``<case_no>#<event_version>``) after :func:`balanced` checked it;
:func:`record_payment` writes a payment reconciliation matches against. Handlers (the built-in
ones and those of ``projections.ledger_fees``) take ``(tx, event, case: CaseRow)``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from eventsourcing.utils import get_topic

from domain.calendar import cst_date
from domain.case import Case
from domain.deadlines import Clock
from projections.db import DbConnection, ts
from projections.ledger.accounts import Posting, balanced


@dataclass(frozen=True)
class CaseRow:
    case_id: str
    case_no: str
    merchant_id: str
    currency: str
    repair_fee_deferred_fen: int
    last_version: int


@dataclass
class LedgerBatch:
    """What :meth:`LedgerProjection.process_batch` keeps in memory for one batch (issue 12): each
    case's row as the batch left it (read once, written once at the end), the cases opened in the
    batch (inserted at the end with their final state) and the lines each entry has so far."""

    cases: dict[str, CaseRow]
    opened: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    dirty: set[str] = field(default_factory=set)
    lines: dict[tuple[str, int], int] = field(default_factory=dict)


BATCH: ContextVar[LedgerBatch | None] = ContextVar("ledger_batch", default=None)
"""Set while a batch is booked: :func:`post` and :func:`set_deferred` use it instead of SQL."""

CASE_COLUMNS = "case_id, case_no, merchant_id, currency, repair_fee_deferred_fen, last_version"


def case_topic(name: str) -> str:
    return get_topic(getattr(Case, name))


def load_case(tx: DbConnection, case_id: str) -> CaseRow | None:
    row = tx.execute(
        f"SELECT {CASE_COLUMNS} FROM ledger_cases WHERE case_id = ?", (case_id,)
    ).fetchone()
    return None if row is None else case_row(row)


def case_row(row: Any) -> CaseRow:
    return CaseRow(
        case_id=str(row["case_id"]),
        case_no=str(row["case_no"]),
        merchant_id=str(row["merchant_id"]),
        currency=str(row["currency"]),
        repair_fee_deferred_fen=int(row["repair_fee_deferred_fen"]),
        last_version=int(row["last_version"]),
    )


# "account starts with ?": exact and case-sensitive on both stores (unlike LIKE on SQLite).
PREFIX_SQL = "substr(account, 1, CAST(? AS INTEGER)) = ?"


def prefix_params(prefix: str) -> tuple[int, str]:
    return len(prefix), prefix


def set_deferred(tx: DbConnection, case: CaseRow, fen: int) -> None:
    batch = BATCH.get()
    if batch is not None and case.case_id in batch.cases:
        current = batch.cases[case.case_id]
        batch.cases[case.case_id] = replace(current, repair_fee_deferred_fen=fen)
        batch.dirty.add(case.case_id)
        return
    tx.execute(
        "UPDATE ledger_cases SET repair_fee_deferred_fen = ? WHERE case_id = ?",
        (fen, case.case_id),
    )


def deadline_of(deadlines: Iterable[Any], clock: Clock) -> Any:
    for deadline in deadlines or ():
        if Clock(deadline.name) is clock:
            return deadline
    return None


def last_day_before(end: datetime) -> date:
    """The CST day a deadline "at 24:00 CST of day D" (stored as 00:00 of D + 1) falls on: D."""
    return cst_date(end - timedelta(microseconds=1))


def post(
    tx: DbConnection,
    case: CaseRow,
    event: Any,
    kind: str,
    postings: Sequence[Posting],
    *,
    currency: str,
) -> None:
    """Write one balanced entry for ``event``. Several entries of one event (a built-in handler's
    and a ``projections.ledger_fees`` one) number their lines on from the last."""
    lines = balanced(postings)
    if not lines:
        return
    version = int(event.originator_version)
    batch = BATCH.get()
    if batch is not None:  # the event is newer than the case's last: no line of it is stored
        first = batch.lines.get((case.case_no, version), 0)
        batch.lines[(case.case_no, version)] = first + len(lines)
    else:
        first = int(
            tx.execute(
                "SELECT COALESCE(MAX(line_no), 0) AS n FROM journal WHERE case_no = ? "
                "AND event_version = ?",
                (case.case_no, version),
            ).fetchone()["n"]
        )
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
            for line_no, p in enumerate(lines, start=first + 1)
        ],
    )


def record_payment(
    tx: DbConnection,
    case: CaseRow,
    event: Any,
    kind: str,
    amount_fen: int,
    psp_amount_fen: int,
    currency: str,
    *,
    tender: str | None = None,
) -> None:
    """A payment finance recorded (reconciliation matches it against the provider's report by
    ``psp_reference``); ``tender`` None: every open tender at once."""
    tx.execute(
        "INSERT INTO ledger_payments (case_no, event_version, kind, psp_reference, merchant_id, "
        "currency, amount_fen, psp_amount_fen, paid_at, paid_day, tender) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (case_no, event_version) DO NOTHING",
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
            tender,
        ),
    )
