"""The case timeline (R21, P1, P4) and the per-case summary, fed by Case events.

``timeline_steps``: one row per Case event, the step a person recognises (a stable ``step`` code,
translated by the web, see :mod:`projections.labels`), who took it (role and id: display names are
the web's join), when (business time ``at``), why, the evidence, the rule that applied, the step's
details, the deadline for the next step, whether the deadlines that ended at this step were met,
whether the step is internal (hidden from the consumer, P4) and the event's hash-chain links.

``case_summary``: one row per case for lists (status, parties, amounts, rating, next deadline).

Everything is derived from the events alone: the events carry the deadlines open after them, so
no policy is recomputed here. The helpers at the top (:func:`event_name`, :func:`deadline_dicts`,
:func:`status_after`) are shared with :mod:`projections.queues`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Any, Literal

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from domain.case import Case
from projections.db import Database, DbConnection, parse_ts, ts
from projections.labels import step_code

__all__ = [
    "PROJECTIONS",
    "TIMELINE_PROJECTION",
    "CaseSummary",
    "ClosedDeadline",
    "TimelineProjection",
    "TimelineStep",
    "case_event_topics",
    "case_summary",
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
_INTERNAL_EVENTS = frozenset({"Routed"})

# Status after events that do not carry ``status`` themselves (those that do are read directly).
_STATUS_AFTER: dict[str, str] = {
    "Rejected": "rejected",
    "ReturnShipped": "return_in_transit",
    "ReturnDelivered": "return_delivered",
    "ReceiptConfirmed": "received",
    "RepairQuoted": "awaiting_quote_answer",
    "QuoteAccepted": "repairing",
    "QuoteDeclined": "returning_unrepaired",
    "RefundApproved": "refund_approved",
    "RefundFailed": "refund_failed",
    "EscalatedToArbitration": "in_arbitration",
    "Ruled": "ruled",
    "Withdrawn": "withdrawn",
    "Closed": "closed",
}

# Outcome of a Closed event -> the rule the closing follows from.
_CLOSE_RULES: dict[str, str] = {
    "refunded": "R3",
    "repaired": "R7",
    "returned_unrepaired": "R6",
    "exchanged": "R8",
    "not_shipped": "R13",
    "dismissed": "R10",
    "compensated": "R10",
}

# Events whose actor acts for the platform or finance when it is the system (a payment-provider
# callback, an automatic approval): their deadlines count as met by the responsible party.
_SYSTEM_ACTS_FOR = frozenset({"platform_agent", "finance"})


# ---------------------------------------------------------------------------- shared helpers


def dumps(value: Any) -> str:
    """Compact JSON with sorted keys: identical text for identical content (rebuild digests)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _s(value: Any) -> str:
    """An enum's value or the string itself (decoded events may hold either)."""
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


def _get(obj: Any, name: str, default: Any = None) -> Any:
    if isinstance(obj, Mapping):
        return obj.get(name, default)
    return getattr(obj, name, default)


def event_name(event: Any) -> str:
    """``Accepted`` for a ``Case.Accepted`` event."""
    return type(event).__name__


def case_event_topics() -> tuple[str, ...]:
    """The topic of every event class of ``Case`` (found by introspection, so a new event is
    never filtered out silently)."""
    topics = {
        get_topic(value)
        for value in vars(Case).values()
        if isinstance(value, type) and issubclass(value, Aggregate.Event)
    }
    return tuple(sorted(topics))


def deadline_dicts(deadlines: Iterable[Any] | None) -> list[dict[str, Any]]:
    """An event's ``deadlines`` as plain dicts (``due_at`` as :func:`ts` text), by due time.

    One per clock: if a clock appears twice the later one wins, as in the aggregate's own
    ``{d.name: d for d in deadlines}``."""
    by_name: dict[str, dict[str, Any]] = {}
    for d in deadlines or ():
        name = _s(_get(d, "name"))
        by_name[name] = {
            "name": name,
            "due_at": ts(_get(d, "due_at")),
            "rule": str(_get(d, "rule")),
            "party": _s(_get(d, "party")),
            "breached": bool(_get(d, "breached", False)),
            "provisional": bool(_get(d, "provisional", False)),
        }
    return sorted(by_name.values(), key=lambda d: (d["due_at"], d["name"]))


def next_deadline(deadlines: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The earliest open deadline not breached yet (the deadline of the next step)."""
    open_ = [d for d in deadlines if not d["breached"]]
    return min(open_, key=lambda d: (d["due_at"], d["name"])) if open_ else None


def status_after(event: Any, previous: str | None) -> str:
    """The case's status after ``event`` (``previous``: the status before; None for Opened)."""
    name = event_name(event)
    if name == "Opened":
        return "complaint_open" if _s(event.kind) == "complaint" else "requested"
    carried = getattr(event, "status", None)
    if carried is not None:
        return _s(carried)
    known = _STATUS_AFTER.get(name)
    if known is not None:
        return known
    if previous is None:
        raise ValueError(f"{name} event for a case the projection has not seen opened")
    return previous


# ---------------------------------------------------------------------------- the projection


def _evidence(items: Iterable[Any] | None) -> list[dict[str, Any]]:
    return [
        {
            "sha256": str(_get(e, "sha256")),
            "name": str(_get(e, "name")),
            "media_type": str(_get(e, "media_type")),
            "size": int(_get(e, "size")),
        }
        for e in items or ()
    ]


def _shipment(shipment: Any) -> dict[str, Any]:
    if shipment is None:
        return {}
    return {
        "carrier": str(_get(shipment, "carrier")),
        "tracking_no": str(_get(shipment, "tracking_no")),
        "fee_fen": int(_get(shipment, "fee_fen", 0)),
    }


def _details(name: str, event: Any) -> dict[str, Any]:
    """The parameters of a step (amounts, carrier/tracking, responsibility, ruling, split ...)."""
    if name == "Opened":
        return {
            "kind": _s(event.kind),
            "reason_code": _s(event.reason_code),
            "channel": _s(event.channel),
            "order_no": event.order_no,
            "policy_version": int(event.policy_version),
            "first_application": bool(event.first_application),
            "component": event.component,
            "delivered_at": ts(event.delivered_at) if event.delivered_at else None,
            "lines": [
                {
                    "line_no": int(_get(line, "line_no")),
                    "sku": str(_get(line, "sku")),
                    "title": str(_get(line, "title")),
                    "category": str(_get(line, "category")),
                    "quantity": int(_get(line, "quantity")),
                    "paid_fen": int(_get(line, "paid_fen")),
                }
                for line in event.lines
            ],
        }
    if name in ("Accepted", "ComplaintResponded", "OpinionGiven"):
        return {"status": _s(event.status)}
    if name in ("ReturnShipped", "ExchangeShipped"):
        return _shipment(event.shipment)
    if name == "ReturnDelivered":
        return {"delivered_at": ts(event.delivered_at)}
    if name == "Inspected":
        return {
            "responsibility": _s(event.responsibility),
            "on_site": bool(event.on_site),
            "status": _s(event.status),
        }
    if name == "RepairQuoted":
        return {"fee_fen": int(event.fee_fen), "in_warranty": bool(event.in_warranty)}
    if name == "QuoteAccepted":
        return {"fee_fen": int(event.fee_fen)}
    if name == "RepairCompleted":
        return {
            "repaired": bool(event.repaired),
            "fee_fen": int(event.fee_fen),
            **_shipment(event.shipment),
        }
    if name == "RefundApproved":
        plan = event.plan
        return {
            "goods_fen": int(_get(plan, "goods_fen")),
            "shipping_fen": int(_get(plan, "shipping_fen")),
            "total_fen": int(_get(plan, "total_fen")),
            "cap_fen": int(_get(plan, "cap_fen")),
            "currency": str(_get(plan, "currency")),
            "return_leg_payer": _s(_get(plan, "return_leg_payer")),
            "outbound_leg_payer": _s(_get(plan, "outbound_leg_payer")),
            "split": [
                {
                    "kind": _s(_get(part, "kind")),
                    "amount_fen": int(_get(part, "amount_fen")),
                    "in_kind": _s(_get(part, "kind")) in ("points", "coupon"),
                }
                for part in _get(plan, "split")
            ],
        }
    if name in ("RefundPaid", "CompensationPaid"):
        return {"amount_fen": int(event.amount_fen), "psp_reference": str(event.psp_reference)}
    if name == "CompensationGranted":
        return {"amount_fen": int(event.amount_fen)}
    if name == "ComplaintFiled":
        return {"channel": _s(event.channel)}
    if name == "EvidenceSubmitted":
        return {"count": len(event.evidence)}
    if name == "Ruled":
        ruling = event.ruling
        return {
            "outcome": _s(_get(ruling, "outcome")),
            "refund_fen": int(_get(ruling, "refund_fen", 0)),
            "compensation_fen": int(_get(ruling, "compensation_fen", 0)),
            "return_required": bool(_get(ruling, "return_required", False)),
        }
    if name == "SlaBreached":
        return {
            "clock": _s(event.clock),
            "due_at": ts(event.due_at),
            "rule": str(event.rule),
            "party": _s(event.party),
        }
    if name == "Routed":
        return {
            "queue": str(event.queue),
            "classified_kind": _s(event.classified_kind),
            "confidence_pct": int(event.confidence_pct),
        }
    if name == "NoteAdded":
        return {"internal": bool(event.internal)}
    if name == "Closed":
        return {"outcome": str(event.outcome)}
    if name == "Rated":
        return {"score": int(event.score)}
    return {}


def _opening_rule(event: Any) -> str:
    kind, reason = _s(event.kind), _s(event.reason_code)
    if kind == "complaint":
        return "R9"
    if kind == "repair":
        return "R5"
    if reason == "no_reason":
        return "R1"
    if reason in ("quality_defect", "wrong_item", "transport_damage", "missing_item"):
        return "R1.c"  # quality problems are never "no reason"
    return "R12"  # e.g. refund_only for goods never delivered: an application handled under R12


def _rule(name: str, event: Any, summary: Mapping[str, Any] | None) -> str:
    """The policy.md rule a step applied."""
    role = _s(event.actor.role)
    kind = str(summary["kind"]) if summary else ""
    status = str(summary["status"]) if summary else ""
    ruled = bool(summary and summary["ruling_outcome"])
    if name == "Opened":
        return _opening_rule(event)
    if name in ("Accepted", "Rejected"):
        if role == "system":
            return "R12.a"  # silent past the deadline: taken to agree
        return "R5.a" if kind == "repair" else "R12"
    if name == "ReceiptConfirmed" and role == "system":
        return "R3"
    if name == "SlaBreached":
        return str(event.rule)
    if name == "EvidenceSubmitted":
        return "R10" if status == "in_arbitration" else "R21"
    if name in ("CompensationGranted", "CompensationPaid"):
        return "R10" if ruled else "R14"
    if name == "Closed":
        return _CLOSE_RULES.get(str(event.outcome), "R21")
    return _FIXED_RULES.get(name, "R21")


_FIXED_RULES: dict[str, str] = {
    "ReturnShipped": "R13",
    "ReturnDelivered": "R3",
    "ReceiptConfirmed": "R3",
    "Inspected": "R14",
    "RepairQuoted": "R6",
    "QuoteAccepted": "R6",
    "QuoteDeclined": "R6",
    "RepairCompleted": "R7",
    "ExchangeShipped": "R8",
    "RefundApproved": "R3.a",
    "RefundPaid": "R3",
    "RefundFailed": "R3",
    "ComplaintFiled": "R9",
    "ComplaintResponded": "R9.a",
    "OpinionGiven": "R9.a",
    "EscalatedToArbitration": "R10",
    "Ruled": "R10",
    "Rated": "R18",
    "Routed": "R20",
    "NoteAdded": "R21",
    "Withdrawn": "R21",
}


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


class TimelineProjection:
    """Writes ``timeline_steps`` and ``case_summary`` from Case events."""

    name = TIMELINE_PROJECTION
    tables = ("timeline_steps", "case_summary")

    def __init__(self) -> None:
        self.topics: tuple[str, ...] = case_event_topics()

    def process(self, tx: DbConnection, event: Any, notification_id: int) -> None:
        name = event_name(event)
        summary = None
        if name == "Opened":
            case_no = str(event.case_no)
        else:
            summary = tx.execute(
                "SELECT * FROM case_summary WHERE case_id = ?", (str(event.originator_id),)
            ).fetchone()
            if summary is None:
                raise ValueError(
                    f"{name} of case {event.originator_id} before its Opened event "
                    f"(notification {notification_id})"
                )
            case_no = str(summary["case_no"])
        before: list[dict[str, Any]] = json.loads(summary["deadlines"]) if summary else []
        after = deadline_dicts(getattr(event, "deadlines", ()))
        at = ts(event.at)
        actor = event.actor
        role = _s(actor.role)
        closed = closed_deadlines(before, after, at=at, actor_role=role)
        if name == "SlaBreached":
            closed = [c for c in closed if c["name"] == _s(event.clock)]
        judged = [c["met"] for c in closed if c["met"] is not None]
        met = None if not judged else all(judged)
        nxt = next_deadline(after)
        details = _details(name, event)
        internal = name in _INTERNAL_EVENTS or (name == "NoteAdded" and bool(event.internal))
        evidence = _evidence(getattr(event, "evidence", ()))
        reason = str(getattr(event, "reason", "") or "")
        if name == "Opened":
            reason = str(event.description)
        elif name == "Closed" and reason == _s(event.outcome):
            reason = ""  # the domain repeats the outcome code when nobody gave a reason
        tx.execute(
            "INSERT INTO timeline_steps (case_no, version, notification_id, step, event_name, "
            "actor_role, actor_id, actor_merchant_id, at, recorded_at, reason, evidence, rule, "
            "details, deadlines, next_clock, next_due_at, next_rule, next_party, "
            "deadlines_closed, deadline_met, internal, event_hash, prev_hash) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
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
                reason,
                dumps(evidence),
                _rule(name, event, summary),
                dumps(details),
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
            ),
        )
        self._summarise(tx, event, name, case_no, summary, after, nxt)

    def _summarise(
        self,
        tx: DbConnection,
        event: Any,
        name: str,
        case_no: str,
        summary: Mapping[str, Any] | None,
        after: list[dict[str, Any]],
        nxt: Mapping[str, Any] | None,
    ) -> None:
        at = ts(event.at)
        status = status_after(event, str(summary["status"]) if summary else None)
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
        }
        if name == "Opened":
            row = {
                "case_no": case_no,
                "case_id": str(event.originator_id),
                "kind": _s(event.kind),
                "consumer_id": str(event.consumer_id),
                "merchant_id": str(event.merchant_id),
                "order_no": str(event.order_no),
                "reason_code": _s(event.reason_code),
                "channel": _s(event.channel),
                "policy_version": int(event.policy_version),
                "currency": str(_get(event.terms, "currency", "CNY")),
                "opened_at": at,
                "complaint_open": int(_s(event.kind) == "complaint"),
                **common,
            }
            columns = ", ".join(row)
            marks = ", ".join("?" for _ in row)
            tx.execute(f"INSERT INTO case_summary ({columns}) VALUES ({marks})", list(row.values()))
            return
        assert summary is not None
        changes: dict[str, Any] = dict(common)
        if name == "Inspected":
            changes["responsibility"] = _s(event.responsibility)
        elif name == "RefundApproved":
            changes["refund_total_fen"] = int(_get(event.plan, "total_fen"))
        elif name == "RefundPaid":
            changes["refund_paid_fen"] = int(event.amount_fen)
        elif name == "CompensationGranted":
            changes["compensation_fen"] = int(event.amount_fen)
        elif name == "Ruled":
            changes["ruling_outcome"] = _s(_get(event.ruling, "outcome"))
        elif name == "SlaBreached":
            changes["breaches"] = int(summary["breaches"]) + 1
        elif name == "Rated":
            changes["rating"] = int(event.score)
        elif name == "ComplaintFiled":
            changes["complaint_open"] = 1
        elif name == "OpinionGiven":
            changes["complaint_open"] = 0
        if name in ("Closed", "Withdrawn"):
            changes["outcome"] = str(getattr(event, "outcome", "withdrawn"))
            changes["closed_at"] = at
            changes["complaint_open"] = 0
        elif name == "Rejected":
            changes["outcome"] = "rejected"
        elif name == "Inspected" and status == "inspection_failed":
            changes["outcome"] = "inspection_failed"
        assignments = ", ".join(f"{column} = ?" for column in changes)
        tx.execute(
            f"UPDATE case_summary SET {assignments} WHERE case_no = ?",
            [*changes.values(), case_no],
        )


PROJECTIONS = (TimelineProjection,)
"""For :mod:`projections.registry`."""


# ---------------------------------------------------------------------------- queries


@dataclass(frozen=True)
class ClosedDeadline:
    name: str
    due_at: datetime
    rule: str
    party: str
    met: bool | None
    outcome: str  # met | late | missed | cancelled | superseded


@dataclass(frozen=True)
class TimelineStep:
    case_no: str
    version: int
    step: str
    event_name: str
    actor_role: str
    actor_id: str
    actor_merchant_id: str
    at: datetime
    recorded_at: datetime
    reason: str
    evidence: list[dict[str, Any]]
    rule: str
    details: dict[str, Any]
    deadlines: list[dict[str, Any]]
    next_clock: str | None
    next_due_at: datetime | None
    next_rule: str | None
    next_party: str | None
    deadlines_closed: list[ClosedDeadline]
    deadline_met: bool | None
    internal: bool
    event_hash: str
    prev_hash: str


def _step(row: Mapping[str, Any]) -> TimelineStep:
    met = row["deadline_met"]
    return TimelineStep(
        case_no=row["case_no"],
        version=int(row["version"]),
        step=row["step"],
        event_name=row["event_name"],
        actor_role=row["actor_role"],
        actor_id=row["actor_id"],
        actor_merchant_id=row["actor_merchant_id"],
        at=parse_ts(row["at"]),
        recorded_at=parse_ts(row["recorded_at"]),
        reason=row["reason"],
        evidence=json.loads(row["evidence"]),
        rule=row["rule"],
        details=json.loads(row["details"]),
        deadlines=json.loads(row["deadlines"]),
        next_clock=row["next_clock"],
        next_due_at=parse_ts(row["next_due_at"]) if row["next_due_at"] else None,
        next_rule=row["next_rule"],
        next_party=row["next_party"],
        deadlines_closed=[
            ClosedDeadline(
                name=c["name"],
                due_at=parse_ts(c["due_at"]),
                rule=c["rule"],
                party=c["party"],
                met=c["met"],
                outcome=c["outcome"],
            )
            for c in json.loads(row["deadlines_closed"])
        ],
        deadline_met=None if met is None else bool(met),
        internal=bool(row["internal"]),
        event_hash=row["event_hash"],
        prev_hash=row["prev_hash"],
    )


def timeline(db: Database, case_no: str, *, include_internal: bool = False) -> list[TimelineStep]:
    """A case's steps in order. Consumers get ``include_internal=False`` (P4)."""
    sql = "SELECT * FROM timeline_steps WHERE case_no = ?"
    if not include_internal:
        sql += " AND internal = 0"
    with db.connect() as conn:
        rows = conn.execute(sql + " ORDER BY version", (case_no,)).fetchall()
    return [_step(row) for row in rows]


@dataclass(frozen=True)
class CaseSummary:
    case_no: str
    kind: str
    status: str
    outcome: str
    consumer_id: str
    merchant_id: str
    order_no: str
    reason_code: str
    channel: str
    policy_version: int
    currency: str
    opened_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    responsibility: str | None
    refund_total_fen: int | None
    refund_paid_fen: int
    compensation_fen: int
    ruling_outcome: str | None
    rating: int | None
    breaches: int
    complaint_open: bool
    deadlines: list[dict[str, Any]]
    next_clock: str | None
    next_due_at: datetime | None
    next_rule: str | None
    next_party: str | None
    last_version: int
    last_event_hash: str


def _opt_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _summary(row: Any) -> CaseSummary:
    return CaseSummary(
        case_no=row["case_no"],
        kind=row["kind"],
        status=row["status"],
        outcome=row["outcome"],
        consumer_id=row["consumer_id"],
        merchant_id=row["merchant_id"],
        order_no=row["order_no"],
        reason_code=row["reason_code"],
        channel=row["channel"],
        policy_version=int(row["policy_version"]),
        currency=row["currency"],
        opened_at=parse_ts(row["opened_at"]),
        updated_at=parse_ts(row["updated_at"]),
        closed_at=parse_ts(row["closed_at"]) if row["closed_at"] else None,
        responsibility=row["responsibility"],
        refund_total_fen=_opt_int(row["refund_total_fen"]),
        refund_paid_fen=int(row["refund_paid_fen"]),
        compensation_fen=int(row["compensation_fen"]),
        ruling_outcome=row["ruling_outcome"],
        rating=_opt_int(row["rating"]),
        breaches=int(row["breaches"]),
        complaint_open=bool(row["complaint_open"]),
        deadlines=json.loads(row["deadlines"]),
        next_clock=row["next_clock"],
        next_due_at=parse_ts(row["next_due_at"]) if row["next_due_at"] else None,
        next_rule=row["next_rule"],
        next_party=row["next_party"],
        last_version=int(row["last_version"]),
        last_event_hash=row["last_event_hash"],
    )


def case_summary(db: Database, case_no: str) -> CaseSummary | None:
    """The summary row of one case, or None."""
    with db.connect() as conn:
        row = conn.execute("SELECT * FROM case_summary WHERE case_no = ?", (case_no,)).fetchone()
    return None if row is None else _summary(row)


CaseState = Literal["open", "ended", "all"]
_ENDED = ("closed", "withdrawn")


def case_summaries(
    db: Database,
    *,
    consumer_id: str | None = None,
    merchant_id: str | None = None,
    state: CaseState = "all",
    statuses: Sequence[str] = (),
    kind: str | None = None,
    order_no: str | None = None,
    case_or_order: str | None = None,
    ruled: bool | None = None,
    newest: Literal["updated", "opened"] = "updated",
    limit: int = 50,
    offset: int = 0,
) -> list[CaseSummary]:
    """Summary rows matching every given filter, the latest change (or opening) first: the one
    query behind every list of cases (consumer's, store's, platform's, arbitrator's, the API's).
    ``consumer_id`` / ``merchant_id`` scope it (``web.auth.case_scope``)."""
    if limit < 1 or offset < 0:
        raise ValueError("a page holds at least one case and starts at 0")
    where: list[str] = []
    params: list[Any] = []
    for column, value in (
        ("consumer_id", consumer_id),
        ("merchant_id", merchant_id),
        ("kind", kind),
        ("order_no", order_no),
    ):
        if value is not None:
            where.append(f"{column} = ?")
            params.append(value)
    if state != "all":
        where.append("status NOT IN (?, ?)" if state == "open" else "status IN (?, ?)")
        params += list(_ENDED)
    if statuses:
        where.append(f"status IN ({', '.join('?' for _ in statuses)})")
        params += list(statuses)
    if case_or_order:
        where.append("(case_no = ? OR order_no = ?)")
        params += [case_or_order, case_or_order]
    if ruled is not None:
        where.append("ruling_outcome IS NOT NULL" if ruled else "ruling_outcome IS NULL")
    column = "updated_at" if newest == "updated" else "opened_at"
    sql = "SELECT * FROM case_summary" + (" WHERE " + " AND ".join(where) if where else "")
    sql += f" ORDER BY {column} DESC, case_no LIMIT ? OFFSET ?"
    with db.connect() as conn:
        rows = conn.execute(sql, [*params, limit, offset]).fetchall()
    return [_summary(row) for row in rows]
