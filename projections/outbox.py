"""The outbox (issue 9; P1, P4, R12, R21): case events turned into notices, one per party the
step concerns, as ``domain.process.audience`` says; and the deadline reminders due by a given
time, from the queue projection's open deadlines (``queue_items``).

A notice's id is a hash of its source (the event's case id and version, or the reminder's case,
clock and due time) and its party, and it is inserted with ``ON CONFLICT DO NOTHING``: a replay
or a rebuild of this projection (which empties only ``notify_cases``, its copy of the cases'
parties) inserts nothing new, so nothing is sent again; read marks and the deliveries of
:mod:`web.notify` stay as they are.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from domain.case_values import Status
from domain.deadlines import Clock
from domain.process.audience import (
    REMINDERS,
    NoticeKind,
    audience,
    is_internal,
    is_locked,
    notice_kind,
)
from domain.values import CaseKind, Role
from projections.batching import select_in
from projections.case_events import (
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
from projections.db import Database, DbConnection, parse_ts, ts
from projections.labels import step_code

__all__ = [
    "OUTBOX_PROJECTION",
    "PROJECTIONS",
    "OutboxProjection",
    "add_reminders",
    "notice_id",
    "party_of",
]

OUTBOX_PROJECTION = "outbox"

_INSERT = (
    "INSERT INTO notices (id, source, position, party, notice_kind, case_no, case_kind, "
    "merchant_id, event_name, step, actor_role, status, rule, at, details, self_action, locked, "
    "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT (id) DO NOTHING"
)


def notice_id(source: str, party: str) -> str:
    """Deterministic: the same event (or reminder) for the same party is the same notice."""
    return hashlib.sha256(f"{source}\n{party}".encode()).hexdigest()[:32]


def party_of(role: Role, *, consumer_id: str, merchant_id: str) -> str:
    """``consumer:<id>``, ``merchant:<store>``, or the role for the platform's staff pools."""
    if role is Role.CONSUMER:
        return f"consumer:{consumer_id}"
    if role is Role.MERCHANT:
        return f"merchant:{merchant_id}"
    return role.value


def _reason(name: str, event: Any) -> str:
    if name == "Opened":
        return str(getattr(event, "description", "") or "")
    return str(getattr(event, "reason", "") or "")


class OutboxProjection:
    """Writes ``notices`` (never deleted) from Case events; owns ``notify_cases``."""

    name = OUTBOX_PROJECTION
    tables = ("notify_cases",)

    def __init__(self) -> None:
        self.topics: tuple[str, ...] = case_event_topics()

    def process(self, tx: DbConnection, event: Any, notification_id: int) -> None:
        known = None
        if event_name(event) != "Opened":
            row = tx.execute(
                "SELECT * FROM notify_cases WHERE case_id = ?", (str(event.originator_id),)
            ).fetchone()
            known = None if row is None else dict(row)
        case = self._case_after(event, notification_id, known)
        self._write(tx, [case] if known is None else [], [] if known is None else [case])
        notices = self._notices(event, event_name(event), case, notification_id)
        if notices:
            tx.executemany(_INSERT, notices)

    def process_batch(self, tx: DbConnection, items: Sequence[tuple[Any, int]]) -> None:
        """The batch at once (issue 12): one read of the cases it needs, every notice in one
        ``executemany``, each case's row written once."""
        wanted = {str(e.originator_id) for e, _ in items if event_name(e) != "Opened"}
        known = {
            str(row["case_id"]): dict(row)
            for row in select_in(tx, "SELECT * FROM notify_cases WHERE", "case_id", wanted)
        }
        cases: dict[str, dict[str, Any]] = {}
        opened: set[str] = set()
        notices: list[tuple[Any, ...]] = []
        for event, notification_id in items:
            case_id = str(event.originator_id)
            if event_name(event) == "Opened":
                if case_id in known or case_id in cases:
                    raise ValueError(f"case {case_id} opened twice ({notification_id})")
                before = None
                opened.add(case_id)
            else:
                before = cases.get(case_id) or known.get(case_id)
            case = cases[case_id] = self._case_after(event, notification_id, before)
            notices.extend(self._notices(event, event_name(event), case, notification_id))
        self._write(
            tx,
            [c for cid, c in cases.items() if cid in opened],
            [c for cid, c in cases.items() if cid not in opened],
        )
        if notices:
            tx.executemany(_INSERT, notices)

    def _case_after(
        self, event: Any, notification_id: int, known: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        name = event_name(event)
        if name == "Opened":
            return {
                "case_id": str(event.originator_id),
                "case_no": str(event.case_no),
                "kind": text(event.kind),
                "consumer_id": str(event.consumer_id),
                "merchant_id": str(event.merchant_id),
                "currency": str(field(event.terms, "currency", "CNY")),
                "status": status_after(event, None),
            }
        if known is None:
            raise ValueError(
                f"{name} of case {event.originator_id} before its Opened event "
                f"(notification {notification_id})"
            )
        return {**known, "status": status_after(event, str(known["status"]))}

    def _write(
        self,
        tx: DbConnection,
        new: Sequence[Mapping[str, Any]],
        changed: Sequence[Mapping[str, Any]],
    ) -> None:
        if new:
            tx.executemany(
                "INSERT INTO notify_cases (case_id, case_no, kind, consumer_id, merchant_id, "
                "currency, status) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        c["case_id"],
                        c["case_no"],
                        c["kind"],
                        c["consumer_id"],
                        c["merchant_id"],
                        c["currency"],
                        c["status"],
                    )
                    for c in new
                ],
            )
        if changed:
            tx.executemany(
                "UPDATE notify_cases SET status = ? WHERE case_id = ?",
                [(c["status"], c["case_id"]) for c in changed],
            )

    def _notices(
        self, event: Any, name: str, case: Mapping[str, Any], position: int
    ) -> list[tuple[Any, ...]]:
        """The notices one event gives (rows for ``_INSERT``; nothing written)."""
        rows: list[tuple[Any, ...]] = []
        actor_role = Role(text(event.actor.role))
        deadlines = [
            d for d in deadline_dicts(getattr(event, "deadlines", ())) if not d["breached"]
        ]
        marked = bool(getattr(event, "internal", False))
        roles = audience(
            name,
            actor_role=actor_role,
            marked_internal=marked,
            kind=CaseKind(case["kind"]),
            status=Status(case["status"]),
            deadline_parties=[d["party"] for d in deadlines],
        )
        kind = notice_kind(name)
        nxt = next_deadline(deadlines)
        details = {
            **details_of(event),
            "reason": _reason(name, event),
            "currency": case["currency"],
            "internal": is_internal(name, marked),
            "next": dict(nxt) if nxt else None,
        }
        source = f"{case['case_id']}@{int(event.originator_version)}"
        for role in sorted(roles):
            clocks = [d["name"] for d in deadlines if d["party"] == role.value]
            if name == "SlaBreached" and text(event.party) == role.value:
                clocks.append(text(event.clock))
            party = party_of(role, consumer_id=case["consumer_id"], merchant_id=case["merchant_id"])
            rows.append(
                (
                    notice_id(source, party),
                    source,
                    position,
                    party,
                    kind.value,
                    case["case_no"],
                    case["kind"],
                    case["merchant_id"],
                    name,
                    step_code(name),
                    actor_role.value,
                    case["status"],
                    str(event.rule),
                    ts(event.at),
                    dumps(details),
                    int(role is actor_role),
                    int(is_locked(role, clocks)),
                    ts(event.timestamp),
                )
            )
        return rows


def add_reminders(db: Database, now: datetime, clocks: Iterable[Clock] | None = None) -> int:
    """Insert the deadline reminders due at ``now`` (R12: the merchant 30 minutes before its
    decision deadline; R13: the consumer a day before its return-shipping window closes), read
    from the queue projection's open, unbreached deadlines. Idempotent: one notice per (case,
    clock, due time, party). Returns how many were new."""
    wanted = [REMINDERS[c] for c in (clocks or REMINDERS)]
    added = 0
    with db.transaction() as tx:
        for reminder in wanted:
            rows = tx.execute(
                "SELECT q.case_no, q.clock, q.due_at, q.rule, q.status, q.kind, q.merchant_id, "
                "q.consumer_id FROM queue_items q WHERE q.clock = ? AND q.breached = 0 "
                "AND q.due_at IS NOT NULL AND q.due_at > ?",
                (reminder.clock.value, ts(now)),
            ).fetchall()
            for row in rows:
                due = parse_ts(row["due_at"])
                if now < due - reminder.lead:
                    continue
                party = party_of(
                    reminder.party, consumer_id=row["consumer_id"], merchant_id=row["merchant_id"]
                )
                source = f"reminder:{row['case_no']}:{row['clock']}:{row['due_at']}"
                details = {"clock": row["clock"], "due_at": row["due_at"], "rule": reminder.rule}
                added += tx.execute(
                    _INSERT,
                    (
                        notice_id(source, party),
                        source,
                        0,
                        party,
                        NoticeKind.DEADLINE.value,
                        row["case_no"],
                        row["kind"],
                        row["merchant_id"],
                        "",
                        "reminder",
                        Role.SYSTEM.value,
                        row["status"],
                        reminder.rule,
                        row["due_at"],
                        dumps(details),
                        0,
                        int(is_locked(reminder.party, [row["clock"]])),
                        ts(now),
                    ),
                ).rowcount
    return added


PROJECTIONS = (OutboxProjection,)
"""For :mod:`projections.registry`."""
