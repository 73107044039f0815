"""The case timeline (R21, P1, P4) and the per-case summary, fed by Case events.

``timeline_steps``: one row per Case event, the step a person recognises (a stable ``step`` code,
translated by the web, see :mod:`projections.labels`), who took it (role and id: display names are
the web's join), when (business time ``at``), why, the evidence, the rule that applied, the step's
details, the status it led to, the deadline for the next step, whether the deadlines that ended at
this step were met, whether the step is internal (hidden from the consumer, P4) and the event's
hash-chain links.

``case_summary``: one row per case for lists (status, parties, amounts, rating, next deadline, the
moves each role may make now, both R3 refund clocks).

Everything is what the events say (issue 7): the status (:func:`status_after`), the rule and the
moves allowed per role are copied from each event, never mirrored or re-decided here; the events
carry the deadlines open after them, so no policy is recomputed either. The queries live in
:mod:`projections.case_queries` and are re-exported here.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from domain.case_values import Status
from domain.process.audience import INTERNAL_EVENTS
from projections.batching import select_in
from projections.case_events import (
    allowed_of,
    case_event_topics,
    deadline_dicts,
    details_of,
    dumps,
    event_name,
    field,
    next_deadline,
    status_after,
    text,
)
from projections.case_queries import (
    CaseState,
    CaseSummary,
    ClosedDeadline,
    TimelineStep,
    case_summaries,
    case_summary,
    timeline,
)
from projections.db import DbConnection, ts
from projections.labels import step_code
from projections.timeline_rows import INSERT_STEP, SUMMARY_DEFAULTS, write_summaries

__all__ = [
    "PROJECTIONS",
    "TIMELINE_PROJECTION",
    "CaseState",
    "CaseSummary",
    "ClosedDeadline",
    "TimelineProjection",
    "TimelineStep",
    "case_event_topics",
    "case_summaries",
    "case_summary",
    "closed_deadlines",
    "deadline_dicts",
    "dumps",
    "event_name",
    "next_deadline",
    "status_after",
    "timeline",
]

TIMELINE_PROJECTION = "timeline"

# Which event is internal (P4: hidden from the consumer). SlaBreached is shown (P1, R21: the
# consumer sees that a deadline was missed and what followed); routing is the platform's business.
_INTERNAL_EVENTS = INTERNAL_EVENTS  # decided in domain.process.audience (issue 9)

# Events whose actor acts for the platform or finance when it is the system (a payment-provider
# callback, an automatic approval): their deadlines count as met by the responsible party.
_SYSTEM_ACTS_FOR = frozenset({"platform_agent", "finance"})

# The case's outcome as the domain's events set it (``domain.case.events``: each ``change``): an
# event ending the case names it (``Closed``; the goods' stated outcome of ``GoodsShippedBack`` /
# ``GoodsReceived`` is only the one ``Closed`` will state); these events imply it (an escalation
# contests the earlier answer, R10).
_OUTCOME_OF_EVENT = {"Rejected": "rejected", "Withdrawn": "withdrawn", "EscalatedToArbitration": ""}

# R3's two refund clocks: the statutory ceiling (Law art. 13) and the policy's working days.
_STATUTORY_CLOCK = "statutory_refund"
_PAYMENT_CLOCK = "refund_payment"


def closed_deadlines(
    before: Sequence[Mapping[str, Any]],
    after: Sequence[Mapping[str, Any]],
    *,
    at: str,
    actor_role: str,
) -> list[dict[str, Any]]:
    """The deadlines that ended at this step, each with whether it was met.

    Considered: every deadline open and not breached before the step that is gone, breached or
    replaced after it. ``outcome``: ``missed`` (the step records its breach), ``met`` / ``late``
    (``at <= due_at`` or not; the step was taken by the party that owed it, or by the system for
    the platform or finance), ``cancelled`` (someone else ended it: a withdrawal, a ruling, the
    system accepting in the merchant's place ...; ``met`` is None) or ``superseded`` (the same
    clock restarted with a new due time; ``met`` is None).
    """
    later = {d["name"]: d for d in after}
    out: list[dict[str, Any]] = []
    for d in before:
        if d["breached"]:
            continue  # reported by the step that breached it
        now = later.get(d["name"])
        if now is not None and not now["breached"] and now["due_at"] == d["due_at"]:
            continue  # still running
        met: bool | None
        if now is not None and now["breached"]:
            outcome, met = "missed", False
        elif now is not None:
            outcome, met = "superseded", None
        elif actor_role == d["party"] or (
            actor_role == "system" and d["party"] in _SYSTEM_ACTS_FOR
        ):
            met = at <= d["due_at"]
            outcome = "met" if met else "late"
        else:
            outcome, met = "cancelled", None
        out.append(
            {
                "name": d["name"],
                "due_at": d["due_at"],
                "rule": d["rule"],
                "party": d["party"],
                "met": met,
                "outcome": outcome,
            }
        )
    return out


def _flag(value: bool | None) -> int | None:
    return None if value is None else int(value)


def _reason(name: str, event: Any) -> str:
    reason = str(getattr(event, "reason", "") or "")
    if name == "Opened":
        return str(event.description)
    outcome = getattr(event, "outcome", None)
    if outcome is not None and reason == text(outcome):
        return ""  # the domain repeats the outcome code when nobody gave a reason
    return reason


def _evidence(items: Any) -> list[dict[str, Any]]:
    return [
        {
            "sha256": str(field(e, "sha256")),
            "name": str(field(e, "name")),
            "media_type": str(field(e, "media_type")),
            "size": int(field(e, "size")),
        }
        for e in items or ()
    ]


class TimelineProjection:
    """Writes ``timeline_steps`` and ``case_summary`` from Case events."""

    name = TIMELINE_PROJECTION
    tables = ("timeline_steps", "case_summary")

    def __init__(self) -> None:
        self.topics: tuple[str, ...] = case_event_topics()

    def process(self, tx: DbConnection, event: Any, notification_id: int) -> None:
        summary = None
        if event_name(event) != "Opened":
            row = tx.execute(
                "SELECT * FROM case_summary WHERE case_id = ?", (str(event.originator_id),)
            ).fetchone()
            summary = None if row is None else dict(row)
        step, after = self._apply(event, notification_id, summary)
        tx.execute(INSERT_STEP, step)
        write_summaries(tx, [after] if summary is None else [], [] if summary is None else [after])

    def process_batch(self, tx: DbConnection, items: Sequence[tuple[Any, int]]) -> None:
        """The batch at once (issue 12): one read of the summaries it needs, the steps in one
        ``executemany``, each case's summary written once (inserted once when it opened in the
        batch), the same rows as :meth:`process` event by event."""
        wanted = {str(e.originator_id) for e, _ in items if event_name(e) != "Opened"}
        known = {
            str(row["case_id"]): dict(row)
            for row in select_in(tx, "SELECT * FROM case_summary WHERE", "case_id", wanted)
        }
        opened: set[str] = set()
        touched: dict[str, dict[str, Any]] = {}
        steps = []
        for event, notification_id in items:
            case_id = str(event.originator_id)
            if event_name(event) == "Opened":
                if case_id in known or case_id in opened:
                    raise ValueError(f"case {case_id} opened twice ({notification_id})")
                summary = None
            else:
                summary = touched.get(case_id) or known.get(case_id)
            step, after = self._apply(event, notification_id, summary)
            steps.append(step)
            if summary is None:
                opened.add(case_id)
            touched[case_id] = after
        tx.executemany(INSERT_STEP, steps)
        write_summaries(
            tx,
            [row for cid, row in touched.items() if cid in opened],
            [row for cid, row in touched.items() if cid not in opened],
        )

    def _apply(
        self, event: Any, notification_id: int, summary: Mapping[str, Any] | None
    ) -> tuple[tuple[Any, ...], dict[str, Any]]:
        """One event's step row and the case's summary after it (pure: nothing written)."""
        name = event_name(event)
        if name == "Opened":
            case_no = str(event.case_no)
        else:
            if summary is None:
                raise ValueError(
                    f"{name} of case {event.originator_id} before its Opened event "
                    f"(notification {notification_id})"
                )
            case_no = str(summary["case_no"])
        status = status_after(event, str(summary["status"]) if summary else None)
        before: list[dict[str, Any]] = json.loads(summary["deadlines"]) if summary else []
        after = deadline_dicts(getattr(event, "deadlines", ()))
        at = ts(event.at)
        actor = event.actor
        role = text(actor.role)
        closed = closed_deadlines(before, after, at=at, actor_role=role)
        if name == "SlaBreached":
            closed = [c for c in closed if c["name"] == text(event.clock)]
        judged = [c["met"] for c in closed if c["met"] is not None]
        met = None if not judged else all(judged)
        nxt = next_deadline(after)
        internal = name in _INTERNAL_EVENTS or bool(getattr(event, "internal", False))
        step = (
            case_no,
            int(event.originator_version),
            notification_id,
            step_code(name),
            name,
            role,
            str(actor.id),
            str(getattr(actor, "merchant_id", "") or ""),
            at,
            ts(event.timestamp),
            _reason(name, event),
            dumps(_evidence(getattr(event, "evidence", ()))),
            str(event.rule),
            dumps(details_of(event)),
            dumps(after),
            nxt["name"] if nxt else None,
            nxt["due_at"] if nxt else None,
            nxt["rule"] if nxt else None,
            nxt["party"] if nxt else None,
            dumps(closed),
            _flag(met),
            int(internal),
            str(event.event_hash),
            str(event.prev_hash),
            status,
        )
        return step, self._summarise(event, name, case_no, status, summary, after, nxt)

    def _summarise(
        self,
        event: Any,
        name: str,
        case_no: str,
        status: str,
        summary: Mapping[str, Any] | None,
        after: list[dict[str, Any]],
        nxt: Mapping[str, Any] | None,
    ) -> dict[str, Any]:
        at = ts(event.at)
        allowed = allowed_of(event)
        common = {
            "status": status,
            "updated_at": at,
            "deadlines": dumps(after),
            "next_clock": nxt["name"] if nxt else None,
            "next_due_at": nxt["due_at"] if nxt else None,
            "next_rule": nxt["rule"] if nxt else None,
            "next_party": nxt["party"] if nxt else None,
            "last_version": int(event.originator_version),
            "last_event_hash": str(event.event_hash),
            "allowed": None if allowed is None else dumps(allowed),
            **_refund_clocks(event, after, summary),
        }
        if name == "Opened":
            return {
                **SUMMARY_DEFAULTS,
                "case_no": case_no,
                "case_id": str(event.originator_id),
                "kind": text(event.kind),
                "consumer_id": str(event.consumer_id),
                "merchant_id": str(event.merchant_id),
                "order_no": str(event.order_no),
                "reason_code": text(event.reason_code),
                "channel": text(event.channel),
                "policy_version": int(event.policy_version),
                "currency": str(field(event.terms, "currency", "CNY")),
                "opened_at": at,
                "complaint_open": int(text(event.kind) == "complaint"),
                **common,
            }
        assert summary is not None
        return {**summary, **common, **_facts(name, event, summary, status, at)}


def _refund_clocks(
    event: Any, after: Sequence[Mapping[str, Any]], summary: Mapping[str, Any] | None
) -> dict[str, Any]:
    """R3: both refund clocks, as the event names them (``RefundApproved``'s
    ``working_days_due_at`` / ``statutory_due_at``) or as its deadlines hold them (the statutory
    clock from the goods' delivery back; the payment clock of an approval that does not name its
    working days: then it is the only one)."""
    out: dict[str, Any] = {}
    for d in after:
        if d["name"] == _STATUTORY_CLOCK:
            out["refund_statutory_due_at"] = d["due_at"]
        elif d["name"] == _PAYMENT_CLOCK and not (summary and summary["refund_working_due_at"]):
            out["refund_working_due_at"] = d["due_at"]
    statutory = getattr(event, "statutory_due_at", None)
    if statutory is not None:
        out["refund_statutory_due_at"] = ts(statutory)
    working = getattr(event, "working_days_due_at", None)
    if working is not None:
        out["refund_working_due_at"] = ts(working)
    return out


def _facts(
    name: str, event: Any, summary: Mapping[str, Any], status: str, at: str
) -> dict[str, Any]:
    """What an event changes in a summary besides status, time, deadlines and moves: the facts
    it states by name (responsibility, amounts, ruling, rating, complaint, outcome)."""
    changes: dict[str, Any] = {}
    responsibility = getattr(event, "responsibility", None)
    if responsibility is not None:
        changes["responsibility"] = text(responsibility)
    plan = getattr(event, "plan", None)
    if plan is not None:
        changes["refund_total_fen"] = int(field(plan, "total_fen"))
    ruling = getattr(event, "ruling", None)
    if ruling is not None:
        changes["ruling_outcome"] = text(field(ruling, "outcome"))
    score = getattr(event, "score", None)
    if score is not None:
        changes["rating"] = int(score)
    if name == "RefundPaid":
        if event.settles_refund:  # the whole refund, once its last tender is paid (R3.a)
            changes["refund_paid_fen"] = int(event.refund_total_fen)
    elif name == "CompensationGranted":
        changes["compensation_fen"] = int(event.amount_fen)
    elif name == "SlaBreached":
        changes["breaches"] = int(summary["breaches"]) + 1
    elif name == "ComplaintFiled":
        changes["complaint_open"] = 1
    elif name == "OpinionGiven":
        changes["complaint_open"] = 0
    ended = _is_end(status)
    outcome = getattr(event, "outcome", None)
    if outcome is not None and ended:  # an event ending the case names its outcome
        changes["outcome"] = text(outcome)
    elif name in _OUTCOME_OF_EVENT:
        changes["outcome"] = _OUTCOME_OF_EVENT[name]
    if ended and summary["closed_at"] is None:
        changes["closed_at"] = at
        changes["complaint_open"] = 0
    elif not ended and summary["closed_at"] is not None:
        changes["closed_at"] = None  # reopened (a complaint inside the post-close window)
    return changes


def _is_end(status: str) -> bool:
    """Whether the domain counts ``status`` as the end of a case."""
    try:
        return Status(status).is_terminal
    except ValueError:  # a status this code's domain does not know yet: not an end it knows
        return False


PROJECTIONS = (TimelineProjection,)
"""For :mod:`projections.registry`."""
