"""The case page every audience shares (R21, P1, P4): summary, every step, the open deadlines.

A view module builds a :class:`CaseView` and includes the partials::

    from web.common.casepage import load_case_view

    view = load_case_view(case_no, include_internal=True)   # 404 unless the viewer may see it
    return render_template("agent/case.html", view=view)

    {% include "case/_header.html" %}      {# needs ``view`` #}
    {% include "case/_timeline.html" %}    {# needs ``view`` #}

Everything the partials show is prepared here (translated labels, display names, amounts as
``¥x.xx``, evidence links), so they need no filter beyond the app's ``|localtime`` and
``countdown``. Only rows are read (projections.timeline): no aggregate is loaded.

The evidence download route ``/evidence/<sha256>`` (blueprint ``case``) serves a file to anyone
who may see a case carrying it; everyone else gets 404. ``web.consumer`` registers the blueprint.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import Blueprint, abort, current_app, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from werkzeug.routing import BuildError

from domain.values import Role
from projections.labels import (
    CLOCK_LABELS,
    DEADLINE_OUTCOME_LABELS,
    STEP_LABELS,
    queue_label,
)
from projections.timeline import CaseSummary, TimelineStep, case_summary, timeline
from web import get_db
from web.common.auth import (
    case_scope,
    current_account,
    ensure_can_see_case,
    login_required,
    role_label,
)

__all__ = [
    "CLOSE_OUTCOME_LABELS",
    "KIND_LABELS",
    "REASON_LABELS",
    "RESPONSIBILITY_LABELS",
    "RULING_LABELS",
    "STATUS_LABELS",
    "CaseView",
    "DeadlineView",
    "EvidenceView",
    "StepView",
    "bp",
    "cases_carrying",
    "clock_label",
    "kind_label",
    "load_case_view",
    "money",
    "party_label",
    "queue_text",
    "reason_label",
    "rule_url",
    "status_label",
]

# --- labels ---------------------------------------------------------------------------------

KIND_LABELS: dict[str, Any] = {
    "return_refund": _l("Return and refund"),
    "refund_only": _l("Refund only"),
    "exchange": _l("Exchange"),
    "repair": _l("Repair"),
    "complaint": _l("Complaint"),
}

REASON_LABELS: dict[str, Any] = {
    "no_reason": _l("No reason needed (7-day return)"),
    "quality_defect": _l("Quality problem"),
    "wrong_item": _l("Wrong item sent"),
    "transport_damage": _l("Damaged in transit"),
    "not_delivered": _l("Not delivered"),
    "missing_item": _l("Item missing from the parcel"),
    "user_damage": _l("Damage I caused (paid repair)"),
    "service": _l("The merchant's service"),
}

STATUS_LABELS: dict[str, Any] = {
    "requested": _l("Waiting for the merchant's decision"),
    "rejected": _l("Rejected"),
    "awaiting_return": _l("Waiting for the goods to be shipped back"),
    "return_in_transit": _l("Goods on their way back"),
    "return_delivered": _l("Returned goods delivered to the merchant"),
    "received": _l("Merchant received the goods"),
    "inspection_failed": _l("Inspection found damage"),
    "awaiting_refund": _l("Waiting for refund approval"),
    "refund_approved": _l("Refund on its way"),
    "refund_failed": _l("Refund payment failed"),
    "awaiting_exchange": _l("Waiting for the replacement"),
    "awaiting_quote_answer": _l("Waiting for your answer to the repair quote"),
    "repairing": _l("Being repaired"),
    "returning_unrepaired": _l("Goods being returned unrepaired"),
    "complaint_open": _l("Complaint waiting for the platform"),
    "complaint_answered": _l("Complaint answered, handling opinion due"),
    "opinion_given": _l("Handling opinion given"),
    "in_arbitration": _l("In arbitration"),
    "ruled": _l("Ruled: the ruling is being carried out"),
    "closed": _l("Closed"),
    "withdrawn": _l("Withdrawn"),
}

RESPONSIBILITY_LABELS: dict[str, Any] = {
    "product_defect": _l("product defect"),
    "transport_damage": _l("damaged in transport"),
    "user_damage": _l("damage caused by the user"),
    "no_fault": _l("no fault found"),
}

RULING_LABELS: dict[str, Any] = {
    "refund": _l("refund"),
    "exchange": _l("exchange"),
    "repair": _l("repair"),
    "compensation": _l("compensation"),
    "dismissed": _l("dismissed"),
}

CLOSE_OUTCOME_LABELS: dict[str, Any] = {
    "refunded": _l("refunded"),
    "repaired": _l("repaired"),
    "returned_unrepaired": _l("returned unrepaired"),
    "exchanged": _l("exchanged"),
    "not_shipped": _l("goods not shipped back in time"),
    "dismissed": _l("dismissed"),
    "compensated": _l("compensated"),
    "rejected": _l("rejected"),
    "withdrawn": _l("withdrawn"),
    "inspection_failed": _l("inspection found damage"),
}

PARTY_LABELS: dict[str, Any] = {
    "consumer": _l("the consumer"),
    "merchant": _l("the merchant"),
    "platform_agent": _l("the platform"),
    "platform": _l("the platform"),
    "arbitrator": _l("the arbitrator"),
    "finance": _l("platform finance"),
    "system": _l("the system"),
}

SYSTEM_LABEL = _l("System")

TENDER_LABELS: dict[str, Any] = {
    "card": _l("bank card"),
    "wallet": _l("wallet balance"),
    "points": _l("points"),
    "coupon": _l("coupon"),
}


def _label(table: Mapping[str, Any], code: str | None) -> str:
    if code is None:
        return ""
    text = table.get(code)
    return str(text) if text is not None else code


def kind_label(code: str) -> str:
    return _label(KIND_LABELS, code)


def reason_label(code: str) -> str:
    return _label(REASON_LABELS, code)


def status_label(code: str) -> str:
    return _label(STATUS_LABELS, code)


def party_label(code: str | None) -> str:
    return _label(PARTY_LABELS, code)


def clock_label(code: str | None) -> str:
    if code is None:
        return ""
    text = CLOCK_LABELS.get(code)
    return gettext(text) if text is not None else code


def queue_text(queue: str) -> str:
    """A queue's name in words (``merchant:m1`` -> "Store m1"); labels use ``{name}`` fields."""
    text, values = queue_label(queue)
    return str(gettext(text)).format_map(_Missing(values))


def actor_role_label(role: str) -> str:
    if role == Role.SYSTEM.value:
        return str(SYSTEM_LABEL)
    return str(role_label(role))


# --- money, sizes, hashes ---------------------------------------------------------------------

_CURRENCY_SIGNS = {"CNY": "¥", "RMB": "¥"}


def money(fen: int | None, currency: str = "CNY") -> str:
    """``¥12.34`` from 1234 fen (integer arithmetic only); ``-¥0.50``; other currencies by code."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    yuan, rest = divmod(abs(int(fen)), 100)
    symbol = _CURRENCY_SIGNS.get(currency)
    if symbol is None:
        return f"{sign}{yuan:,}.{rest:02d} {currency}"
    return f"{sign}{symbol}{yuan:,}.{rest:02d}"


def size_text(size: int) -> str:
    """``812 B``, ``3.4 KB``, ``1.2 MB`` (one decimal, integer arithmetic)."""
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            tenths = (size * 10 + scale // 2) // scale
            whole, decimal = divmod(tenths, 10)
            return f"{whole}.{decimal} {unit}"
    return f"{size} B"


# --- rules page -----------------------------------------------------------------------------

#: Endpoints that may show the policy text (web.public, written by a colleague); the first that
#: exists is linked, with the rule id as the anchor.
RULES_ENDPOINTS: tuple[str, ...] = ("public.rules", "public.policy", "public.index")


def rule_url(rule: str | None) -> str | None:
    """A link to ``rule`` on the public rules page, or None when there is no such page."""
    if not rule:
        return None
    for endpoint in RULES_ENDPOINTS:
        if endpoint in current_app.view_functions:
            try:
                return url_for(endpoint, _anchor=rule)
            except BuildError:
                continue
    return None


# --- the view -------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceView:
    sha256: str
    short: str
    name: str
    media_type: str
    size: int
    size_text: str
    url: str | None


@dataclass(frozen=True)
class ClosedView:
    label: str
    rule: str
    due_at: datetime
    met: bool | None
    outcome: str
    outcome_label: str


@dataclass(frozen=True)
class DeadlineView:
    name: str
    label: str
    due_at: datetime
    rule: str
    rule_url: str | None
    party: str
    party_label: str
    breached: bool
    provisional: bool
    open: bool  # still running now (shown with a live countdown)


@dataclass(frozen=True)
class StepView:
    step: TimelineStep
    label: str
    actor_name: str
    actor_role_label: str
    rule_url: str | None
    evidence: list[EvidenceView]
    closed: list[ClosedView]
    next_deadline: DeadlineView | None
    amounts: list[tuple[str, str]]  # (label, ¥x.xx) worth showing beside the label
    facts: list[tuple[str, str]]  # other details (carrier, tracking number, outcome ...)

    @property
    def met_badge(self) -> str | None:
        """``met`` / ``missed`` for the previous deadline, None when no deadline ended here."""
        if self.step.deadline_met is None:
            return "missed" if any(c.outcome == "missed" for c in self.closed) else None
        return "met" if self.step.deadline_met else "missed"


@dataclass(frozen=True)
class TriageView:
    kind: str
    kind_label: str
    confidence_pct: int
    queue: str
    queue_label: str
    words: str
    at: datetime


@dataclass
class CaseView:
    summary: CaseSummary
    steps: list[StepView]
    deadlines: list[DeadlineView]
    names: dict[tuple[str, str], str]
    include_internal: bool
    triage: TriageView | None = None
    lines: list[dict[str, Any]] = field(default_factory=list)

    @property
    def case_no(self) -> str:
        return self.summary.case_no

    @property
    def kind_label(self) -> str:
        return kind_label(self.summary.kind)

    @property
    def status_label(self) -> str:
        return status_label(self.summary.status)

    @property
    def reason_label(self) -> str:
        return reason_label(self.summary.reason_code)

    @property
    def outcome_label(self) -> str:
        return _label(CLOSE_OUTCOME_LABELS, self.summary.outcome or None)

    @property
    def responsibility_label(self) -> str:
        return _label(RESPONSIBILITY_LABELS, self.summary.responsibility)

    @property
    def is_open(self) -> bool:
        return self.summary.status not in ("closed", "withdrawn")

    @property
    def next_deadline(self) -> DeadlineView | None:
        running = [d for d in self.deadlines if not d.breached]
        return running[0] if running else None

    def money(self, fen: int | None) -> str:
        return money(fen, self.summary.currency)

    def name_of(self, role: str, party_id: str) -> str:
        return self.names.get((role, party_id)) or f"{actor_role_label(role)} {party_id}"


def display_names(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """``{(role, party_id): display_name}`` for the accounts among ``pairs``."""
    wanted = sorted({p for p in pairs if p[0] != Role.SYSTEM.value})
    if not wanted:
        return {}
    clauses = " OR ".join("(role = ? AND party_id = ?)" for _ in wanted)
    params = [value for pair in wanted for value in pair]
    with get_db().connect() as conn:
        rows = conn.execute(
            f"SELECT role, party_id, display_name FROM accounts WHERE {clauses}", params
        ).fetchall()
    return {(row["role"], row["party_id"]): row["display_name"] for row in rows}


def _evidence_url(sha256: str, endpoint: str) -> str | None:
    try:
        return url_for(endpoint, sha256=sha256)
    except BuildError:
        return None


def _evidence_views(items: Sequence[Mapping[str, Any]], endpoint: str) -> list[EvidenceView]:
    return [
        EvidenceView(
            sha256=str(e["sha256"]),
            short=str(e["sha256"])[:12],
            name=str(e["name"]),
            media_type=str(e["media_type"]),
            size=int(e["size"]),
            size_text=size_text(int(e["size"])),
            url=_evidence_url(str(e["sha256"]), endpoint),
        )
        for e in items
    ]


_AMOUNT_LABELS: dict[str, Any] = {
    "fee_fen": _l("Fee"),
    "amount_fen": _l("Amount"),
    "goods_fen": _l("Goods"),
    "shipping_fen": _l("Shipping"),
    "total_fen": _l("Total"),
    "cap_fen": _l("Refund cap (paid for these goods)"),
    "refund_fen": _l("Refund"),
    "compensation_fen": _l("Compensation"),
}

_FACT_LABELS: dict[str, Any] = {
    "carrier": _l("Carrier"),
    "tracking_no": _l("Tracking number"),
    "psp_reference": _l("Payment reference"),
    "return_leg_payer": _l("Return shipping paid by"),
    "outbound_leg_payer": _l("Original shipping paid by"),
    "queue": _l("Queue"),
    "classified_kind": _l("Classified as"),
    "confidence_pct": _l("Confidence"),
}


def _parameters(step: TimelineStep, currency: str) -> dict[str, Any]:
    """The label's ``{…}`` parameters: amounts as ``¥x.xx``, codes as words."""
    d = step.details
    params: dict[str, Any] = {
        "actor_role": actor_role_label(step.actor_role),
        "actor_id": step.actor_id,
        "rule": step.rule,
    }
    for key, value in d.items():
        if key.endswith("_fen") and isinstance(value, int):
            params[key] = money(value, currency)
        else:
            params[key] = value
    if "responsibility" in d:
        params["responsibility"] = _label(RESPONSIBILITY_LABELS, d["responsibility"])
    if step.step == "ruled":
        params["outcome"] = _label(RULING_LABELS, d.get("outcome"))
    elif step.step == "closed":
        params["outcome"] = _label(CLOSE_OUTCOME_LABELS, d.get("outcome"))
    if "clock" in d:
        params["clock"] = clock_label(d["clock"])
    if "queue" in d:
        params["queue"] = queue_text(str(d["queue"]))
    return params


class _Missing(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def step_label(step: TimelineStep, currency: str = "CNY") -> str:
    """The step in words, in the viewer's language, with its parameters filled in."""
    template = STEP_LABELS.get(step.step)
    if template is None:
        return step.step.replace("_", " ")
    return str(gettext(template)).format_map(_Missing(_parameters(step, currency)))


_FEE_STEPS = frozenset({"repair_quoted", "quote_accepted", "repair_completed"})


def _amounts(step: TimelineStep, currency: str) -> list[tuple[str, str]]:
    out = []
    for key, label in _AMOUNT_LABELS.items():
        value = step.details.get(key)
        if not isinstance(value, int) or isinstance(value, bool):
            continue
        # A zero fee is worth saying for a repair (free in warranty); other zeros are noise.
        if value or (key == "fee_fen" and step.step in _FEE_STEPS):
            out.append((str(label), money(value, currency)))
    for part in step.details.get("split", ()) or ():
        tender = _label(TENDER_LABELS, str(part.get("kind", "")))
        label = gettext("Paid back to %(tender)s", tender=tender)
        if part.get("in_kind"):
            label = gettext("Returned in kind as %(tender)s", tender=tender)
        out.append((label, money(int(part.get("amount_fen", 0)), currency)))
    return out


def _facts(step: TimelineStep) -> list[tuple[str, str]]:
    out = []
    for key, label in _FACT_LABELS.items():
        value = step.details.get(key)
        if value in (None, ""):
            continue
        if key in ("return_leg_payer", "outbound_leg_payer"):
            value = party_label(str(value))
        elif key == "classified_kind":
            value = kind_label(str(value))
        elif key == "confidence_pct":
            value = f"{value}%"
        elif key == "queue":
            value = queue_text(str(value))
        out.append((str(label), str(value)))
    if step.step == "repair_quoted" and "in_warranty" in step.details:
        out.append(
            (
                gettext("Warranty"),
                gettext("within warranty (R5)")
                if step.details["in_warranty"]
                else gettext("warranty over (R5)"),
            )
        )
    return out


def _deadline(
    d: Mapping[str, Any], open_now: set[tuple[str, str]], *, parse: bool = True
) -> DeadlineView:
    from projections.db import parse_ts

    due = parse_ts(d["due_at"]) if parse and isinstance(d["due_at"], str) else d["due_at"]
    return DeadlineView(
        name=str(d["name"]),
        label=clock_label(str(d["name"])),
        due_at=due,
        rule=str(d["rule"]),
        rule_url=rule_url(str(d["rule"])),
        party=str(d["party"]),
        party_label=party_label(str(d["party"])),
        breached=bool(d.get("breached", False)),
        provisional=bool(d.get("provisional", False)),
        open=(str(d["name"]), str(d["due_at"])) in open_now and not d.get("breached", False),
    )


def _step_view(
    step: TimelineStep,
    summary: CaseSummary,
    names: Mapping[tuple[str, str], str],
    open_now: set[tuple[str, str]],
    evidence_endpoint: str,
) -> StepView:
    role = step.actor_role
    if role == Role.SYSTEM.value:
        actor_name = str(SYSTEM_LABEL)
    else:
        actor_name = names.get((role, step.actor_id)) or f"{actor_role_label(role)} {step.actor_id}"
    closed = [
        ClosedView(
            label=clock_label(c.name),
            rule=c.rule,
            due_at=c.due_at,
            met=c.met,
            outcome=c.outcome,
            outcome_label=_label(
                {k: gettext(v) for k, v in DEADLINE_OUTCOME_LABELS.items()}, c.outcome
            ),
        )
        for c in step.deadlines_closed
    ]
    nxt = None
    if step.next_clock and step.next_due_at:
        raw = next(
            (d for d in step.deadlines if d["name"] == step.next_clock and not d["breached"]),
            None,
        )
        if raw is not None:
            nxt = _deadline(raw, open_now)
    return StepView(
        step=step,
        label=step_label(step, summary.currency),
        actor_name=actor_name,
        actor_role_label=actor_role_label(role),
        rule_url=rule_url(step.rule),
        evidence=_evidence_views(step.evidence, evidence_endpoint),
        closed=closed,
        next_deadline=nxt,
        amounts=_amounts(step, summary.currency),
        facts=_facts(step),
    )


def _triage(steps: Sequence[TimelineStep]) -> TriageView | None:
    routed = [s for s in steps if s.step == "routed"]
    if not routed:
        return None
    last = routed[-1]
    kind = str(last.details.get("classified_kind", ""))
    queue = str(last.details.get("queue", ""))
    return TriageView(
        kind=kind,
        kind_label=kind_label(kind),
        confidence_pct=int(last.details.get("confidence_pct", 0)),
        queue=queue,
        queue_label=queue_text(queue),
        words=last.reason,
        at=last.at,
    )


def internal_steps_visible_to(role: str | None) -> frozenset[str] | None:
    """P4: whose internal steps a viewer may read. Consumers: nobody's; merchant staff: their own
    store's notes only (never the platform's notes or routing); platform, arbitrators and finance:
    every internal step (``None``)."""
    if role in (Role.PLATFORM_AGENT.value, Role.ARBITRATOR.value, Role.FINANCE.value):
        return None
    if role == Role.MERCHANT.value:
        return frozenset({Role.MERCHANT.value})
    return frozenset()


def visible_steps(steps: list[TimelineStep], role: str | None = None) -> list[TimelineStep]:
    """``steps`` less the internal ones the viewer (default: the current account) may not read."""
    if role is None:
        account = current_account()
        role = account.role if account is not None else None
    allowed = internal_steps_visible_to(role)
    if allowed is None:
        return steps
    return [s for s in steps if not s.internal or s.actor_role in allowed]


def load_case_view(
    case_no: str,
    *,
    include_internal: bool,
    evidence_endpoint: str = "case.evidence",
) -> CaseView:
    """The case as the current person may see it; 404 when there is no such case or they may not
    see it (never 403: a stranger learns nothing). Consumers: ``include_internal=False`` (P4)."""
    db = get_db()
    summary = case_summary(db, case_no)
    if summary is None:
        abort(404)
    ensure_can_see_case(consumer_id=summary.consumer_id, merchant_id=summary.merchant_id)
    steps = visible_steps(timeline(db, case_no, include_internal=include_internal))
    pairs = {(s.actor_role, s.actor_id) for s in steps}
    pairs.add((Role.CONSUMER.value, summary.consumer_id))
    names = display_names(pairs)
    open_now = {(str(d["name"]), str(d["due_at"])) for d in summary.deadlines}
    deadlines = [_deadline(d, open_now) for d in summary.deadlines]
    views = [_step_view(s, summary, names, open_now, evidence_endpoint) for s in steps]
    opened = next((s for s in steps if s.step == "opened"), None)
    lines: list[dict[str, Any]] = []
    if opened is not None:
        for line in opened.details.get("lines", ()):
            lines.append({**line, "paid": money(int(line["paid_fen"]), summary.currency)})
    return CaseView(
        summary=summary,
        steps=views,
        deadlines=deadlines,
        names=names,
        include_internal=include_internal,
        triage=_triage(steps) if include_internal else None,
        lines=lines,
    )


# --- evidence download ----------------------------------------------------------------------


def cases_carrying(sha256: str, scope: Mapping[str, str] | None = None) -> list[str]:
    """The case numbers among ``scope`` (``web.auth.case_scope``) whose visible steps carry the
    evidence ``sha256``. Consumers do not reach evidence only on internal steps (P4)."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        return []
    scope = dict(scope or {})
    sql = (
        "SELECT DISTINCT t.case_no FROM timeline_steps t "
        "JOIN case_summary s ON s.case_no = t.case_no WHERE t.evidence LIKE ?"
    )
    params: list[Any] = [f'%"sha256":"{sha256}"%']
    for column in ("consumer_id", "merchant_id"):
        if column in scope:
            sql += f" AND s.{column} = ?"
            params.append(scope[column])
    if "consumer_id" in scope:
        sql += " AND t.internal = 0"
    with get_db().connect() as conn:
        rows = conn.execute(sql + " ORDER BY t.case_no", params).fetchall()
    # The LIKE is a prefilter; make sure the hash really is an item's sha256.
    return [row["case_no"] for row in rows if _carries(row["case_no"], sha256, scope)]


def _carries(case_no: str, sha256: str, scope: Mapping[str, str]) -> bool:
    sql = "SELECT evidence FROM timeline_steps WHERE case_no = ?"
    if "consumer_id" in scope:
        sql += " AND internal = 0"
    with get_db().connect() as conn:
        rows = conn.execute(sql, (case_no,)).fetchall()
    return any(item.get("sha256") == sha256 for row in rows for item in json.loads(row["evidence"]))


def evidence_meta(sha256: str, case_no: str) -> dict[str, Any] | None:
    with get_db().connect() as conn:
        rows = conn.execute(
            "SELECT evidence FROM timeline_steps WHERE case_no = ? ORDER BY version", (case_no,)
        ).fetchall()
    for row in rows:
        for item in json.loads(row["evidence"]):
            if item.get("sha256") == sha256:
                return dict(item)
    return None


def send_evidence(sha256: str) -> ResponseReturnValue:
    """The stored file, for a person who may see a case carrying it; 404 for anyone else."""
    from web.common import evidence as store

    account = current_account()
    if account is None:
        abort(404)
    try:
        scope = case_scope(account)
    except PermissionError:
        abort(404)
    cases = cases_carrying(sha256, scope)
    if not cases:
        abort(404)
    meta = evidence_meta(sha256, cases[0]) or {}
    return store.send(
        sha256,
        name=str(meta.get("name") or sha256),
        media_type=str(meta.get("media_type") or "application/octet-stream"),
    )


def evidence(sha256: str) -> ResponseReturnValue:
    """``/evidence/<sha256>``: for every audience (consumers also have ``/my/evidence/...``)."""
    return send_evidence(sha256)


bp = Blueprint("case", __name__)
bp.add_url_rule("/evidence/<sha256>", "evidence", login_required()(evidence))
