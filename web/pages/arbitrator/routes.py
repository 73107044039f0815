"""Arbitrators' pages (R10): the cases waiting for a ruling, the ruled ones, and the replay viewer.

``/arbitration/`` lists the ``arbitration`` queue (cases IN_ARBITRATION) and the cases already
ruled.

``/arbitration/cases/<case_no>?version=N`` is the replay viewer: every step of the case, a slider
over its versions, and the state of the case *as it was* after step N. That state is rebuilt from
the events up to N (``AfterSales.get_case(no, version=N)``): the one place where the web loads an
aggregate on purpose (docs/architecture.md), because a read model only knows the present. Beside
it: the policy version the case is judged by, term by term (R19), the evidence on record up to N
with each item's SHA-256 (R21), and whether the case's hash chain verifies (``AfterSales.verify``),
each step's stored hash compared with the one the timeline recorded.

The ruling form (R10) posts to ``/arbitration/cases/<case_no>/rule``; amounts are typed in yuan
and parsed exactly to fen (:func:`parse_yuan`, never a float). After a ruling the page says it is
final and shows only the steps that carry it out.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from flask import Blueprint, abort, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _gettext
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext as _ngettext
from werkzeug.routing import BuildError

from domain import ids
from domain.case import Case
from domain.case_values import RefundPlan, Ruling, RulingOutcome
from domain.chain import ChainReport
from domain.errors import DomainError
from domain.terms import PolicyTerms
from domain.values import Role
from projections.labels import AWAITING_LABELS
from projections.queues import queue_counts, queue_page
from projections.timeline import TimelineStep, case_summaries, case_summary, timeline
from web import get_db
from web.common.actions import perform
from web.common.amounts import AmountError, amount_error_text, parse_yuan
from web.common.auth import add_nav_link, restrict_blueprint, set_audience_home
from web.common.casepage import display_names, rule_url
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
from web.services import get_service


def gettext(message: str, /, **values: Any) -> str:
    """Flask-Babel's ``gettext``, typed (the library is untyped)."""
    return str(_gettext(message, **values))


def ngettext(singular: str, plural: str, num: int, /, **values: Any) -> str:
    return str(_ngettext(singular, plural, num, **values))


log = logging.getLogger(__name__)

bp = Blueprint("arbitrator", __name__, url_prefix="/arbitration")
restrict_blueprint(bp, Role.ARBITRATOR)
add_nav_link(bp, "arbitrator.index", _l("Arbitration"), Role.ARBITRATOR, order=10)
set_audience_home(bp, Role.ARBITRATOR, "arbitrator.index")

PAGE_SIZE = 50
REASONING_MAX = 4000


# --- the policy a case is judged by (R19), term by term ------------------------------------

#: (term, label, rule) in the order policy.md presents them.
TERM_ROWS: tuple[tuple[str, Any, str], ...] = (
    ("categories", _l("Product categories covered"), "R11"),
    ("return_window_days", _l("No-reason return window"), "R1"),
    ("exclusions", _l("Goods excluded from no-reason return"), "R1.a"),
    ("free_return_shipping", _l("Return shipping"), "R2"),
    ("accept_hours", _l("Merchant accepts or rejects within"), "R12"),
    ("first_response_hours", _l("First response to a first application within"), "R12.a"),
    ("confirm_receipt_hours", _l("Merchant confirms receipt of returned goods within"), "R3"),
    ("refund_working_days", _l("Refund reaches the consumer within"), "R3"),
    ("consumer_ship_days", _l("Consumer ships an accepted return within"), "R13"),
    ("warranty_months", _l("Warranty of the whole unit"), "R5"),
    ("parts_warranty_months", _l("Warranty of listed parts and consumables"), "R5"),
    ("warranty_parts", _l("Parts with the short warranty"), "R5"),
    ("repair_response_hours", _l("Merchant responds to a repair request within"), "R5.a"),
    ("repair_fee_cap_fen", _l("Highest repair fee"), "R6"),
    ("after_sales_carrier", _l("After-sales carrier channel"), "R25"),
    ("notes", _l("Product limits shown before purchase"), "R23"),
    ("currency", _l("Currency"), "R3.a"),
)


@dataclass(frozen=True)
class TermRow:
    name: str
    label: str
    rule: str
    rule_url: str | None
    value: str
    from_later_version: bool  # R19: a later, more generous version set this term


def _term_value(name: str, terms: PolicyTerms) -> str:
    value = getattr(terms, name)
    if name == "categories":
        return "、".join(value) or "—"
    if name == "exclusions":
        if not value:
            return gettext("none")
        return "; ".join(f"{e.category}: {e.reason}" for e in value)
    if name == "warranty_parts":
        return "、".join(value) if value else gettext("none")
    if name == "notes":
        return "; ".join(f"{n.category}: {n.text}" for n in value) if value else gettext("none")
    if name == "free_return_shipping":
        if value:
            return gettext("the merchant pays every return leg")
        return gettext("first no-reason return: the consumer pays the return leg")
    if name == "repair_fee_cap_fen":
        return money(value, terms.currency) if value is not None else gettext("no cap")
    if name == "after_sales_carrier":
        return str(value) or gettext("none named")
    if name.endswith("_hours"):
        return ngettext("%(num)s hour", "%(num)s hours", int(value))
    if name == "refund_working_days":
        return ngettext("%(num)s working day", "%(num)s working days", int(value))
    if name.endswith("_days"):
        return ngettext("%(num)s day", "%(num)s days", int(value))
    if name.endswith("_months"):
        return ngettext("%(num)s month", "%(num)s months", int(value))
    return str(value)


def term_rows(terms: PolicyTerms, published: PolicyTerms | None) -> list[TermRow]:
    """The terms a case is judged by; ``published`` is the version in force at order time, to
    mark the terms a later, more generous version improved (R19 reading)."""
    known = {f.name for f in fields(PolicyTerms)}
    rows = []
    for name, label, rule in TERM_ROWS:
        if name not in known:
            continue
        rows.append(
            TermRow(
                name=name,
                label=str(label),
                rule=rule,
                rule_url=rule_url(rule),
                value=_term_value(name, terms),
                from_later_version=published is not None
                and getattr(published, name) != getattr(terms, name),
            )
        )
    return rows


# --- the event store: stored hashes ---------------------------------------------------------


def stored_hashes(case_no: str) -> dict[int, str | None]:
    """``{version: event_hash}`` of every stored event of the case, as the store gives them back
    (None where the stored bytes cannot be decoded)."""
    service = get_service()
    mapper = service.mapper
    out: dict[int, str | None] = {}
    for stored in service.recorder.select_events(ids.case_id(case_no)):
        digest: str | None = None
        try:
            data = stored.state
            if mapper.cipher:
                data = mapper.cipher.decrypt(data)
            if mapper.compressor:
                data = mapper.compressor.decompress(data)
            attributes = mapper.transcoder.decode(data)
            if isinstance(attributes, dict) and isinstance(attributes.get("event_hash"), str):
                digest = attributes["event_hash"]
        except Exception:  # an altered byte may make the state unreadable: that is the finding
            digest = None
        out[int(stored.originator_version)] = digest
    return out


@dataclass(frozen=True)
class ChainView:
    ok: bool
    events_checked: int
    head: str
    break_version: int | None
    break_problem: str


def chain_view(report: ChainReport) -> ChainView:
    brk = report.first_break
    return ChainView(
        ok=report.ok,
        events_checked=report.events_checked,
        head=report.head,
        break_version=brk.version if brk else None,
        break_problem=brk.problem if brk else "",
    )


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


def _plan_view(plan: RefundPlan) -> dict[str, Any]:
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


def _ruling_view(ruling: Ruling, currency: str) -> dict[str, Any]:
    return {
        "outcome": ruling.outcome.value,
        "outcome_label": str(RULING_LABELS.get(ruling.outcome.value, ruling.outcome.value)),
        "refund": money(ruling.refund_fen, currency) if ruling.refund_fen else "",
        "refund_fen": ruling.refund_fen,
        "compensation": money(ruling.compensation_fen, currency) if ruling.compensation_fen else "",
        "compensation_fen": ruling.compensation_fen,
        "return_required": ruling.return_required,
    }


def _label_of(table: Mapping[str, Any], code: Any) -> str:
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
    state.lines = [
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
    state.deadlines = [
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
    state.refund = _plan_view(case.refund) if case.refund is not None else None
    state.ruling = _ruling_view(case.ruling, currency) if case.ruling is not None else None
    facts: list[tuple[str, str]] = [
        (gettext("Status"), status_label(case.status.value)),
        (gettext("Type"), kind_label(case.kind.value)),
    ]
    if case.responsibility is not None:
        facts.append(
            (gettext("Responsibility (R14)"), _label_of(RESPONSIBILITY_LABELS, case.responsibility))
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
        facts.append((gettext("Outcome"), _label_of(CLOSE_OUTCOME_LABELS, case.outcome)))
    if case.rating is not None:
        facts.append((gettext("Rating (R18)"), gettext("%(score)s of 5", score=case.rating)))
    state.facts = facts
    # Evidence on the record up to this version, each with the step that added it.
    first_seen: dict[str, TimelineStep] = {}
    for step in steps:
        if step.version > version:
            break
        for item in step.evidence:
            first_seen.setdefault(str(item["sha256"]), step)
    for evidence in case.evidence:
        seen = first_seen.get(evidence.sha256)
        state.evidence.append(
            EvidenceItem(
                sha256=evidence.sha256,
                name=evidence.name,
                media_type=evidence.media_type,
                size_text=size_text(evidence.size),
                version=seen.version if seen else None,
                by=_actor_name(seen, names) if seen else "",
                url=_evidence_url(evidence.sha256),
            )
        )
    # The policy the case is judged by (R19): the version in force when the order was placed,
    # made more generous term by term by later versions.
    state.policy_version = case.policy_version
    published: PolicyTerms | None = None
    try:
        policy = service.get_policy(case.merchant_id)
        match = [v for v in policy.versions if v.number == case.policy_version]
        if match:
            published = match[0].terms
            state.policy_published_at = match[0].published_at
            state.policy_summary = match[0].summary
    except DomainError:
        published = None
    state.terms = term_rows(case.terms, published)
    return state


def _evidence_url(sha256: str) -> str | None:
    """The download link of an evidence file (``case.evidence``), when that route exists."""
    try:
        return url_for("case.evidence", sha256=sha256)
    except BuildError:
        return None


def _actor_name(step: TimelineStep, names: Mapping[Any, str]) -> str:
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
                actor_name=_actor_name(step, names) if step else "",
                actor_role_label=actor_role_label(step.actor_role) if step else "",
                stored_hash=stored,
                hash_state=hash_state,
                chain_state=chain_state,
            )
        )
    return out


# --- carrying out a ruling (R10) ------------------------------------------------------------


@dataclass(frozen=True)
class CarryOut:
    label: str
    done: bool
    version: int | None


def carry_out_steps(
    ruling: Mapping[str, Any], ruled_version: int, steps: Sequence[TimelineStep]
) -> list[CarryOut]:
    """What remains to be done after a ruling, and what was done (from the timeline)."""
    later = [s for s in steps if s.version > ruled_version]

    def done(code: str) -> int | None:
        return next((s.version for s in later if s.step == code), None)

    wanted: list[tuple[str, str]] = []
    outcome = ruling["outcome"]
    if ruling["return_required"] and outcome in ("refund", "exchange", "repair"):
        wanted += [
            (gettext("The consumer ships the goods back (R13)"), "return_shipped"),
            (gettext("The merchant confirms receipt (R3)"), "receipt_confirmed"),
        ]
    if outcome == "refund":
        wanted += [
            (
                gettext("The platform approves the ruled refund of %(amount)s (R3)")
                % {"amount": ruling["refund"]},
                "refund_approved",
            ),
            (gettext("Finance pays the refund back to the original tenders (R3.a)"), "refund_paid"),
        ]
    elif outcome == "exchange":
        wanted.append((gettext("The merchant ships the replacement (R8)"), "exchange_shipped"))
    elif outcome == "repair":
        wanted.append((gettext("The merchant completes the repair (R7)"), "repair_completed"))
    if ruling["compensation_fen"]:
        wanted += [
            (
                gettext("The compensation of %(amount)s is granted (R14)")
                % {"amount": ruling["compensation"]},
                "compensation_granted",
            ),
            (gettext("Finance pays the compensation"), "compensation_paid"),
        ]
    wanted.append((gettext("The case is closed"), "closed"))
    out = []
    for label, code in wanted:
        version = done(code)
        out.append(CarryOut(label, version is not None, version))
    return out


# --- the ruling form (R10) ------------------------------------------------------------------

OUTCOME_CHOICES: tuple[tuple[str, Any], ...] = (
    ("refund", _l("Refund")),
    ("exchange", _l("Exchange")),
    ("repair", _l("Repair")),
    ("compensation", _l("Compensation")),
    ("dismissed", _l("Dismissed: the application is refused")),
)


@dataclass
class RulingForm:
    outcome: str = ""
    refund: str = ""
    compensation: str = ""
    return_required: bool = False
    reasoning: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_request(cls) -> RulingForm:
        form = request.form
        return cls(
            outcome=(form.get("outcome") or "").strip(),
            refund=(form.get("refund_amount") or "").strip(),
            compensation=(form.get("compensation_amount") or "").strip(),
            return_required=form.get("return_required") in ("1", "on", "true", "yes"),
            reasoning=(form.get("reasoning") or "").strip(),
        )

    def validate(self, cap_fen: int | None, currency: str) -> Ruling | None:
        """The ruling the form describes, or None with ``errors`` naming each bad field."""
        errors = self.errors
        outcome_label = gettext("Outcome")
        refund_label = gettext("Refund amount (yuan)")
        comp_label = gettext("Compensation (yuan)")
        if self.outcome not in {value for value, _label in OUTCOME_CHOICES}:
            errors["outcome"] = gettext(
                "%(field)s: choose refund, exchange, repair, compensation or dismissed.",
                field=outcome_label,
            )
        refund_fen = compensation_fen = 0
        if self.refund:
            try:
                refund_fen = parse_yuan(self.refund)
            except AmountError as error:
                errors["refund_amount"] = amount_error_text(refund_label, error)
        if self.compensation:
            try:
                compensation_fen = parse_yuan(self.compensation)
            except AmountError as error:
                errors["compensation_amount"] = amount_error_text(comp_label, error)
        if self.outcome == "refund" and "refund_amount" not in errors:
            if refund_fen <= 0:
                errors["refund_amount"] = gettext(
                    "%(field)s: a refund ruling names an amount above ¥0.00 (R10).",
                    field=refund_label,
                )
            elif cap_fen is not None and refund_fen > cap_fen:
                errors["refund_amount"] = gettext(
                    "%(field)s: at most %(cap)s, what was paid for the goods plus the shipping "
                    "owed under R2 (R3.a).",
                    field=refund_label,
                    cap=money(cap_fen, currency),
                )
        elif self.outcome in ("exchange", "repair", "compensation", "dismissed") and refund_fen:
            errors["refund_amount"] = gettext(
                "%(field)s: only a refund ruling refunds money; leave it empty.",
                field=refund_label,
            )
        if (
            self.outcome == "compensation"
            and compensation_fen <= 0
            and "compensation_amount" not in errors
        ):
            errors["compensation_amount"] = gettext(
                "%(field)s: a compensation ruling names an amount above ¥0.00 (R10).",
                field=comp_label,
            )
        if self.outcome == "dismissed" and compensation_fen:
            errors["compensation_amount"] = gettext(
                "%(field)s: a dismissed application is not compensated; leave it empty.",
                field=comp_label,
            )
        if self.return_required and self.outcome in ("compensation", "dismissed"):
            errors["return_required"] = gettext(
                "%(field)s: the goods come back only for a refund, exchange or repair.",
                field=gettext("Goods must be returned"),
            )
        if not self.reasoning:
            errors["reasoning"] = gettext(
                "%(field)s: a ruling gives its reasoning (R10).", field=gettext("Reasoning")
            )
        elif len(self.reasoning) > REASONING_MAX:
            errors["reasoning"] = gettext(
                "%(field)s: at most %(max)s characters.",
                field=gettext("Reasoning"),
                max=REASONING_MAX,
            )
        if errors:
            return None
        try:
            return Ruling(
                RulingOutcome(self.outcome),
                refund_fen=refund_fen,
                compensation_fen=compensation_fen,
                return_required=self.return_required,
            )
        except DomainError as error:  # the domain's own checks, should the web miss one
            errors[error.field or "outcome"] = gettext(
                "Not possible (%(rule)s): %(message)s", rule=error.rule, message=error.message
            )
            return None


# --- views ----------------------------------------------------------------------------------


def _ruled_cases(limit: int, offset: int) -> list[dict[str, Any]]:
    """Cases with a ruling, newest first."""
    ruled = case_summaries(get_db(), ruled=True, limit=limit, offset=offset)
    return [dataclasses.asdict(summary) for summary in ruled]


def _offset(name: str) -> int:
    raw = request.args.get(name, "0")
    try:
        value = int(raw)
    except ValueError:
        return 0
    return max(0, value)


@bp.route("/")
def index() -> ResponseReturnValue:
    db = get_db()
    offset = _offset("offset")
    ruled_offset = _offset("ruled_offset")
    waiting = queue_page(db, "arbitration", limit=PAGE_SIZE, offset=offset)
    counts = queue_counts(db, "arbitration")
    ruled = _ruled_cases(PAGE_SIZE, ruled_offset)
    for row in ruled:
        row["outcome_label"] = _label_of(RULING_LABELS, row["ruling_outcome"])
        row["refund"] = (
            money(row["refund_total_fen"], row["currency"]) if row["refund_total_fen"] else ""
        )
        row["compensation"] = (
            money(row["compensation_fen"], row["currency"]) if row["compensation_fen"] else ""
        )
    return render_template(
        "arbitrator/index.html",
        waiting=waiting,
        counts=counts,
        ruled=ruled,
        offset=offset,
        ruled_offset=ruled_offset,
        page_size=PAGE_SIZE,
        awaiting_label=lambda code: (
            gettext(AWAITING_LABELS[code]) if code in AWAITING_LABELS else code
        ),
        kind_label=kind_label,
        status_label=status_label,
    )


def _requested_version(latest: int) -> tuple[int, str]:
    """The ``version`` query parameter, kept within 1..latest; a note when it was not."""
    raw = request.args.get("version")
    if raw is None or raw == "":
        return latest, ""
    try:
        value = int(raw)
    except ValueError:
        return latest, gettext(
            "“%(value)s” is not a version number; showing the latest version.", value=raw[:20]
        )
    if value < 1:
        return 1, gettext("There is no version before 1; showing version 1.")
    if value > latest:
        return latest, gettext("The case has %(n)s versions; showing the latest.", n=latest)
    return value, ""


def render_case(case_no: str, form: RulingForm | None = None, status: int = 200) -> tuple[str, int]:
    db = get_db()
    summary = case_summary(db, case_no)
    hashes = stored_hashes(case_no)
    if summary is None and not hashes:
        abort(404)
    if not hashes:  # the read model knows a case the event store does not: nothing to replay
        abort(404)
    latest = max(hashes)
    version, version_note = _requested_version(latest)
    steps = timeline(db, case_no, include_internal=True)
    pairs = {(s.actor_role, s.actor_id) for s in steps}
    if summary is not None:
        pairs.add((Role.CONSUMER.value, summary.consumer_id))
    names = display_names(pairs)
    service = get_service()
    chain = chain_view(service.verify(case_no)[0])
    as_of = rebuild(case_no, version, steps, names)
    now_state = as_of if version == latest else rebuild(case_no, latest, steps, names)
    current = now_state.case
    currency = current.currency if current is not None else (summary.currency if summary else "CNY")
    replay = replay_steps(steps, hashes, chain, names, currency)
    shown = next((r for r in replay if r.version == version), None)
    ruled_step = next((s for s in steps if s.step == "ruled"), None)
    ruling = now_state.ruling
    carry_out = (
        carry_out_steps(ruling, ruled_step.version if ruled_step else latest, steps)
        if ruling is not None
        else []
    )
    can_rule = (
        current is not None and current.ruling is None and current.status.value == "in_arbitration"
    )
    cap_fen: int | None = None
    if can_rule:
        try:
            cap_fen = service.refund_preview(case_no).cap_fen
        except DomainError:
            cap_fen = None
    consumer_name = ""
    if current is not None:
        consumer_name = names.get((Role.CONSUMER.value, current.consumer_id)) or current.consumer_id
    page: str = render_template(
        "arbitrator/case.html",
        case_no=case_no,
        summary=summary,
        version=version,
        latest=latest,
        version_note=version_note,
        replay=replay,
        shown=shown,
        as_of=as_of,
        current=current,
        consumer_name=consumer_name,
        chain=chain,
        ruling=ruling,
        ruled_step=ruled_step,
        carry_out=carry_out,
        can_rule=can_rule,
        cap=money(cap_fen, currency) if cap_fen is not None else "",
        form=form or RulingForm(),
        outcome_choices=OUTCOME_CHOICES,
        kind_label=kind_label,
        status_label=status_label,
    )
    return page, status


@bp.route("/cases/<case_no>")
def case(case_no: str) -> ResponseReturnValue:
    return render_case(case_no)


@bp.route("/cases/<case_no>/rule", methods=["POST"])
def rule(case_no: str) -> ResponseReturnValue:
    summary = case_summary(get_db(), case_no)
    if summary is None:
        abort(404)
    form = RulingForm.from_request()
    cap_fen: int | None = None
    try:
        cap_fen = get_service().refund_preview(case_no).cap_fen
    except DomainError:
        cap_fen = None
    ruling = form.validate(cap_fen, summary.currency)
    if ruling is None:
        return render_case(case_no, form=form, status=400)
    return perform(
        "rule",
        url_for("arbitrator.case", case_no=case_no),
        success=gettext("The ruling is recorded. It is final (R10)."),
        case_no=case_no,
        ruling=ruling,
        reasoning=form.reasoning,
    )
