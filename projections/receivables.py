"""Receivables (issue 8): money owed around a case and not settled yet, aged for finance.

- ``repair_fee`` (R6): the consumer accepted a quoted fee (``QuoteAccepted``: status
  ``accepted``); the completed repair charges it (``RepairCompleted`` with a fee: ``open``, aged
  from then); ``RepairFeePaid`` (tender, reference) or ``RepairFeeWaived`` (reason) end it; a case
  that ends without the repair cancels it.
- ``shipping`` (R2, R8, R6): the merchant owes the consumer a leg of an exchange or repair
  (``ShippingOwed``: ``open``); ``ShippingRepaid`` ends it.

Aging (:func:`aged`): open items by whole CST days since they became owed: 0–7, 8–30, over 30.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from eventsourcing.utils import get_topic

from domain.calendar import cst_date
from domain.case import Case
from projections.db import Database, DbConnection, ts

__all__ = [
    "AGE_BUCKETS",
    "PROJECTIONS",
    "RECEIVABLES_PROJECTION",
    "AgedRow",
    "ReceivablesProjection",
    "aged",
    "receivables",
]

RECEIVABLES_PROJECTION = "receivables"
AGE_BUCKETS = (("0-7", 0, 7), ("8-30", 8, 30), (">30", 31, None))

_EVENTS = (
    "Opened",
    "QuoteAccepted",
    "RepairCompleted",
    "RepairFeePaid",
    "RepairFeeWaived",
    "ShippingOwed",
    "ShippingRepaid",
    "Closed",
    "Withdrawn",
)


class ReceivablesProjection:
    name = RECEIVABLES_PROJECTION
    tables = ("receivables", "receivable_cases")
    topics = tuple(get_topic(getattr(Case, n)) for n in _EVENTS)

    def process(self, tx: DbConnection, event: Any, notification_id: int) -> None:
        name = type(event).__name__
        case_id = str(event.originator_id)
        if name == "Opened":
            tx.execute(
                "INSERT INTO receivable_cases (case_id, case_no, merchant_id, consumer_id, "
                "currency) VALUES (?, ?, ?, ?, ?) ON CONFLICT (case_id) DO NOTHING",
                (
                    case_id,
                    event.case_no,
                    event.merchant_id,
                    event.consumer_id,
                    event.terms.currency,
                ),
            )
            return
        case = tx.execute(
            "SELECT case_no, merchant_id, consumer_id, currency FROM receivable_cases "
            "WHERE case_id = ?",
            (case_id,),
        ).fetchone()
        if case is None:
            raise ValueError(f"{name} of case {case_id} before its Opened event")
        version = int(event.originator_version)
        at = ts(event.at)
        day = cst_date(event.at).isoformat()
        key = (str(case["case_no"]),)
        if name == "QuoteAccepted" and int(event.fee_fen):
            self._insert(
                tx, case, "repair_fee", int(event.fee_fen), "R6", at, day, "accepted", version
            )
        elif name == "RepairCompleted":
            fee = int(event.fee_fen)
            status = "open" if fee else "cancelled"
            tx.execute(
                "UPDATE receivables SET amount_fen = ?, status = ?, since_at = ?, since_day = ?, "
                "event_version = ? WHERE case_no = ? AND kind = 'repair_fee' "
                "AND status = 'accepted' AND event_version < ?",
                (fee, status, at, day, version, *key, version),
            )
        elif name in ("RepairFeePaid", "RepairFeeWaived"):
            paid = name == "RepairFeePaid"
            tx.execute(
                "UPDATE receivables SET status = ?, settled_at = ?, tender = ?, psp_reference = ?, "
                "reason = ?, event_version = ? WHERE case_no = ? AND kind = 'repair_fee' "
                "AND event_version < ?",
                (
                    "paid" if paid else "waived",
                    at,
                    getattr(event, "tender", None),
                    getattr(event, "psp_reference", None),
                    None if paid else event.reason,
                    version,
                    *key,
                    version,
                ),
            )
        elif name == "ShippingOwed":
            self._insert(
                tx, case, "shipping", int(event.amount_fen), event.rule, at, day, "open", version
            )
        elif name == "ShippingRepaid":
            tx.execute(
                "UPDATE receivables SET status = 'paid', settled_at = ?, tender = ?, "
                "psp_reference = ?, event_version = ? WHERE case_no = ? AND kind = 'shipping' "
                "AND event_version < ?",
                (at, event.tender, event.psp_reference, version, *key, version),
            )
        elif name in ("Closed", "Withdrawn"):  # a fee accepted but never charged ends with it
            tx.execute(
                "UPDATE receivables SET status = 'cancelled', settled_at = ?, event_version = ? "
                "WHERE case_no = ? AND kind = 'repair_fee' AND status = 'accepted' "
                "AND event_version < ?",
                (at, version, *key, version),
            )

    @staticmethod
    def _insert(
        tx: DbConnection,
        case: Any,
        kind: str,
        fen: int,
        rule: str,
        at: str,
        day: str,
        status: str,
        version: int,
    ) -> None:
        tx.execute(
            "INSERT INTO receivables (case_no, kind, merchant_id, consumer_id, currency, "
            "amount_fen, rule, since_at, since_day, status, event_version) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (case_no, kind) DO NOTHING",
            (
                case["case_no"],
                kind,
                case["merchant_id"],
                case["consumer_id"],
                case["currency"],
                fen,
                rule,
                at,
                day,
                status,
                version,
            ),
        )


PROJECTIONS = (ReceivablesProjection,)


@dataclass(frozen=True)
class AgedRow:
    case_no: str
    kind: str
    merchant_id: str
    consumer_id: str
    currency: str
    amount_fen: int
    rule: str
    since_day: str
    status: str
    age_days: int
    bucket: str
    tender: str | None
    psp_reference: str | None
    reason: str | None


def _bucket(days: int) -> str:
    for name, low, high in AGE_BUCKETS:
        if days >= low and (high is None or days <= high):
            return name
    return AGE_BUCKETS[0][0]


def receivables(db: Database, as_of: date, *, open_only: bool = False) -> list[AgedRow]:
    """Every receivable (or the open ones), oldest first, with its age on ``as_of`` (CST)."""
    sql = "SELECT * FROM receivables"
    if open_only:
        sql += " WHERE status = 'open'"
    sql += " ORDER BY since_day, case_no, kind"
    with db.connect() as conn:
        rows = conn.execute(sql).fetchall()
    out = []
    for r in rows:
        age = max(0, (as_of - date.fromisoformat(str(r["since_day"]))).days)
        out.append(
            AgedRow(
                case_no=str(r["case_no"]),
                kind=str(r["kind"]),
                merchant_id=str(r["merchant_id"]),
                consumer_id=str(r["consumer_id"]),
                currency=str(r["currency"]),
                amount_fen=int(r["amount_fen"]),
                rule=str(r["rule"]),
                since_day=str(r["since_day"]),
                status=str(r["status"]),
                age_days=age,
                bucket=_bucket(age),
                tender=r["tender"],
                psp_reference=r["psp_reference"],
                reason=r["reason"],
            )
        )
    return out


def aged(db: Database, as_of: date) -> dict[tuple[str, str], int]:
    """Open amounts per (kind, age bucket) on ``as_of``: the finance summary."""
    totals: dict[tuple[str, str], int] = {}
    for row in receivables(db, as_of, open_only=True):
        key = (row.kind, row.bucket)
        totals[key] = totals.get(key, 0) + row.amount_fen
    return totals
