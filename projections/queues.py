"""Work queues with due times (R12, R17): who must do what on which case, by when.

``queue_items`` holds one row per (case, clock) open and not yet satisfied, in the queue of the
party the deadline names (``Deadline.party``; a state's own clock in the queue the process
declaration gives that state, ``domain.process.states``):

- ``merchant:<merchant_id>`` for the merchant's clocks (decide, confirm receipt, inspect, ship);
- ``consumer:<consumer_id>`` for the consumer's (ship the return, answer a quote, confirm goods);
- the case's platform queue for the platform's (R9.a, R3 refund approval and statutory end):
  ``platform`` until a ``Routed`` event (R20, or an escalation after a missed deadline) names
  another, e.g. ``platform_supervisor``;
- ``finance`` for payments (R3 working days), ``arbitration`` for the arbitrator (R10).

A breached clock stays (``breached = 1``) until the step it asked for is taken. Every open state
is in some queue: when the state's owner (as the declaration says) has no deadline open (a case
last changed by a version 1 event, stored before its state had a clock), the case gets one more
row for the owner with ``clock = ''`` and ``due_at`` NULL; so does a routed case waiting in its
platform queue, and a case in a state the declaration does not list (the platform looks at it).
No status is tested here: the events say the status and the deadlines, the declaration says
whose turn a state is.

Each case's rows are rewritten from the event's complete deadline set, so a row never outlives its
clock. ``is_head`` marks a case's most urgent row in each queue: a queue page lists heads, one per
case. ``queue_cases`` is this projection's own per-case state (status, parties, platform queue).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.case_values import Status
from domain.deadlines import CLOCK_RULES
from domain.process.states import StateSpec, state_of
from domain.values import CaseKind
from projections.case_events import (
    case_event_topics,
    deadline_dicts,
    event_name,
    status_after,
)
from projections.db import Database, DbConnection, parse_ts, ts

__all__ = [
    "DUE_SQL",
    "NO_DUE_SORT_KEY",
    "PAGE_SQL",
    "POSITION_SQL",
    "PROJECTIONS",
    "QUEUE_PROJECTION",
    "QueueCounts",
    "QueueItem",
    "QueueProjection",
    "declared_queue",
    "due_items",
    "items_for",
    "party_queue",
    "position_in_queue",
    "queue_counts",
    "queue_page",
]

QUEUE_PROJECTION = "queues"
NO_DUE_SORT_KEY = "9999-12-31T23:59:59.999999Z"
"""``sort_key`` of a row without a due time: after every real one (same fixed-width format)."""

ARBITRATION_QUEUE = "arbitration"
FINANCE_QUEUE = "finance"
DEFAULT_PLATFORM_QUEUE = "platform"

# What a clock asks its party to do.
_CLOCK_AWAITING: dict[str, str] = {
    "merchant_decision": "decide",
    "first_response": "respond",
    "platform_response": "respond_complaint",
    "platform_opinion": "give_opinion",
    "consumer_ship": "ship_return",
    "confirm_receipt": "confirm_receipt",
    "refund_approval": "approve_refund",
    "refund_payment": "pay_refund",
    "return_delivery": "record_delivery",
    "statutory_refund": "refund_by_statutory_end",
    "inspection": "inspect",
    "ship_back": "ship_back",
    "consumer_confirm": "confirm_goods",
    "replacement_ship": "ship_exchange",
    "repair_work": "complete_repair",
    "quote_answer": "answer_quote",
    "consumer_dispute": "dispute",
    "arbitration": "rule",
    "compensation_payment": "pay_compensation",
    "post_close": "complain_or_escalate",
}

# What a case waiting on someone without a dated clock awaits: its state's owner when the
# declaration lists no clock (or the event carried none: a version 1 event), a routed case's
# platform queue, or the platform for a state the declaration does not list.
_ROUTED = ("handle_routed", "R20")
_UNDECLARED = ("handle_case", "R21")

# Events that leave a routed case waiting in its platform queue (R20); any other step handles it.
_KEEPS_ROUTING = frozenset({"Routed", "NoteAdded", "EvidenceSubmitted", "SlaBreached", "Rated"})

# A ``Routed`` event naming one of these queues routes to a party, not to a platform queue.
_PARTY_QUEUE_PREFIXES = ("merchant:", "consumer:")


def party_queue(party: str, case: Mapping[str, Any]) -> str:
    """The queue a party's work on ``case`` (a ``queue_cases`` row) goes to."""
    if party == "merchant":
        return f"merchant:{case['merchant_id']}"
    if party == "consumer":
        return f"consumer:{case['consumer_id']}"
    if party == "finance":
        return FINANCE_QUEUE
    if party == "arbitrator":
        return ARBITRATION_QUEUE
    return str(case["platform_queue"])  # platform_agent (and, defensively, system)


def declared_queue(queue: str, case: Mapping[str, Any]) -> str:
    """A queue the declaration names for a state (``merchant``, ``consumer``, ``platform``,
    ``finance`` ...) as this case's queue: its store's, its consumer's, its platform queue (R20
    routing picks which) or the named one."""
    if queue in ("merchant", "consumer"):
        return party_queue(queue, case)
    if queue == DEFAULT_PLATFORM_QUEUE:
        return str(case["platform_queue"])
    return queue


def state_spec(case: Mapping[str, Any]) -> StateSpec | None:
    """The declaration's entry for the case's kind and status (None: not declared)."""
    try:
        return state_of(CaseKind(case["kind"]), Status(case["status"]))
    except ValueError:
        return None


def _row(clock: str, queue: str, party: str, awaiting: str, rule: str) -> dict[str, Any]:
    return {
        "clock": clock,
        "queue": queue,
        "party": party,
        "awaiting": awaiting,
        "rule": rule,
        "due_at": None,
        "breached": 0,
        "provisional": 0,
    }


def items_for(
    case: Mapping[str, Any], deadlines: Sequence[Mapping[str, Any]]
) -> list[dict[str, Any]]:
    """One row per open deadline, in the queue of the party it names (the state's own clock in
    the queue the declaration gives the state), plus one undated row when the state's owner has
    no deadline open (or a routed case waits in its platform queue): every open state is in some
    queue."""
    spec = state_spec(case)
    own_clock = spec.clock.value if spec is not None and spec.clock is not None else None
    rows: list[dict[str, Any]] = []
    for d in deadlines:
        queue = party_queue(d["party"], case)
        if spec is not None and d["name"] == own_clock:
            queue = declared_queue(spec.queue, case)
        row = _row(
            d["name"], queue, d["party"], _CLOCK_AWAITING.get(d["name"], d["name"]), d["rule"]
        )
        row.update(
            due_at=d["due_at"], breached=int(d["breached"]), provisional=int(d["provisional"])
        )
        rows.append(row)
    waiting: list[tuple[str, str, str, str]] = []  # (party, queue, awaiting, rule)
    if spec is None:  # a state the declaration does not list (a stored v1 case "ruled")
        waiting.append(("platform_agent", party_queue("platform_agent", case), *_UNDECLARED))
    elif spec.owner is not None:
        awaiting = _CLOCK_AWAITING.get(own_clock or "", own_clock or "handle_case")
        rule = CLOCK_RULES[spec.clock] if spec.clock is not None else "R21"
        waiting.append((spec.owner.value, declared_queue(spec.queue, case), awaiting, rule))
    if case["routed_pending"]:
        waiting.append(("platform_agent", party_queue("platform_agent", case), *_ROUTED))
    parties = {row["party"] for row in rows}
    for party, queue, awaiting, rule in waiting:
        if party not in parties:  # one undated row at most: clock '' is part of its key
            rows.append(_row("", queue, party, awaiting, rule))
            break
    for row in rows:
        row["sort_key"] = row["due_at"] or NO_DUE_SORT_KEY
    heads: dict[str, tuple[str, str]] = {}
    for row in rows:
        key = (row["sort_key"], row["clock"])
        if row["queue"] not in heads or key < heads[row["queue"]]:
            heads[row["queue"]] = key
    for row in rows:
        row["is_head"] = int(heads[row["queue"]] == (row["sort_key"], row["clock"]))
    return rows


class QueueProjection:
    """Writes ``queue_items`` (and its own ``queue_cases``) from Case events."""

    name = QUEUE_PROJECTION
    tables = ("queue_items", "queue_cases")

    def __init__(self) -> None:
        self.topics: tuple[str, ...] = case_event_topics()

    def process(self, tx: DbConnection, event: Any, notification_id: int) -> None:
        name = event_name(event)
        at = ts(event.at)
        if name == "Opened":
            case: dict[str, Any] = {
                "case_no": str(event.case_no),
                "case_id": str(event.originator_id),
                "kind": str(getattr(event.kind, "value", event.kind)),
                "status": status_after(event, None),
                "merchant_id": str(event.merchant_id),
                "consumer_id": str(event.consumer_id),
                "platform_queue": DEFAULT_PLATFORM_QUEUE,
                "routed_pending": 0,
                "opened_at": at,
                "updated_at": at,
                "last_version": int(event.originator_version),
            }
            columns = ", ".join(case)
            marks = ", ".join("?" for _ in case)
            tx.execute(f"INSERT INTO queue_cases ({columns}) VALUES ({marks})", list(case.values()))
        else:
            row = tx.execute(
                "SELECT * FROM queue_cases WHERE case_id = ?", (str(event.originator_id),)
            ).fetchone()
            if row is None:
                raise ValueError(
                    f"{name} of case {event.originator_id} before its Opened event "
                    f"(notification {notification_id})"
                )
            case = dict(row)
            case["status"] = status_after(event, str(case["status"]))
            if name == "Routed" and str(event.queue).startswith(_PARTY_QUEUE_PREFIXES):
                # R20 handed the case to the merchant (or consumer), who work from their own
                # clocks; the platform's later work (refund approval ...) stays in its queue.
                case["routed_pending"] = 0
            elif name == "Routed":
                case["platform_queue"] = str(event.queue)
                case["routed_pending"] = 1
            elif name not in _KEEPS_ROUTING:
                case["routed_pending"] = 0
            case["updated_at"] = at
            case["last_version"] = int(event.originator_version)
            tx.execute(
                "UPDATE queue_cases SET status = ?, platform_queue = ?, routed_pending = ?, "
                "updated_at = ?, last_version = ? WHERE case_no = ?",
                (
                    case["status"],
                    case["platform_queue"],
                    case["routed_pending"],
                    case["updated_at"],
                    case["last_version"],
                    case["case_no"],
                ),
            )
        items = items_for(case, deadline_dicts(getattr(event, "deadlines", ())))
        tx.execute("DELETE FROM queue_items WHERE case_no = ?", (case["case_no"],))
        if items:
            tx.executemany(
                "INSERT INTO queue_items (case_no, clock, queue, party, awaiting, rule, due_at, "
                "sort_key, breached, provisional, is_head, status, kind, merchant_id, "
                "consumer_id, opened_at, updated_at, case_version) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        case["case_no"],
                        item["clock"],
                        item["queue"],
                        item["party"],
                        item["awaiting"],
                        item["rule"],
                        item["due_at"],
                        item["sort_key"],
                        item["breached"],
                        item["provisional"],
                        item["is_head"],
                        case["status"],
                        case["kind"],
                        case["merchant_id"],
                        case["consumer_id"],
                        case["opened_at"],
                        case["updated_at"],
                        case["last_version"],
                    )
                    for item in items
                ],
            )


PROJECTIONS = (QueueProjection,)
"""For :mod:`projections.registry`."""


# ---------------------------------------------------------------------------- queries


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


def _item(row: Mapping[str, Any]) -> QueueItem:
    return QueueItem(
        case_no=row["case_no"],
        clock=row["clock"],
        queue=row["queue"],
        party=row["party"],
        awaiting=row["awaiting"],
        rule=row["rule"],
        due_at=parse_ts(row["due_at"]) if row["due_at"] else None,
        breached=bool(row["breached"]),
        provisional=bool(row["provisional"]),
        status=row["status"],
        kind=row["kind"],
        merchant_id=row["merchant_id"],
        consumer_id=row["consumer_id"],
        opened_at=parse_ts(row["opened_at"]),
        updated_at=parse_ts(row["updated_at"]),
        case_version=int(row["case_version"]),
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
