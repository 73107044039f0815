"""Queries over the case timeline and summary (written by :mod:`projections.timeline`): a case's
steps, one case's summary and the one filtered list behind every list of cases.

A summary carries what the last event said: the status, the moves each role may make now
(``allowed``: None when the event did not say, a case last changed by an upcast version 1 event;
then ask the domain, ``Case.allowed_moves``) and both R3 refund clocks (the policy's working days
after approval and the statutory 7 natural days from the goods' delivery back: the earlier wins).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from domain.case_values import Status
from projections.db import Database, parse_ts

__all__ = [
    "CaseState",
    "CaseSummary",
    "ClosedDeadline",
    "TimelineStep",
    "case_summaries",
    "case_summary",
    "summary_of_row",
    "timeline",
]


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
    status: str  # the case's status after this step, as its event said
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
        status=row["status"],
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
    allowed: dict[str, list[str]] | None
    """Role -> the moves (``domain.process.Move`` values) the domain allows now, as the last
    event said; None when it did not say (an upcast version 1 event): ask the domain."""
    refund_working_due_at: datetime | None
    """R3: the policy's working days after the refund's approval (None before approval)."""
    refund_statutory_due_at: datetime | None
    """R3, Law art. 13: 7 natural days from the goods' delivery back to the merchant, ending 24:00
    of the 7th day (None when no return was delivered back)."""

    def moves_for(self, role: str) -> tuple[str, ...] | None:
        """The moves ``role`` may make now, or None when unknown (ask the domain)."""
        if self.allowed is None:
            return None
        return tuple(self.allowed.get(role, ()))

    @property
    def refund_due_at(self) -> datetime | None:
        """The refund's deadline: the earlier of both R3 clocks (both hold)."""
        dues = [d for d in (self.refund_working_due_at, self.refund_statutory_due_at) if d]
        return min(dues) if dues else None

    @property
    def refund_due_clock(self) -> str | None:
        """Which R3 clock is the earlier: ``statutory_refund`` or ``refund_payment`` (the
        working days); None when neither is known. Equal times: the statutory one."""
        if self.refund_statutory_due_at is None:
            return "refund_payment" if self.refund_working_due_at else None
        if self.refund_working_due_at and self.refund_working_due_at < self.refund_statutory_due_at:
            return "refund_payment"
        return "statutory_refund"


def _opt_ts(value: Any) -> datetime | None:
    return parse_ts(value) if value else None


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
        allowed=json.loads(row["allowed"]) if row["allowed"] is not None else None,
        refund_working_due_at=_opt_ts(row["refund_working_due_at"]),
        refund_statutory_due_at=_opt_ts(row["refund_statutory_due_at"]),
    )


def summary_of_row(row: Any) -> CaseSummary:
    """A ``case_summary`` row (read by a query of another module, such as a join) as a summary."""
    return _summary(row)


def case_summary(db: Database, case_no: str) -> CaseSummary | None:
    """The summary row of one case, or None."""
    with db.connect() as conn:
        row = conn.execute("SELECT * FROM case_summary WHERE case_no = ?", (case_no,)).fetchone()
    return None if row is None else _summary(row)


CaseState = Literal["open", "ended", "all"]
# The domain says which states end a case.
_ENDED = tuple(sorted(status.value for status in Status if status.is_terminal))


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
        marks = ", ".join("?" for _ in _ENDED)
        where.append(f"status NOT IN ({marks})" if state == "open" else f"status IN ({marks})")
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


def opened_lines(db: Database, case_nos: Sequence[str]) -> dict[str, list[dict[str, Any]]]:
    """Each case's lines as its opening recorded them (title, quantity, paid), for lists that
    name the product (issue 11 item 7)."""
    wanted = sorted(set(case_nos))
    if not wanted:
        return {}
    marks = ", ".join("?" for _ in wanted)
    with db.connect() as conn:
        rows = conn.execute(
            f"SELECT case_no, details FROM timeline_steps WHERE step = 'opened' "
            f"AND case_no IN ({marks})",
            wanted,
        ).fetchall()
    out: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        details = row["details"]
        data = json.loads(details) if isinstance(details, str) else dict(details or {})
        out[str(row["case_no"])] = list(data.get("lines") or [])
    return out
