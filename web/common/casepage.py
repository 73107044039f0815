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

Codes in words come from ``web.common.labels``, a step's label and facts from
``web.common.step_text``; the evidence download route is ``web.pages.case``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import abort, current_app, g, has_request_context, url_for
from flask_babel import gettext
from werkzeug.routing import BuildError

from domain.case_values import Status
from domain.values import Role
from projections.labels import DEADLINE_OUTCOME_LABELS
from projections.timeline import CaseSummary, TimelineStep, case_summary, timeline
from web import get_db
from web.common.auth import current_account, ensure_can_see_case
from web.common.formats import money, size_text
from web.common.labels import (
    CLOSE_OUTCOME_LABELS,
    RESPONSIBILITY_LABELS,
    SYSTEM_LABEL,
    actor_role_label,
    clock_label,
    kind_label,
    label_of,
    party_label,
    queue_text,
    reason_label,
    status_label,
)
from web.common.step_text import step_amounts, step_facts, step_label

# --- rules page -----------------------------------------------------------------------------

#: Endpoints that may show the policy text (web.pages.public); the first that exists is linked,
#: with the rule id as the anchor.
RULES_ENDPOINTS: tuple[str, ...] = ("public.rules", "public.policy", "public.index")


def rule_url(rule: str | None) -> str | None:
    """A link to ``rule`` on the public rules page, or None when there is no such page (built
    once per rule and request: a timeline links the same few rules on every step, issue 12)."""
    if not rule:
        return None
    if not has_request_context():
        return _rule_url(rule)
    built: dict[str, str | None] = g.setdefault("_aftersales_rule_urls", {})
    if rule not in built:
        built[rule] = _rule_url(rule)
    return built[rule]


def _rule_url(rule: str) -> str | None:
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
    component: str = "unit"  # R5: the part the consumer named as faulty ("unit": the whole unit)

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
        return label_of(CLOSE_OUTCOME_LABELS, self.summary.outcome or None)

    @property
    def responsibility_label(self) -> str:
        return label_of(RESPONSIBILITY_LABELS, self.summary.responsibility)

    @property
    def is_open(self) -> bool:
        return not Status(self.summary.status).is_terminal  # the domain says which end

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


def _outcome_label(outcome: str | None) -> str:
    """``label_of`` the translated outcome labels, translating only the one shown (issue 12)."""
    if outcome is None:
        return ""
    text = DEADLINE_OUTCOME_LABELS.get(outcome)
    return str(gettext(text)) if text is not None else outcome


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
            outcome_label=_outcome_label(c.outcome),
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
        amounts=step_amounts(step, summary.currency),
        facts=step_facts(step),
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
        component=str(opened.details.get("component") or "unit") if opened else "unit",
    )
