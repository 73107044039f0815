"""Orders read model (R1, R3.a, R16): one row per order line for the consumer's order pages,
fed by Order events.

``order_lines``: the order's facts on every line (consumer, store, placed and delivered times,
currency, outbound shipping) and the line's own (sku, title, category, quantity, paid), plus
``claimed_quantity``: units under open refund-bearing cases (``LinesClaimed`` adds, a
``LinesReleased`` gives back what that case claimed). ``order_claims`` keeps each case's claim;
``order_cases`` the cases opened on the order (``CaseNoted``).

Eligibility is not stored: it depends on the clock and the policy, so the web asks the domain
(``domain.assistant.can_i_return``) with the order and policy from the service.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from domain.order import Order
from projections.batching import select_in
from projections.db import Database, DbConnection, parse_ts, ts

__all__ = [
    "ORDERS_PROJECTION",
    "PROJECTIONS",
    "OrderLineRow",
    "OrdersProjection",
    "cases_of_order",
    "order_event_topics",
    "order_lines",
    "orders_of_consumer",
]

ORDERS_PROJECTION = "orders"


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def order_event_topics() -> tuple[str, ...]:
    """Every event class of ``Order`` (by introspection: a new event is never dropped silently)."""
    topics = {
        get_topic(value)
        for value in vars(Order).values()
        if isinstance(value, type) and issubclass(value, Aggregate.Event)
    }
    return tuple(sorted(topics))


class OrdersProjection:
    """Writes ``order_lines``, ``order_claims`` and ``order_cases`` from Order events."""

    name = ORDERS_PROJECTION
    tables = ("order_lines", "order_claims", "order_cases")

    def __init__(self) -> None:
        self.topics: tuple[str, ...] = order_event_topics()
        # During ``process_batch``: order id -> order number, read once for the batch (issue 12).
        self._order_nos: dict[str, str] | None = None

    def process_batch(self, tx: DbConnection, items: Sequence[tuple[Any, int]]) -> None:
        """Event by event, each order's number read once for the whole batch."""
        wanted = {str(e.originator_id) for e, _ in items if type(e).__name__ != "Recorded"}
        self._order_nos = {
            str(row["order_id"]): str(row["order_no"])
            for row in select_in(
                tx, "SELECT DISTINCT order_id, order_no FROM order_lines WHERE", "order_id", wanted
            )
        }
        try:
            for event, notification_id in items:
                self.process(tx, event, notification_id)
        finally:
            self._order_nos = None

    def process(self, tx: DbConnection, event: Any, notification_id: int) -> None:
        name = type(event).__name__
        order_id = str(event.originator_id)
        version = int(event.originator_version)
        if name == "Recorded":
            self._recorded(tx, event, order_id, version)
            if self._order_nos is not None and event.lines:  # no line, no row to find it by
                self._order_nos[order_id] = str(event.order_no)
            return
        order_no = self._order_no(tx, order_id)
        if order_no is None:
            raise ValueError(
                f"{name} of order {order_id} before its Recorded event "
                f"(notification {notification_id})"
            )
        if name == "DeliverySigned":
            tx.execute(
                "UPDATE order_lines SET delivered_at = ? WHERE order_no = ?",
                (ts(event.signed_at), order_no),
            )
        elif name == "LinesClaimed":
            case_no = str(event.case_no)
            for line_no, quantity in sorted(
                ((int(k), int(v)) for k, v in dict(event.quantities).items())
            ):
                tx.execute(
                    "INSERT INTO order_claims (order_no, case_no, line_no, quantity, claimed_at) "
                    "VALUES (?, ?, ?, ?, ?)",
                    (order_no, case_no, line_no, quantity, ts(event.at)),
                )
                tx.execute(
                    "UPDATE order_lines SET claimed_quantity = claimed_quantity + ? "
                    "WHERE order_no = ? AND line_no = ?",
                    (quantity, order_no, line_no),
                )
        elif name == "LinesReleased":
            case_no = str(event.case_no)
            claims = tx.execute(
                "SELECT line_no, quantity FROM order_claims WHERE order_no = ? AND case_no = ? "
                "ORDER BY line_no",
                (order_no, case_no),
            ).fetchall()
            for claim in claims:
                tx.execute(
                    "UPDATE order_lines SET claimed_quantity = claimed_quantity - ? "
                    "WHERE order_no = ? AND line_no = ?",
                    (int(claim["quantity"]), order_no, int(claim["line_no"])),
                )
            tx.execute(
                "DELETE FROM order_claims WHERE order_no = ? AND case_no = ?", (order_no, case_no)
            )
        elif name == "CaseNoted":
            tx.execute(
                "INSERT INTO order_cases (order_no, case_no, noted_at, version) "
                "VALUES (?, ?, ?, ?)",
                (order_no, str(event.case_no), ts(event.at), version),
            )
        tx.execute(
            "UPDATE order_lines SET last_version = ? WHERE order_no = ?", (version, order_no)
        )

    def _order_no(self, tx: DbConnection, order_id: str) -> str | None:
        if self._order_nos is not None and order_id in self._order_nos:
            return self._order_nos[order_id]
        row = tx.execute(
            "SELECT order_no FROM order_lines WHERE order_id = ? LIMIT 1", (order_id,)
        ).fetchone()
        return None if row is None else str(row["order_no"])

    @staticmethod
    def _recorded(tx: DbConnection, event: Any, order_id: str, version: int) -> None:
        for line in event.lines:
            tx.execute(
                "INSERT INTO order_lines (order_no, line_no, order_id, consumer_id, merchant_id, "
                "placed_at, delivered_at, sku, title, category, quantity, paid_fen, "
                "claimed_quantity, non_returnable_confirmed, shipping_fee_fen, currency, "
                "last_version) VALUES (?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)",
                (
                    str(event.order_no),
                    int(_get(line, "line_no")),
                    order_id,
                    str(event.consumer_id),
                    str(event.merchant_id),
                    ts(event.placed_at),
                    str(_get(line, "sku")),
                    str(_get(line, "title")),
                    str(_get(line, "category")),
                    int(_get(line, "quantity")),
                    int(_get(line, "paid_fen")),
                    int(bool(_get(line, "non_returnable_confirmed", False))),
                    int(event.shipping_fee_fen),
                    str(event.currency),
                    version,
                ),
            )


PROJECTIONS = (OrdersProjection,)
"""For :mod:`projections.registry`."""


# ---------------------------------------------------------------------------- queries


@dataclass(frozen=True)
class OrderLineRow:
    order_no: str
    line_no: int
    consumer_id: str
    merchant_id: str
    placed_at: datetime
    delivered_at: datetime | None
    sku: str
    title: str
    category: str
    quantity: int
    paid_fen: int
    claimed_quantity: int
    non_returnable_confirmed: bool
    shipping_fee_fen: int
    currency: str

    @property
    def free_quantity(self) -> int:
        """Units not under an open refund-bearing case (R3.a)."""
        return max(self.quantity - self.claimed_quantity, 0)


def _row(row: Mapping[str, Any]) -> OrderLineRow:
    return OrderLineRow(
        order_no=row["order_no"],
        line_no=int(row["line_no"]),
        consumer_id=row["consumer_id"],
        merchant_id=row["merchant_id"],
        placed_at=parse_ts(row["placed_at"]),
        delivered_at=parse_ts(row["delivered_at"]) if row["delivered_at"] else None,
        sku=row["sku"],
        title=row["title"],
        category=row["category"],
        quantity=int(row["quantity"]),
        paid_fen=int(row["paid_fen"]),
        claimed_quantity=int(row["claimed_quantity"]),
        non_returnable_confirmed=bool(row["non_returnable_confirmed"]),
        shipping_fee_fen=int(row["shipping_fee_fen"]),
        currency=row["currency"],
    )


def orders_of_consumer(db: Database, consumer_id: str, *, limit: int = 200) -> list[OrderLineRow]:
    """The consumer's order lines, newest order first, lines in order."""
    with db.connect() as conn:
        rows = conn.execute(
            "SELECT * FROM order_lines WHERE consumer_id = ? "
            "ORDER BY placed_at DESC, order_no DESC, line_no LIMIT ?",
            (consumer_id, limit),
        ).fetchall()
    return [_row(row) for row in rows]


def order_lines(db: Database, order_no: str) -> list[OrderLineRow]:
    """One order's lines (empty: no such order)."""
    with db.connect() as conn:
        rows = conn.execute(
            "SELECT * FROM order_lines WHERE order_no = ? ORDER BY line_no", (order_no,)
        ).fetchall()
    return [_row(row) for row in rows]


def cases_of_order(db: Database, order_no: str) -> list[str]:
    """Case numbers noted on the order, oldest first."""
    with db.connect() as conn:
        rows = conn.execute(
            "SELECT case_no FROM order_cases WHERE order_no = ? ORDER BY version", (order_no,)
        ).fetchall()
    return [str(row["case_no"]) for row in rows]


def case_nos_of_order(db: Database, order_no: str) -> list[str]:
    """Every case on the order, oldest first: those the order noted and complaints, which the
    order does not note (issue 11 item 7)."""
    with db.connect() as conn:
        rows = conn.execute(
            "SELECT case_no FROM case_summary WHERE order_no = ? ORDER BY opened_at, case_no",
            (order_no,),
        ).fetchall()
    found = [str(row["case_no"]) for row in rows]
    noted = cases_of_order(db, order_no)
    return noted + [no for no in found if no not in noted]


def claims_with_status(db: Database, order_no: str) -> list[tuple[int, int, str]]:
    """(line no, units, the claiming case's status) of every claim on the order (R3.a)."""
    with db.connect() as conn:
        rows = conn.execute(
            "SELECT c.line_no, c.quantity, s.status FROM order_claims c "
            "LEFT JOIN case_summary s ON s.case_no = c.case_no WHERE c.order_no = ?",
            (order_no,),
        ).fetchall()
    return [(int(r["line_no"]), int(r["quantity"]), str(r["status"] or "")) for r in rows]
