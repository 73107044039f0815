"""Reconciliation results as the projection keeps them, and the queries finance's pages and the
API read: runs, their items, and the queue of discrepancies."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from domain.settlement import RESOLUTIONS
from domain.settlement.matching import DISCREPANCIES, OUTCOMES
from projections.db import Database

ITEM_COLUMNS = (
    "run_id",
    "item_no",
    "outcome",
    "psp_reference",
    "refund_id",
    "case_no",
    "merchant_id",
    "payment_kind",
    "report_row",
    "report_amount_fen",
    "ledger_amount_fen",
    "report_currency",
    "ledger_currency",
    "report_status",
    "report_at",
    "ledger_at",
    "note",
    "tender",
    "resolution",
    "resolution_reason",
    "resolved_by",
    "resolved_at",
    "resolved_case_no",
)
_INT_COLUMNS = frozenset({"item_no", "report_row", "report_amount_fen", "ledger_amount_fen"})

# ---------------------------------------------------------------------------------------------
# Results


@dataclass(frozen=True)
class ReconciliationItem:
    item_no: int
    outcome: str
    psp_reference: str
    refund_id: str | None = None
    case_no: str | None = None
    merchant_id: str | None = None
    payment_kind: str | None = None
    report_row: int | None = None
    report_amount_fen: int | None = None
    ledger_amount_fen: int | None = None
    report_currency: str | None = None
    ledger_currency: str | None = None
    report_status: str | None = None
    report_at: str | None = None
    ledger_at: str | None = None
    note: str = ""
    tender: str | None = None
    resolution: str | None = None
    resolution_reason: str | None = None
    resolved_by: str | None = None
    resolved_at: str | None = None
    resolved_case_no: str | None = None

    @property
    def discrepancy(self) -> bool:
        return self.outcome in DISCREPANCIES

    @property
    def open(self) -> bool:
        """A discrepancy finance has not resolved yet (work in its queue)."""
        return self.discrepancy and self.resolution is None

    @property
    def resolutions(self) -> tuple[str, ...]:
        """What may end it (``domain.settlement.RESOLUTIONS``); none once resolved."""
        if not self.open:
            return ()
        return tuple(r.value for r in RESOLUTIONS[self.outcome])

    @property
    def difference_fen(self) -> int | None:
        """Report minus ledger, when both have an amount."""
        if self.report_amount_fen is None or self.ledger_amount_fen is None:
            return None
        return self.report_amount_fen - self.ledger_amount_fen


@dataclass(frozen=True)
class ReconciliationRun:
    """One import of a settlement file: where it came from and how many items of each outcome."""

    run_id: str
    provider: str
    file_name: str
    file_sha256: str
    encoding: str
    imported_at: str
    period_start: date
    period_end: date
    report_rows: int
    matched: int
    missing_in_report: int
    missing_in_ledger: int
    amount_mismatches: int
    status_mismatches: int
    not_settled: int
    report_total_fen: int
    ledger_total_fen: int
    open_discrepancies: int = 0
    imported_by: str = ""

    @property
    def discrepancies(self) -> int:
        return (
            self.missing_in_report
            + self.missing_in_ledger
            + self.amount_mismatches
            + self.status_mismatches
        )

    @property
    def clean(self) -> bool:
        """No discrepancy left open: none found, or finance resolved each one."""
        return self.open_discrepancies == 0


@dataclass(frozen=True)
class ReconciliationResult:
    run: ReconciliationRun
    items: tuple[ReconciliationItem, ...] = field(default=())

    @property
    def run_id(self) -> str:
        return self.run.run_id

    def of(self, outcome: str) -> list[ReconciliationItem]:
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}; one of {OUTCOMES}")
        return [i for i in self.items if i.outcome == outcome]

    @property
    def matched(self) -> list[ReconciliationItem]:
        return self.of("matched")

    @property
    def missing_in_report(self) -> list[ReconciliationItem]:
        return self.of("missing_in_report")

    @property
    def missing_in_ledger(self) -> list[ReconciliationItem]:
        return self.of("missing_in_ledger")

    @property
    def amount_mismatches(self) -> list[ReconciliationItem]:
        return self.of("amount_mismatch")

    @property
    def status_mismatches(self) -> list[ReconciliationItem]:
        return self.of("status_mismatch")

    @property
    def not_settled(self) -> list[ReconciliationItem]:
        return self.of("not_settled")


# ---------------------------------------------------------------------------------------------
# Queries


def _run(row: Any) -> ReconciliationRun:
    return ReconciliationRun(
        run_id=str(row["run_id"]),
        provider=str(row["provider"]),
        file_name=str(row["file_name"]),
        file_sha256=str(row["file_sha256"]),
        encoding=str(row["encoding"]),
        imported_at=str(row["imported_at"]),
        period_start=date.fromisoformat(row["period_start"]),
        period_end=date.fromisoformat(row["period_end"]),
        report_rows=int(row["report_rows"]),
        matched=int(row["matched"]),
        missing_in_report=int(row["missing_in_report"]),
        missing_in_ledger=int(row["missing_in_ledger"]),
        amount_mismatches=int(row["amount_mismatches"]),
        status_mismatches=int(row["status_mismatches"]),
        not_settled=int(row["not_settled"]),
        report_total_fen=int(row["report_total_fen"]),
        ledger_total_fen=int(row["ledger_total_fen"]),
        open_discrepancies=int(row["open_discrepancies"]),
        imported_by=str(row["imported_by"]),
    )


def _item(row: Any) -> ReconciliationItem:
    values: dict[str, Any] = {}
    for column in ITEM_COLUMNS[1:]:
        value = row[column]
        values[column] = int(value) if value is not None and column in _INT_COLUMNS else value
    return ReconciliationItem(**values)


def reconciliation_runs(db: Database, limit: int = 50) -> list[ReconciliationRun]:
    """The latest runs first."""
    with db.connect() as conn:
        rows = conn.execute(
            "SELECT * FROM reconciliation_runs ORDER BY imported_at DESC, run_id LIMIT ?",
            (int(limit),),
        ).fetchall()
    return [_run(r) for r in rows]


def reconciliation_items(
    db: Database, run_id: str, outcome: str | None = None
) -> list[ReconciliationItem]:
    """A run's items in order, optionally only one outcome."""
    if outcome is not None and outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}; one of {OUTCOMES}")
    sql = "SELECT * FROM reconciliation_items WHERE run_id = ?"
    params: list[Any] = [run_id]
    if outcome is not None:
        sql += " AND outcome = ?"
        params.append(outcome)
    with db.connect() as conn:
        rows = conn.execute(sql + " ORDER BY item_no", params).fetchall()
    return [_item(r) for r in rows]


def reconciliation_run(db: Database, run_id: str) -> ReconciliationResult | None:
    """A stored run with its items, or None."""
    with db.connect() as conn:
        row = conn.execute(
            "SELECT * FROM reconciliation_runs WHERE run_id = ?", (run_id,)
        ).fetchone()
    if row is None:
        return None
    return ReconciliationResult(_run(row), tuple(reconciliation_items(db, run_id)))


def discrepancies(
    db: Database, *, open_only: bool = True, run_id: str | None = None, limit: int = 500
) -> list[tuple[str, ReconciliationItem]]:
    """Finance's queue: (run id, item) of every discrepancy, open ones only by default, oldest
    import first."""
    sql = (
        "SELECT i.* FROM reconciliation_items i JOIN reconciliation_runs r ON r.run_id = i.run_id "
        "WHERE i.outcome IN ('amount_mismatch', 'missing_in_ledger', 'missing_in_report', "
        "'status_mismatch')"
    )
    params: list[Any] = []
    if open_only:
        sql += " AND i.resolution IS NULL"
    if run_id is not None:
        sql += " AND i.run_id = ?"
        params.append(run_id)
    sql += " ORDER BY r.imported_at, i.run_id, i.item_no LIMIT ?"
    params.append(int(limit))
    with db.connect() as conn:
        rows = conn.execute(sql, params).fetchall()
    return [(str(r["run_id"]), _item(r)) for r in rows]
