"""Reading a Case event for the read side (issue 7: events say what they did).

Every Case event (class version 2, ``domain.case.events``) carries the status it leads to
(``status``; None: unchanged), the rule it applied (``rule``) and the moves each role may make after
it (``allowed``; None for an upcast version 1 event: unknown). The projections copy those; they
never mirror the process's transitions or re-decide a rule. A step's ``details`` are the event's
own fields, read by name where a field has a known shape (a shipment, a refund plan, a ruling,
order lines) and generically otherwise, so a new event class is a step without code changes here.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from enum import Enum
from typing import Any

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from domain.case import Case
from projections.db import ts

__all__ = [
    "allowed_of",
    "case_event_topics",
    "deadline_dicts",
    "details_of",
    "dumps",
    "event_name",
    "next_deadline",
    "plain",
    "status_after",
]


def dumps(value: Any) -> str:
    """Compact JSON with sorted keys: identical text for identical content (rebuild digests)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def text(value: Any) -> str:
    """An enum's value or the string itself (decoded events may hold either)."""
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


def field(obj: Any, name: str, default: Any = None) -> Any:
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


def status_after(event: Any, previous: str | None) -> str:
    """The case's status after ``event``: the one it says it leads to, or ``previous`` when it
    says None (unchanged; ``previous`` is None only before the case's first event)."""
    carried = getattr(event, "status", None)
    if carried is not None:
        return text(carried)
    if previous is None:
        raise ValueError(f"{event_name(event)} event names no status for a case not seen opened")
    return previous


def allowed_of(event: Any) -> dict[str, list[str]] | None:
    """The moves each role may make after ``event`` (role -> move names, as the domain says), or
    None when the event does not say (an upcast version 1 event: ask the domain)."""
    allowed = getattr(event, "allowed", None)
    if allowed is None:
        return None
    return {text(role): [text(move) for move in moves] for role, moves in dict(allowed).items()}


def deadline_dicts(deadlines: Iterable[Any] | None) -> list[dict[str, Any]]:
    """An event's ``deadlines`` as plain dicts (``due_at`` as :func:`ts` text), by due time.

    One per clock: if a clock appears twice the later one wins, as in the aggregate's own
    ``{d.name: d for d in deadlines}``."""
    by_name: dict[str, dict[str, Any]] = {}
    for d in deadlines or ():
        name = text(field(d, "name"))
        by_name[name] = {
            "name": name,
            "due_at": ts(field(d, "due_at")),
            "rule": str(field(d, "rule")),
            "party": text(field(d, "party")),
            "breached": bool(field(d, "breached", False)),
            "provisional": bool(field(d, "provisional", False)),
        }
    return sorted(by_name.values(), key=lambda d: (d["due_at"], d["name"]))


def next_deadline(deadlines: Sequence[Mapping[str, Any]]) -> Mapping[str, Any] | None:
    """The earliest open deadline not breached yet (the deadline of the next step)."""
    open_ = [d for d in deadlines if not d["breached"]]
    return min(open_, key=lambda d: (d["due_at"], d["name"])) if open_ else None


# ---------------------------------------------------------------------------- details


def plain(value: Any) -> Any:
    """A JSON-able copy of an event field: enums as values, times as :func:`ts` text, value
    objects and mappings as dicts, sequences as lists."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return ts(value)
    if isinstance(value, date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [plain(v) for v in value]
    return str(value)


# Fields of every Case event (and of the library's events): shown as the step's own columns, or
# not the step's business. ``case_no``, parties, the order id and the policy terms an Opened event
# carries are the case's facts (``case_summary``), not the step's.
_NOT_DETAILS = frozenset(
    {
        "originator_id",
        "originator_version",
        "originator_topic",
        "timestamp",
        "event_hash",
        "prev_hash",
        "actor",
        "at",
        "reason",
        "description",
        "deadlines",
        "status",
        "rule",
        "allowed",
        "evidence",
        "case_no",
        "order_id",
        "consumer_id",
        "merchant_id",
        "placed_at",
        "terms",
        "prior_returns_to_merchant",
        "bought_again_since_first_return",
    }
)


def _shipment(shipment: Any) -> dict[str, Any]:
    if shipment is None:
        return {}
    return {
        "carrier": str(field(shipment, "carrier")),
        "tracking_no": str(field(shipment, "tracking_no")),
        "fee_fen": int(field(shipment, "fee_fen", 0)),
    }


def _plan(plan: Any) -> dict[str, Any]:
    """R3.a: the refund's parts and split (points and coupons come back in kind)."""
    return {
        "goods_fen": int(field(plan, "goods_fen")),
        "shipping_fen": int(field(plan, "shipping_fen")),
        "total_fen": int(field(plan, "total_fen")),
        "cap_fen": int(field(plan, "cap_fen")),
        "currency": str(field(plan, "currency")),
        "return_leg_payer": text(field(plan, "return_leg_payer")),
        "outbound_leg_payer": text(field(plan, "outbound_leg_payer")),
        "split": [
            {
                "kind": text(field(part, "kind")),
                "amount_fen": int(field(part, "amount_fen")),
                "in_kind": text(field(part, "kind")) in ("points", "coupon"),
            }
            for part in field(plan, "split")
        ],
    }


def _ruling(ruling: Any) -> dict[str, Any]:
    return {
        "outcome": text(field(ruling, "outcome")),
        "refund_fen": int(field(ruling, "refund_fen", 0)),
        "compensation_fen": int(field(ruling, "compensation_fen", 0)),
        "return_required": bool(field(ruling, "return_required", False)),
    }


def _lines(lines: Any) -> list[dict[str, Any]]:
    """The case's lines; ``opened`` (R1.a: the consumer said the goods were opened) only where
    it is true, so steps recorded before the flag existed project as they did."""
    return [
        {
            "line_no": int(field(line, "line_no")),
            "sku": str(field(line, "sku")),
            "title": str(field(line, "title")),
            "category": str(field(line, "category")),
            "quantity": int(field(line, "quantity")),
            "paid_fen": int(field(line, "paid_fen")),
            **({"opened": True} if field(line, "opened", False) else {}),
        }
        for line in lines or ()
    ]


# Fields with a known shape, flattened into the details (a shipment's carrier and tracking
# number, a plan's amounts) or kept as a list.
_FLATTENED = {"shipment": _shipment, "plan": _plan, "ruling": _ruling}


def details_of(event: Any) -> dict[str, Any]:
    """The parameters of a step: the event's own fields (amounts, carrier/tracking,
    responsibility, ruling, split ...), by name where the shape is known; status, rule and the
    allowed moves have their own columns. A field of the event wins over a flattened part of the
    same name (a repair's fee over its shipment's)."""
    own: dict[str, Any] = {}
    flat: dict[str, Any] = {}
    for name, value in sorted(vars(event).items()):
        if name.startswith("_") or name in _NOT_DETAILS:
            continue
        if name in _FLATTENED:
            flat.update(_FLATTENED[name](value) if value is not None else {})
        elif name == "lines":
            own[name] = _lines(value)
        else:
            own[name] = plain(value)
    evidence = getattr(event, "evidence", None)
    if evidence is not None and event_name(event) != "Opened":
        own["count"] = len(evidence)
    return {**flat, **own}
