"""Pages that span stores split by merchant (issue 12, ``web.shards``, docs/scaling.md): a
consumer's cases and orders, the platform's queues. Each store's read model answers the same query
for the first ``offset + limit`` rows; the rows are merged in the order the query itself gives and
the page is cut out of them (scatter-gather). On one store, or on a request about one store (a
merchant's staff, a URL naming a case), each is exactly the one query it wraps."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from web.shards import read_dbs

if TYPE_CHECKING:
    from projections.case_queries import CaseSummary
    from projections.db import Database
    from projections.orders import OrderLineRow
    from projections.queue_queries import QueueCounts, QueueItem


def merged_case_summaries(*, limit: int = 50, offset: int = 0, **filters: Any) -> list[CaseSummary]:
    """``projections.case_queries.case_summaries`` over every store the page reads: each store's
    first ``offset + limit`` rows, merged latest first (``updated_at`` or ``opened_at`` DESC, then
    ``case_no``), then the page cut out of them."""
    from projections.case_queries import case_summaries

    dbs = read_dbs()
    if len(dbs) == 1:
        return case_summaries(dbs[0], limit=limit, offset=offset, **filters)
    rows = [r for db in dbs for r in case_summaries(db, limit=limit + offset, **filters)]
    column = "opened_at" if filters.get("newest") == "opened" else "updated_at"
    rows.sort(key=lambda r: r.case_no)
    rows.sort(key=lambda r: getattr(r, column), reverse=True)
    return rows[offset : offset + limit]


def merged_queue_page(queue: str, limit: int = 50, offset: int = 0) -> list[QueueItem]:
    """``projections.queue_queries.queue_page`` over every store the page reads, merged by due
    time (none last), then case number, as the query orders one store's."""
    from projections.queue_queries import queue_page

    dbs = read_dbs()
    if len(dbs) == 1:
        return queue_page(dbs[0], queue, limit=limit, offset=offset)
    rows = [r for db in dbs for r in queue_page(db, queue, limit=limit + offset)]
    rows.sort(key=lambda r: (r.due_at is None, r.due_at.isoformat() if r.due_at else "", r.case_no))
    return rows[offset : offset + limit]


def merged_queue_counts(queue: str) -> QueueCounts:
    """``queue_counts`` summed over every store the page reads."""
    from projections.queue_queries import QueueCounts, queue_counts

    counts = [queue_counts(db, queue) for db in read_dbs()]
    if len(counts) == 1:
        return counts[0]

    def summed(field: str) -> dict[str, int]:
        out: dict[str, int] = {}
        for c in counts:
            for key, n in getattr(c, field).items():
                out[key] = out.get(key, 0) + n
        return out

    return QueueCounts(
        queue=queue,
        cases=sum(c.cases for c in counts),
        items=sum(c.items for c in counts),
        breached=sum(c.breached for c in counts),
        by_status=summed("by_status"),
        by_clock=summed("by_clock"),
    )


def merged_by_case(
    query: Callable[[Database, Sequence[str]], Mapping[str, Any]], case_nos: Sequence[str]
) -> dict[str, Any]:
    """A per-case look-up (``query(db, case_nos) -> {case_no: ...}``) over every store read."""
    out: dict[str, Any] = {}
    for db in read_dbs():
        out.update(query(db, case_nos))
    return out


def merged_orders_of_consumer(consumer_id: str, *, limit: int = 200) -> list[OrderLineRow]:
    """``projections.orders.orders_of_consumer`` over every store the page reads, merged newest
    order first (``placed_at``, ``order_no`` DESC), lines in order."""
    from projections.orders import orders_of_consumer

    dbs = read_dbs()
    if len(dbs) == 1:
        return orders_of_consumer(dbs[0], consumer_id, limit=limit)
    rows = [r for db in dbs for r in orders_of_consumer(db, consumer_id, limit=limit)]
    rows.sort(key=lambda r: r.line_no)
    rows.sort(key=lambda r: (r.placed_at, r.order_no), reverse=True)
    return rows[:limit]
