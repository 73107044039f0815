"""Finance's queries, shared by the finance pages and the API (``web.api.finance``): journal
pages, balances, refunds due against their R3 deadline, compensation owed (R14), and importing
a settlement report for reconciliation."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import (
    abort,
    current_app,
)
from flask_babel import gettext

from domain.calendar import cst_date
from projections import ledger
from projections.ledger import AccountBalance, JournalLine, RefundDue
from projections.timeline import case_summary
from web import get_db
from web.services import get_service

PAGE_SIZE = 50
DEFAULT_DAY_RANGE = 30
#: Largest settlement report accepted (bytes); config ``SETTLEMENT_MAX_BYTES`` overrides it.
DEFAULT_SETTLEMENT_MAX_BYTES = 5 * 1024 * 1024


# --- queries (shared with web/api/finance.py) -------------------------------------------------


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
    tenders: tuple[Any, ...] = ()
    """R3.a: the refund's payment per money tender (a partial failure shows here)."""

    @property
    def tenders_worth_listing(self) -> bool:
        """Several tenders, or one whose payment has moved on from due: worth a line each."""
        return len(self.tenders) > 1 or any(not t.due for t in self.tenders)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.refund, name)


def refund_rows(*, by_day: date | None = None, merchant_id: str | None = None) -> list[RefundRow]:
    today = today_cst()
    db = get_db()
    by_case: dict[str, list[Any]] = {}
    for payment in ledger.tender_payments(db):
        by_case.setdefault(payment.case_no, []).append(payment)
    return [
        RefundRow(refund, refund.overdue_on(today), tuple(by_case.get(refund.case_no, ())))
        for refund in ledger.refunds_due(db, by_day, merchant_id=merchant_id)
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
                limit=size_limit_text(limit),
            ),
            413,
        )
    # reconcile() brings the ledger up to date first (a payment recorded a moment ago would
    # otherwise look missing), records the settlement as events and catches its projection up.
    from web.common.auth import current_actor

    source = io.BytesIO(data)
    name = "".join(c for c in Path(filename or "").name if c.isprintable())[:120]
    source.name = name or "report.csv"
    try:
        return reconcile.reconcile(get_service(), get_db(), source, actor=current_actor())
    except reconcile.ReconciliationError as error:
        raise UploadRefused(
            gettext("Settlement report not imported: %(problem)s", problem=str(error))
        ) from None


def size_limit_text(limit: int) -> str:
    if limit >= 1024 * 1024 and limit % (1024 * 1024) == 0:
        return f"{limit // (1024 * 1024)} MB"
    if limit >= 1024:
        return f"{limit // 1024} KB"
    return f"{limit} B"


def runs() -> list[Any]:
    from projections import reconcile

    return list(reconcile.reconciliation_runs(get_db(), limit=200))


def run_id_of(result: Any) -> str:
    return str(result.run.run_id)


def load_run(run_id: str) -> tuple[Any, list[Any]]:
    """A stored run and its items (404 when there is no such run)."""
    from projections import reconcile

    found = reconcile.reconciliation_run(get_db(), run_id)
    if found is None:
        abort(404)
    return found.run, list(found.items)


def discrepancy_rows(*, open_only: bool = True, run_id: str | None = None) -> list[dict[str, Any]]:
    """Finance's queue (issue 8): each discrepancy with its run and the resolutions that may end
    it (``domain.settlement.RESOLUTIONS``, read, never re-decided here)."""
    from dataclasses import asdict

    from projections import reconcile

    return [
        {**asdict(item), "run_id": run, "resolutions": list(item.resolutions)}
        for run, item in reconcile.discrepancies(get_db(), open_only=open_only, run_id=run_id)
    ]
