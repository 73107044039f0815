"""The replay viewer's model (R10, R21): every step of a case with its stored hash, and the case
*as it was* after step N, rebuilt from its events (``AfterSales.get_case(no, version=N)``): the
one place where the web loads an aggregate on purpose (docs/architecture.md), because a read
model only knows the present."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import url_for
from werkzeug.routing import BuildError

from domain.case import Case
from domain.case_values import RefundPlan, Ruling
from domain.errors import DomainError
from domain.terms import PolicyTerms
from domain.values import Role
from projections.timeline import TimelineStep
from web.common.casepage import rule_url
from web.common.formats import money, size_text
from web.common.labels import (
    CLOSE_OUTCOME_LABELS,
    RESPONSIBILITY_LABELS,
    RULING_LABELS,
    actor_role_label,
    clock_label,
    kind_label,
    party_label,
    status_label,
    tender_label,
)
from web.common.step_text import step_label
from web.common.translate import gettext
from web.pages.arbitrator.base import log
from web.pages.arbitrator.chain import ChainView
from web.pages.arbitrator.terms import TermRow, term_rows
from web.services import get_service

# --- the replay -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplayStep:
    version: int
    label: str
    step: TimelineStep | None  # None: the read model has not caught up with this event yet
    actor_name: str
    actor_role_label: str
    stored_hash: str | None
    hash_state: str  # match | differs | unreadable | missing_row
    chain_state: str  # ok | broken | after_break


@dataclass(frozen=True)
class EvidenceItem:
    sha256: str
    name: str
    media_type: str
    size_text: str
    version: int | None  # the step that put it on the record
    by: str
    url: str | None = None


@dataclass
class AsOf:
    """The case as it was after ``version``, rebuilt from its events."""

    version: int
    case: Case | None
    error: str = ""
    updated_at: datetime | None = None
    lines: list[dict[str, Any]] = field(default_factory=list)
    deadlines: list[dict[str, Any]] = field(default_factory=list)
    refund: dict[str, Any] | None = None
    ruling: dict[str, Any] | None = None
    facts: list[tuple[str, str]] = field(default_factory=list)
    evidence: list[EvidenceItem] = field(default_factory=list)
    terms: list[TermRow] = field(default_factory=list)
    policy_version: int | None = None
    policy_published_at: datetime | None = None
    policy_summary: str = ""


def plan_view(plan: RefundPlan) -> dict[str, Any]:
    currency = plan.currency
    return {
        "goods": money(plan.goods_fen, currency),
        "shipping": money(plan.shipping_fen, currency),
        "total": money(plan.total_fen, currency),
        "cap": money(plan.cap_fen, currency),
        "return_leg_payer": party_label(plan.return_leg_payer.value),
        "outbound_leg_payer": party_label(plan.outbound_leg_payer.value),
        "split": [
            {
                "kind": tender_label(part.kind.value),
                "amount": money(part.amount_fen, currency),
                "in_kind": part.in_kind,
            }
            for part in plan.split
        ],
    }


def ruling_view(ruling: Ruling, currency: str) -> dict[str, Any]:
    return {
        "outcome": ruling.outcome.value,
        "outcome_label": str(RULING_LABELS.get(ruling.outcome.value, ruling.outcome.value)),
        "refund": money(ruling.refund_fen, currency) if ruling.refund_fen else "",
        "refund_fen": ruling.refund_fen,
        "compensation": money(ruling.compensation_fen, currency) if ruling.compensation_fen else "",
        "compensation_fen": ruling.compensation_fen,
        "return_required": ruling.return_required,
    }


def label_of(table: Mapping[str, Any], code: Any) -> str:
    if code is None or code == "":
        return ""
    key = getattr(code, "value", code)
    text = table.get(str(key))
    return str(text) if text is not None else str(key)


def rebuild(
    case_no: str, version: int, steps: Sequence[TimelineStep], names: Mapping[Any, str]
) -> AsOf:
    """The state of the case after ``version``, from its events alone."""
    service = get_service()
    try:
        case = service.get_case(case_no, version=version)
    except Exception as error:  # an altered or unreadable event stops the rebuild here
        log.warning("case %s cannot be rebuilt at version %s: %r", case_no, version, error)
        return AsOf(version, None, error=f"{type(error).__name__}: {error}")
    currency = case.currency
    state = AsOf(version, case, updated_at=case.updated_at)
    state.lines = line_rows(case)
    state.deadlines = deadline_rows(case)
    state.refund = plan_view(case.refund) if case.refund is not None else None
    state.ruling = ruling_view(case.ruling, currency) if case.ruling is not None else None
    state.facts = case_facts(case)
    state.evidence = evidence_items(case, version, steps, names)
    _add_policy(state, case)
    return state


def line_rows(case: Case) -> list[dict[str, Any]]:
    currency = case.currency
    return [
        {
            "line_no": line.line_no,
            "title": line.title,
            "sku": line.sku,
            "category": line.category,
            "quantity": line.quantity,
            "line_quantity": line.line_quantity,
            "paid": money(line.paid_fen, currency),
            "tenders": ", ".join(
                f"{tender_label(tender.kind.value)} {money(tender.amount_fen, currency)}"
                for tender in line.tenders
            ),
        }
        for line in case.lines
    ]


def deadline_rows(case: Case) -> list[dict[str, Any]]:
    return [
        {
            "label": clock_label(d.name.value),
            "due_at": d.due_at,
            "rule": d.rule,
            "rule_url": rule_url(d.rule),
            "party": party_label(d.party.value),
            "breached": d.breached,
            "provisional": d.provisional,
        }
        for d in sorted(case.deadlines.values(), key=lambda d: d.due_at)
    ]


def case_facts(case: Case) -> list[tuple[str, str]]:
    """The case's state in words: status, kind, and each fact it has so far."""
    currency = case.currency
    facts: list[tuple[str, str]] = [
        (gettext("Status"), status_label(case.status.value)),
        (gettext("Type"), kind_label(case.kind.value)),
    ]
    if case.responsibility is not None:
        facts.append(
            (gettext("Responsibility (R14)"), label_of(RESPONSIBILITY_LABELS, case.responsibility))
        )
    if case.return_shipment is not None:
        facts.append(
            (
                gettext("Return shipment (R13)"),
                f"{case.return_shipment.carrier} {case.return_shipment.tracking_no}",
            )
        )
    if case.compensation_fen:
        paid = gettext("paid") if case.compensation_paid else gettext("not paid yet")
        facts.append(
            (gettext("Compensation (R14)"), f"{money(case.compensation_fen, currency)} · {paid}")
        )
    if case.refund is not None:
        facts.append(
            (
                gettext("Refund paid"),
                gettext("yes") if case.refund_paid else gettext("not yet"),
            )
        )
    if case.complaint_open:
        facts.append((gettext("Complaint (R9)"), gettext("open")))
    if case.breaches:
        facts.append(
            (
                gettext("Deadlines missed (R12.a)"),
                "、".join(clock_label(name) for name in case.breaches),
            )
        )
    if case.outcome and case.status.is_terminal:
        facts.append((gettext("Outcome"), label_of(CLOSE_OUTCOME_LABELS, case.outcome)))
    if case.rating is not None:
        facts.append((gettext("Rating (R18)"), gettext("%(score)s of 5", score=case.rating)))
    return facts


def evidence_items(
    case: Case, version: int, steps: Sequence[TimelineStep], names: Mapping[Any, str]
) -> list[EvidenceItem]:
    """Evidence on the record up to ``version``, each with the step that added it."""
    first_seen: dict[str, TimelineStep] = {}
    for step in steps:
        if step.version > version:
            break
        for item in step.evidence:
            first_seen.setdefault(str(item["sha256"]), step)
    items = []
    for evidence in case.evidence:
        seen = first_seen.get(evidence.sha256)
        items.append(
            EvidenceItem(
                sha256=evidence.sha256,
                name=evidence.name,
                media_type=evidence.media_type,
                size_text=size_text(evidence.size),
                version=seen.version if seen else None,
                by=actor_name(seen, names) if seen else "",
                url=evidence_url(evidence.sha256),
            )
        )
    return items


def _add_policy(state: AsOf, case: Case) -> None:
    """The policy the case is judged by (R19): the version in force when the order was placed,
    made more generous term by term by later versions."""
    state.policy_version = case.policy_version
    published: PolicyTerms | None = None
    try:
        policy = get_service().get_policy(case.merchant_id)
        match = [v for v in policy.versions if v.number == case.policy_version]
        if match:
            published = match[0].terms
            state.policy_published_at = match[0].published_at
            state.policy_summary = match[0].summary
    except DomainError:
        published = None
    state.terms = term_rows(case.terms, published)


def evidence_url(sha256: str) -> str | None:
    """The download link of an evidence file (``case.evidence``), when that route exists."""
    try:
        return url_for("case.evidence", sha256=sha256)
    except BuildError:
        return None


def actor_name(step: TimelineStep, names: Mapping[Any, str]) -> str:
    if step.actor_role == Role.SYSTEM.value:
        return actor_role_label(step.actor_role)
    return names.get((step.actor_role, step.actor_id)) or (
        f"{actor_role_label(step.actor_role)} {step.actor_id}"
    )


def replay_steps(
    steps: Sequence[TimelineStep],
    hashes: Mapping[int, str | None],
    chain: ChainView,
    names: Mapping[Any, str],
    currency: str,
) -> list[ReplayStep]:
    by_version = {s.version: s for s in steps}
    out = []
    for version in sorted(set(hashes) | set(by_version)):
        step = by_version.get(version)
        stored = hashes.get(version)
        if step is None:
            hash_state = "missing_row"
        elif version not in hashes:
            hash_state = "missing_event"
        elif stored is None:
            hash_state = "unreadable"
        else:
            hash_state = "match" if stored == step.event_hash else "differs"
        if chain.break_version is None or version < chain.break_version:
            chain_state = "ok"
        elif version == chain.break_version:
            chain_state = "broken"
        else:
            chain_state = "after_break"
        out.append(
            ReplayStep(
                version=version,
                label=step_label(step, currency)
                if step
                else gettext("Step not in the read model yet"),
                step=step,
                actor_name=actor_name(step, names) if step else "",
                actor_role_label=actor_role_label(step.actor_role) if step else "",
                stored_hash=stored,
                hash_state=hash_state,
                chain_state=chain_state,
            )
        )
    return out
