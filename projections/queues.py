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
from typing import Any

from domain.case_values import Status
from domain.deadlines import CLOCK_RULES
from domain.process.states import StateSpec, state_of
from domain.values import CaseKind
from projections.batching import select_in
from projections.case_events import (
    case_event_topics,
    deadline_dicts,
    event_name,
    status_after,
)
from projections.db import DbConnection, ts
from projections.queue_queries import (
    DUE_SQL,
    NO_DUE_SORT_KEY,
    PAGE_SQL,
    POSITION_SQL,
    QueueCounts,
    QueueItem,
    due_items,
    position_in_queue,
    queue_counts,
    queue_page,
)

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
        known = None
        if event_name(event) != "Opened":
            row = tx.execute(
                "SELECT * FROM queue_cases WHERE case_id = ?", (str(event.originator_id),)
            ).fetchone()
            known = None if row is None else dict(row)
        case, items = self._apply(event, notification_id, known)
        self._write(tx, {case["case_no"]: (case, items)}, set() if known else {case["case_no"]})

    def process_batch(self, tx: DbConnection, items: Sequence[tuple[Any, int]]) -> None:
        """The batch at once (issue 12): one read of the cases it needs; each case's row and
        queue items written once, as they stand after its last event in the batch."""
        wanted = {str(e.originator_id) for e, _ in items if event_name(e) != "Opened"}
        known = {
            str(row["case_id"]): dict(row)
            for row in select_in(tx, "SELECT * FROM queue_cases WHERE", "case_id", wanted)
        }
        latest: dict[str, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
        by_id: dict[str, dict[str, Any]] = {}
        opened: set[str] = set()
        for event, notification_id in items:
            case_id = str(event.originator_id)
            if event_name(event) == "Opened":
                if case_id in known or case_id in by_id:
                    raise ValueError(f"case {case_id} opened twice ({notification_id})")
                before = None
            else:
                before = by_id.get(case_id) or known.get(case_id)
            case, rows = self._apply(event, notification_id, before)
            if before is None:
                opened.add(case["case_no"])
            by_id[case_id] = case
            latest[case["case_no"]] = (case, rows)
        self._write(tx, latest, opened)

    def _apply(
        self, event: Any, notification_id: int, known: Mapping[str, Any] | None
    ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        """The case's ``queue_cases`` row and queue items after ``event`` (nothing written)."""
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
        else:
            if known is None:
                raise ValueError(
                    f"{name} of case {event.originator_id} before its Opened event "
                    f"(notification {notification_id})"
                )
            case = dict(known)
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
        return case, items_for(case, deadline_dicts(getattr(event, "deadlines", ())))

    def _write(
        self,
        tx: DbConnection,
        latest: Mapping[str, tuple[Mapping[str, Any], list[dict[str, Any]]]],
        opened: set[str],
    ) -> None:
        new = [case for no, (case, _) in latest.items() if no in opened]
        changed = [case for no, (case, _) in latest.items() if no not in opened]
        if new:
            tx.executemany(_INSERT_CASE, [[c[k] for k in _CASE_COLUMNS] for c in new])
        if changed:
            tx.executemany(
                "UPDATE queue_cases SET status = ?, platform_queue = ?, routed_pending = ?, "
                "updated_at = ?, last_version = ? WHERE case_no = ?",
                [
                    (
                        c["status"],
                        c["platform_queue"],
                        c["routed_pending"],
                        c["updated_at"],
                        c["last_version"],
                        c["case_no"],
                    )
                    for c in changed
                ],
            )
            tx.executemany(
                "DELETE FROM queue_items WHERE case_no = ?", [(c["case_no"],) for c in changed]
            )
        rows = [
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
            for case, items in latest.values()
            for item in items
        ]
        if rows:
            tx.executemany(
                "INSERT INTO queue_items (case_no, clock, queue, party, awaiting, rule, due_at, "
                "sort_key, breached, provisional, is_head, status, kind, merchant_id, "
                "consumer_id, opened_at, updated_at, case_version) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )


_CASE_COLUMNS = (
    "case_no",
    "case_id",
    "kind",
    "status",
    "merchant_id",
    "consumer_id",
    "platform_queue",
    "routed_pending",
    "opened_at",
    "updated_at",
    "last_version",
)
_INSERT_CASE = (
    f"INSERT INTO queue_cases ({', '.join(_CASE_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in _CASE_COLUMNS)})"
)


PROJECTIONS = (QueueProjection,)
"""For :mod:`projections.registry`."""
