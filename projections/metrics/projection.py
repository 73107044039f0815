"""The metrics projection: counts per merchant per CST day, per SKU per day, one row per case
(R15, R18, R22, R24). What is counted and on which day: the package's docstring."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from eventsourcing.utils import get_topic

from domain.calendar import cst_date
from domain.case import Case
from domain.order import Order
from domain.values import CaseKind, Role
from projections.batching import select_in
from projections.db import DbConnection, parse_ts, ts
from projections.metrics.limits import (
    _RETURN_KINDS,
    METRICS_PROJECTION,
    METRICS_TABLES,
)
from projections.metrics.pending import Pending, bump_sql


def _case_topic(name: str) -> str:
    return get_topic(getattr(Case, name))


def _order_topic(name: str) -> str:
    return get_topic(getattr(Order, name))


def _day(at: datetime) -> str:
    return cst_date(at).isoformat()


def _seconds(start: datetime, end: datetime) -> int:
    delta = end - start
    return delta.days * 86400 + delta.seconds


class MetricsProjection:
    """Feeds the metrics tables from Order and Case events (see the module docstring)."""

    name = METRICS_PROJECTION
    tables = METRICS_TABLES

    _CASE_EVENTS = (
        "Opened",
        "Accepted",
        "Rejected",
        "RefundPaid",
        "SlaBreached",
        "ComplaintFiled",
        "EscalatedToArbitration",
        "Closed",
        "Rated",
    )
    topics = (
        _order_topic("Recorded"),
        _order_topic("DeliverySigned"),
        *(_case_topic(n) for n in _CASE_EVENTS),
    )

    def __init__(self) -> None:
        # During ``process_batch``: each case's metrics_cases row as this batch left it (what
        # ``_case_moved`` reads), so a case's events cost no SELECT each (issue 12).
        self._cases: dict[str, dict[str, Any]] | None = None
        # Also during ``process_batch``: the orders' rows and lines, the refunded cases of the
        # orders the batch refunds ((order_no, merchant_id) -> {case_id: refunded_fen}) and the
        # writes held back until the batch's end.
        self._orders: dict[str, dict[str, Any]] = {}
        self._lines: dict[str, list[tuple[int, str, int, int]]] = {}
        self._refunds: dict[tuple[str, str], dict[str, int]] = {}
        self._pending: Pending | None = None
        self._recorded = _order_topic("Recorded")
        self._delivered = _order_topic("DeliverySigned")
        self._opened = _case_topic("Opened")
        self._case_names = {_case_topic(n): n for n in self._CASE_EVENTS}

    def process_batch(self, tx: DbConnection, items: Sequence[tuple[Any, int]]) -> None:
        """Event by event, the rows the batch needs read once for it and kept up to date here;
        the counters and case rows written once at the end (issue 12)."""
        self._load(tx, items)
        self._pending = Pending()
        try:
            for event, notification_id in items:
                self.process(tx, event, notification_id)
            self._pending.write(tx)
        finally:
            self._cases = None
            self._pending = None
            self._orders, self._lines, self._refunds = {}, {}, {}

    def _load(self, tx: DbConnection, items: Sequence[tuple[Any, int]]) -> None:
        by_topic: dict[str, set[str]] = defaultdict(set)
        order_of: dict[str, str] = {}  # case id -> order no, for cases opened in the batch
        for event, _ in items:
            topic = get_topic(type(event))
            by_topic[topic].add(str(event.originator_id))
            if topic == self._opened:
                order_of.setdefault(str(event.originator_id), str(event.order_no))
        wanted = set().union(*(by_topic[t] for t in self._case_names))
        self._cases = {
            str(row["case_id"]): dict(row)
            for row in select_in(
                tx, f"SELECT case_id, {_CASE_STATE} FROM metrics_cases WHERE", "case_id", wanted
            )
        }
        orders = by_topic[self._recorded] | by_topic[self._delivered]
        self._orders = {
            str(row["order_id"]): dict(row)
            for row in select_in(
                tx,
                "SELECT order_id, merchant_id, last_version FROM metrics_orders WHERE",
                "order_id",
                orders,
            )
        }
        self._lines = defaultdict(list)
        for row in select_in(
            tx,
            "SELECT order_id, line_no, sku, quantity, paid_fen FROM metrics_order_lines WHERE",
            "order_id",
            by_topic[self._delivered],
        ):
            self._lines[str(row["order_id"])].append(
                (int(row["line_no"]), str(row["sku"]), int(row["quantity"]), int(row["paid_fen"]))
            )
        for lines in self._lines.values():
            lines.sort()
        refunded = by_topic[_case_topic("RefundPaid")]
        order_nos = {
            str(self._cases[c]["order_no"]) if c in self._cases else order_of.get(c, "")
            for c in refunded
        }
        self._refunds = defaultdict(dict)
        for row in select_in(
            tx,
            "SELECT case_id, order_no, merchant_id, refunded_fen FROM metrics_cases "
            "WHERE refunded_fen > 0 AND",
            "order_no",
            order_nos - {""},
        ):
            key = (str(row["order_no"]), str(row["merchant_id"]))
            self._refunds[key][str(row["case_id"])] = int(row["refunded_fen"])

    def _bump(
        self, tx: DbConnection, table: str, keys: dict[str, Any], counts: dict[str, int]
    ) -> None:
        if self._pending is not None:
            self._pending.bump(table, keys, counts)
        else:
            sql = bump_sql(table, tuple(keys), tuple(counts))
            tx.execute(sql, (*keys.values(), *counts.values()))

    def _daily(self, tx: DbConnection, merchant_id: str, day: str, **counts: int) -> None:
        self._bump(tx, "metrics_merchant_daily", {"merchant_id": merchant_id, "day": day}, counts)

    def _increment(self, tx: DbConnection, case_id: str, column: str) -> None:
        if self._pending is not None:
            self._pending.increment(case_id, column)
        else:
            _increment(tx, case_id, column)

    def process(self, tx: DbConnection, event: Any, notification_id: int) -> None:
        topic = get_topic(type(event))
        if topic == self._recorded:
            self._order_recorded(tx, event)
        elif topic == self._delivered:
            self._delivery_signed(tx, event)
        elif topic == self._opened:
            self._case_opened(tx, event)
        elif topic in self._case_names:
            self._case_moved(tx, self._case_names[topic], event)

    # -- orders ----------------------------------------------------------------------------------

    def _order_recorded(self, tx: DbConnection, event: Any) -> None:
        order_id = str(event.originator_id)
        sql = (
            "INSERT INTO metrics_orders (order_id, order_no, merchant_id, delivered_day, "
            "last_version) VALUES (?, ?, ?, NULL, ?) ON CONFLICT (order_id) DO NOTHING"
        )
        params = (order_id, event.order_no, event.merchant_id, int(event.originator_version))
        if self._pending is None:
            if tx.execute(sql, params).rowcount != 1:
                return
        elif order_id in self._orders:
            return  # the row is there: DO NOTHING
        else:
            tx.execute(sql, params)
            self._orders[order_id] = {
                "merchant_id": str(event.merchant_id),
                "last_version": int(event.originator_version),
            }
            self._lines[order_id] = sorted(
                (int(line.line_no), str(line.sku), int(line.quantity), int(line.paid_fen))
                for line in event.lines
            )
        tx.executemany(
            "INSERT INTO metrics_order_lines (order_id, line_no, sku, quantity, paid_fen) "
            "VALUES (?, ?, ?, ?, ?)",
            [
                (order_id, line.line_no, line.sku, line.quantity, line.paid_fen)
                for line in event.lines
            ],
        )

    def _delivery_signed(self, tx: DbConnection, event: Any) -> None:
        order_id = str(event.originator_id)
        if self._pending is not None:
            order = self._orders.get(order_id)
        else:
            order = tx.execute(
                "SELECT merchant_id, last_version FROM metrics_orders WHERE order_id = ?",
                (order_id,),
            ).fetchone()
        version = int(event.originator_version)
        if order is None or version <= int(order["last_version"]):
            return
        day = _day(event.signed_at)
        merchant_id = str(order["merchant_id"])
        tx.execute(
            "UPDATE metrics_orders SET delivered_day = ?, last_version = ? WHERE order_id = ?",
            (day, version, order_id),
        )
        if self._pending is not None:
            self._orders[order_id] = {"merchant_id": merchant_id, "last_version": version}
            lines: Sequence[Any] = [
                {"sku": sku, "quantity": quantity, "paid_fen": paid}
                for _, sku, quantity, paid in self._lines.get(order_id, [])
            ]
        else:
            lines = tx.execute(
                "SELECT sku, quantity, paid_fen FROM metrics_order_lines WHERE order_id = ? "
                "ORDER BY line_no",
                (order_id,),
            ).fetchall()
        self._daily(
            tx,
            merchant_id,
            day,
            delivered_orders=1,  # R15: cases per delivered order (issue 8)
            delivered_lines=len(lines),
            delivered_paid_fen=sum(int(line["paid_fen"]) for line in lines),
        )
        units: dict[str, int] = defaultdict(int)
        for line in lines:
            units[str(line["sku"])] += int(line["quantity"])
        for sku, quantity in sorted(units.items()):
            self._bump(
                tx,
                "metrics_sku_daily",
                {"merchant_id": merchant_id, "sku": sku, "day": day},
                {"delivered_units": quantity},
            )

    # -- cases -----------------------------------------------------------------------------------

    def _case_opened(self, tx: DbConnection, event: Any) -> None:
        kind = CaseKind(event.kind).value
        day = _day(event.at)
        sql = (
            "INSERT INTO metrics_cases (case_id, case_no, merchant_id, order_no, kind, opened_at, "
            "opened_day, last_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (case_id) DO NOTHING"
        )
        params = (
            str(event.originator_id),
            event.case_no,
            event.merchant_id,
            event.order_no,
            kind,
            ts(event.at),
            day,
            int(event.originator_version),
        )
        if self._cases is None:
            if tx.execute(sql, params).rowcount != 1:
                return
        elif str(event.originator_id) in self._cases:
            return  # the row is there: DO NOTHING
        else:
            if self._pending is not None:  # inserted at the batch's end, with its changes
                self._pending.open_case(dict(zip(_OPENED_COLUMNS, params, strict=True)))
            else:
                tx.execute(sql, params)
            self._cases[str(event.originator_id)] = {
                "merchant_id": str(event.merchant_id),
                "order_no": str(event.order_no),
                "opened_at": ts(event.at),
                "first_response_at": None,
                "accepted_at": None,
                "last_version": int(event.originator_version),
            }
        complaint = 1 if kind == CaseKind.COMPLAINT.value else 0
        self._daily(tx, event.merchant_id, day, cases_opened=1, complaints=complaint)
        if kind in _RETURN_KINDS:
            units: dict[str, int] = defaultdict(int)
            for line in event.lines:
                units[line.sku] += int(line.quantity)
            for sku, quantity in sorted(units.items()):
                self._bump(
                    tx,
                    "metrics_sku_daily",
                    {"merchant_id": event.merchant_id, "sku": sku, "day": day},
                    {"returned_units": quantity},
                )

    def _case_moved(self, tx: DbConnection, name: str, event: Any) -> None:
        case_id = str(event.originator_id)
        case = self._cases.get(case_id) if self._cases is not None else None
        if case is None:
            case = tx.execute(
                f"SELECT {_CASE_STATE} FROM metrics_cases WHERE case_id = ?", (case_id,)
            ).fetchone()
        version = int(event.originator_version)
        if case is None or version <= int(case["last_version"]):
            return  # a case opened before the projection's start, or a replayed event
        merchant_id = str(case["merchant_id"])
        at: datetime = event.at
        day = _day(at)
        updates: dict[str, Any] = {"last_version": version}
        if name in ("Accepted", "Rejected") and case["first_response_at"] is None:
            updates.update(
                first_response_at=ts(at),
                first_response_day=day,
                first_response_seconds=_seconds(parse_ts(case["opened_at"]), at),
                first_response_kind=name.lower(),
                first_response_role=Role(event.actor.role).value,
            )
        if name == "Accepted" and case["accepted_at"] is None:
            updates.update(
                accepted_at=ts(at),
                accepted_day=day,
                acceptance_seconds=_seconds(parse_ts(case["opened_at"]), at),
            )
        elif name == "RefundPaid":
            fen = int(event.amount_fen)
            first = self._first_refund_of_order(tx, case, case_id, fen)  # R15 (issue 8)
            self._daily(
                tx, merchant_id, day, refunded_cases=1, refunded_fen=fen, refunded_orders=first
            )
            updates["refunded_fen"] = fen
        elif name == "SlaBreached":
            if Role(event.party) is Role.MERCHANT:
                self._daily(tx, merchant_id, day, merchant_breaches=1)
                self._increment(tx, case_id, "merchant_breaches")
            else:
                self._daily(tx, merchant_id, day, other_breaches=1)
        elif name == "ComplaintFiled":
            self._daily(tx, merchant_id, day, complaints=1)
            self._increment(tx, case_id, "complaints")
        elif name == "EscalatedToArbitration":
            self._daily(tx, merchant_id, day, arbitrations=1)
            updates["escalated"] = 1
        elif name == "Closed":
            self._daily(tx, merchant_id, day, closed_cases=1)
            updates["closed_at"] = ts(at)
        elif name == "Rated":
            self._daily(tx, merchant_id, day, ratings=1, rating_sum=int(event.score))
            updates["rating"] = int(event.score)
        columns = sorted(updates)
        if self._pending is not None:
            self._pending.update_case(case_id, updates)
        else:
            tx.execute(
                f"UPDATE metrics_cases SET {', '.join(f'{c} = ?' for c in columns)} "
                "WHERE case_id = ?",
                (*(updates[c] for c in columns), case_id),
            )
        if self._cases is not None:
            self._cases[case_id] = {
                **dict(case),
                **{k: v for k, v in updates.items() if k in _CASE_STATE_COLUMNS},
            }

    def _first_refund_of_order(self, tx: DbConnection, case: Any, case_id: str, fen: int) -> int:
        if self._pending is None:
            return _first_refund_of_order(tx, case_id)
        refunded = self._refunds.setdefault((str(case["order_no"]), str(case["merchant_id"])), {})
        first = 0 if any(f > 0 for c, f in refunded.items() if c != case_id) else 1
        refunded[case_id] = fen
        return first


_OPENED_COLUMNS = (
    "case_id",
    "case_no",
    "merchant_id",
    "order_no",
    "kind",
    "opened_at",
    "opened_day",
    "last_version",
)
_CASE_STATE_COLUMNS = (
    "merchant_id",
    "order_no",
    "opened_at",
    "first_response_at",
    "accepted_at",
    "last_version",
)
_CASE_STATE = ", ".join(_CASE_STATE_COLUMNS)

PROJECTIONS = (MetricsProjection,)
"""For :mod:`projections.registry`."""


def _first_refund_of_order(tx: DbConnection, case_id: str) -> int:
    """1 when no other case of this case's order was refunded before (an order refunded by two
    cases is one refunded order, R15), else 0."""
    row = tx.execute(
        "SELECT COUNT(*) AS n FROM metrics_cases o JOIN metrics_cases c "
        "ON o.order_no = c.order_no AND o.merchant_id = c.merchant_id "
        "WHERE c.case_id = ? AND o.case_id <> c.case_id AND o.refunded_fen > 0",
        (case_id,),
    ).fetchone()
    return 0 if int(row["n"]) else 1


def _increment(tx: DbConnection, case_id: str, column: str) -> None:
    tx.execute(
        f"UPDATE metrics_cases SET {column} = {column} + 1 WHERE case_id = ?",
        (case_id,),
    )
