"""The reconciliation projection: ``reconciliation_runs`` and ``reconciliation_items`` from the
events of ``Settlement`` aggregates (issue 8). Nothing else writes these tables, so a rebuild of
the projection gives them back from the event log."""

from __future__ import annotations

from typing import Any

from eventsourcing.utils import get_topic

from domain.settlement import Settlement
from domain.settlement.matching import DISCREPANCIES, OUTCOMES, is_settled
from projections.db import DbConnection, ts
from projections.reconcile.results import ITEM_COLUMNS

RECONCILIATION_PROJECTION = "reconciliation"
RESOLVED = {
    "MatchedByHand": "match_by_hand",
    "WrittenOff": "write_off",
    "MarkedPaid": "mark_paid",
    "PaymentReopened": "reopen_payment",
}


def _topic(name: str) -> str:
    return get_topic(getattr(Settlement, name))


class ReconciliationProjection:
    name = RECONCILIATION_PROJECTION
    tables = ("reconciliation_items", "reconciliation_runs")

    def __init__(self) -> None:
        self._imported = _topic("Imported")
        self._resolved = {_topic(n): code for n, code in RESOLVED.items()}
        self.topics: tuple[str, ...] = (self._imported, *self._resolved)

    def process(self, tx: DbConnection, event: Any, notification_id: int) -> None:
        topic = get_topic(type(event))
        if topic == self._imported:
            self._imported_run(tx, event)
        elif topic in self._resolved:
            self._resolve(tx, event, self._resolved[topic])

    def _imported_run(self, tx: DbConnection, event: Any) -> None:
        run_id = str(event.settlement_no)
        if tx.execute(
            "SELECT 1 AS x FROM reconciliation_runs WHERE run_id = ?", (run_id,)
        ).fetchone():
            return  # replayed
        items = [dict(i) for i in event.items]
        count = {o: sum(1 for i in items if i["outcome"] == o) for o in OUTCOMES}
        tx.execute(
            "INSERT INTO reconciliation_runs (run_id, provider, file_name, file_sha256, encoding, "
            "imported_at, period_start, period_end, report_rows, matched, missing_in_report, "
            "missing_in_ledger, amount_mismatches, status_mismatches, not_settled, "
            "report_total_fen, ledger_total_fen, open_discrepancies, imported_by, settlement_id) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                run_id,
                event.source_format,
                event.file_name,
                event.file_sha256,
                event.encoding,
                ts(event.at),
                event.period_start,
                event.period_end,
                len(event.rows),
                count["matched"],
                count["missing_in_report"],
                count["missing_in_ledger"],
                count["amount_mismatch"],
                count["status_mismatch"],
                count["not_settled"],
                sum(int(r["amount_fen"]) for r in event.rows if is_settled(r)),
                sum(
                    int(i.get("ledger_amount_fen") or 0)
                    for i in items
                    if i["outcome"] != "status_mismatch"
                ),
                sum(1 for i in items if i["outcome"] in DISCREPANCIES),
                str(event.actor.id),
                str(event.originator_id),
            ),
        )
        tx.executemany(
            f"INSERT INTO reconciliation_items ({', '.join(ITEM_COLUMNS)}) "
            f"VALUES ({', '.join('?' for _ in ITEM_COLUMNS)})",
            [(run_id, *(item.get(c) for c in ITEM_COLUMNS[1:])) for item in items],
        )

    def _resolve(self, tx: DbConnection, event: Any, code: str) -> None:
        item = tx.execute(
            "SELECT i.run_id, i.resolution FROM reconciliation_items i JOIN reconciliation_runs r "
            "ON r.run_id = i.run_id WHERE r.settlement_id = ? AND i.item_no = ?",
            (str(event.originator_id), int(event.item_no)),
        ).fetchone()
        if item is None:
            raise ValueError(
                f"a resolution of settlement {event.originator_id} item {event.item_no} "
                "before its import"
            )
        if item["resolution"] is not None:
            return  # replayed
        tx.execute(
            "UPDATE reconciliation_items SET resolution = ?, resolution_reason = ?, "
            "resolved_by = ?, resolved_at = ?, resolved_case_no = ? "
            "WHERE run_id = ? AND item_no = ?",
            (
                code,
                event.reason,
                str(event.actor.id),
                ts(event.at),
                event.case_no or None,
                item["run_id"],
                int(event.item_no),
            ),
        )
        tx.execute(
            "UPDATE reconciliation_runs SET open_discrepancies = open_discrepancies - 1 "
            "WHERE run_id = ?",
            (item["run_id"],),
        )


PROJECTIONS = (ReconciliationProjection,)
