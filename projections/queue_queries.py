"""Queries over the work queues written by :mod:`projections.queues` (re-exported there): a page
of a queue in urgency order, a case's position in it, its counts, and the clocks due for the timer
worker. Each is one indexed select."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from projections.db import Database, parse_ts, ts

if TYPE_CHECKING:
    from projections.case_queries import CaseSummary

__all__ = [
    "DUE_SQL",
    "NO_DUE_SORT_KEY",
    "PAGE_SQL",
    "POSITION_SQL",
    "QueueCounts",
    "QueueItem",
    "due_items",
    "position_in_queue",
    "queue_counts",
    "queue_page",
    "queue_page_with_summaries",
]

NO_DUE_SORT_KEY = "9999-12-31T23:59:59.999999Z"
"""``sort_key`` of a row without a due time: after every real one (same fixed-width format)."""


@dataclass(frozen=True)
class QueueItem:
    case_no: str
    clock: str  # '' for a waiting item without a clock
    queue: str
    party: str
    awaiting: str
    rule: str
    due_at: datetime | None
    breached: bool
    provisional: bool
    status: str
    kind: str
    merchant_id: str
    consumer_id: str
    opened_at: datetime
    updated_at: datetime
    case_version: int


_COLUMNS = (
    "case_no, clock, queue, party, awaiting, rule, due_at, breached, provisional, status, kind, "
    "merchant_id, consumer_id, opened_at, updated_at, case_version"
)


PAGE_SQL = (
    f"SELECT {_COLUMNS} FROM queue_items WHERE queue = ? AND is_head = 1 "
    "ORDER BY sort_key, case_no LIMIT ? OFFSET ?"
)
"""Parameters: queue, limit, offset. A range scan of ``queue_items_page`` in index order."""

POSITION_SQL = (
    "SELECT COUNT(q.case_no) AS ahead, MIN(me.case_no) AS found "
    "FROM (SELECT sort_key, case_no FROM queue_items "
    "      WHERE queue = ? AND case_no = ? AND is_head = 1) AS me "
    "LEFT JOIN queue_items AS q ON q.queue = ? AND q.is_head = 1 "
    " AND (q.sort_key, q.case_no) < (me.sort_key, me.case_no)"
)
"""Parameters: queue, case_no, queue. The case's head by primary key, then a count over the
range of ``queue_items_page`` before it."""


DUE_SQL = (
    f"SELECT {_COLUMNS} FROM queue_items WHERE breached = 0 AND due_at IS NOT NULL AND due_at <= ?"
)
"""Parameter: now. Matches the partial index ``queue_items_due``; :func:`due_items` adds the
keyset condition, the order and the limit."""


def _item(row: Mapping[str, Any], p: str = "") -> QueueItem:
    """The item in ``row``, whose queue columns carry the prefix ``p``."""
    return QueueItem(
        case_no=row[p + "case_no"],
        clock=row[p + "clock"],
        queue=row[p + "queue"],
        party=row[p + "party"],
        awaiting=row[p + "awaiting"],
        rule=row[p + "rule"],
        due_at=parse_ts(row[p + "due_at"]) if row[p + "due_at"] else None,
        breached=bool(row[p + "breached"]),
        provisional=bool(row[p + "provisional"]),
        status=row[p + "status"],
        kind=row[p + "kind"],
        merchant_id=row[p + "merchant_id"],
        consumer_id=row[p + "consumer_id"],
        opened_at=parse_ts(row[p + "opened_at"]),
        updated_at=parse_ts(row[p + "updated_at"]),
        case_version=int(row[p + "case_version"]),
    )


def _check_page(limit: int, offset: int) -> None:
    if limit < 1 or offset < 0:
        raise ValueError("limit must be at least 1 and offset at least 0")


def queue_page(db: Database, queue: str, limit: int = 50, offset: int = 0) -> list[QueueItem]:
    """One page of a queue, one row per case (its most urgent item), most urgent first:
    overdue first, then by due time; items without a due time last."""
    _check_page(limit, offset)
    with db.connect() as conn:
        rows = conn.execute(PAGE_SQL, (queue, limit, offset)).fetchall()
    return [_item(row) for row in rows]


PAGE_WITH_SUMMARIES_SQL = (
    "SELECT "
    + ", ".join(f"q.{c} AS q_{c}" for c in _COLUMNS.split(", "))
    + ", s.* FROM queue_items AS q LEFT JOIN case_summary AS s ON s.case_no = q.case_no "
    "WHERE q.queue = ? AND q.is_head = 1 ORDER BY q.sort_key, q.case_no LIMIT ? OFFSET ?"
)
"""Parameters: queue, limit, offset. :data:`PAGE_SQL` with each row's case summary joined by
its primary key (issue 12: one query for a page of 50 rows, not one more per row)."""


def queue_page_with_summaries(
    db: Database, queue: str, limit: int = 50, offset: int = 0
) -> list[tuple[QueueItem, CaseSummary | None]]:
    """:func:`queue_page` with each case's summary row (None when the case has none yet), read
    in one query."""
    from projections.case_queries import summary_of_row

    _check_page(limit, offset)
    with db.connect() as conn:
        rows = conn.execute(PAGE_WITH_SUMMARIES_SQL, (queue, limit, offset)).fetchall()
    return [
        (_item(row, "q_"), summary_of_row(row) if row["case_no"] is not None else None)
        for row in rows
    ]


def position_in_queue(db: Database, queue: str, case_no: str) -> int | None:
    """The case's 1-based position in ``queue`` (as :func:`queue_page` orders it), or None when
    the case has nothing in that queue."""
    with db.connect() as conn:
        row = conn.execute(POSITION_SQL, (queue, case_no, queue)).fetchone()
    if row is None or row["found"] is None:
        return None
    return int(row["ahead"]) + 1


@dataclass(frozen=True)
class QueueCounts:
    queue: str
    cases: int  # cases with something in the queue
    items: int  # open items (a case may owe several clocks)
    breached: int  # items past their deadline
    by_status: dict[str, int]  # cases per case status
    by_clock: dict[str, int]  # items per clock ('' : waiting without a clock)


def queue_counts(db: Database, queue: str) -> QueueCounts:
    """How many cases / items a queue holds, per case status and per clock."""
    with db.connect() as conn:
        by_status = {
            row["status"]: int(row["n"])
            for row in conn.execute(
                "SELECT status, COUNT(*) AS n FROM queue_items WHERE queue = ? AND is_head = 1 "
                "GROUP BY status ORDER BY status",
                (queue,),
            ).fetchall()
        }
        by_clock: dict[str, int] = {}
        breached = 0
        for row in conn.execute(
            "SELECT clock, breached, COUNT(*) AS n FROM queue_items WHERE queue = ? "
            "GROUP BY clock, breached ORDER BY clock, breached",
            (queue,),
        ).fetchall():
            by_clock[row["clock"]] = by_clock.get(row["clock"], 0) + int(row["n"])
            if row["breached"]:
                breached += int(row["n"])
    return QueueCounts(
        queue=queue,
        cases=sum(by_status.values()),
        items=sum(by_clock.values()),
        breached=breached,
        by_status=by_status,
        by_clock=by_clock,
    )


def due_items(
    db: Database,
    now: datetime,
    limit: int = 100,
    *,
    after: tuple[datetime, str, str] | None = None,
) -> list[QueueItem]:
    """Clocks due at ``now`` (``due_at <= now``) and not breached yet, in due order.

    ``after``: the (due_at, case_no, clock) of the last item of the previous page (keyset paging).
    """
    _check_page(limit, 0)
    sql = DUE_SQL
    params: list[Any] = [ts(now)]
    if after is not None:
        sql += " AND (due_at, case_no, clock) > (?, ?, ?)"
        params += [ts(after[0]), after[1], after[2]]
    sql += " ORDER BY due_at, case_no, clock LIMIT ?"
    params.append(limit)
    with db.connect() as conn:
        rows = conn.execute(sql, params).fetchall()
    return [_item(row) for row in rows]
