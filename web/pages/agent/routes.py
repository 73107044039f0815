"""Platform agents' pages: work queues, case handling and merchant monitoring.

``/agent/``              the platform's queues with live countdowns: complaints and their R9.a
                         clocks (24 h response, 72 h handling opinion), refunds awaiting the
                         platform's approval (R3), other platform work, and newly opened cases with
                         their automatic triage (R20) and a form to override it.
``/agent/cases/<no>``    the shared case view with internal steps (P4) and the agent's actions:
                         respond / give the handling opinion (R9.a), approve a refund with its split
                         per tender and shipping (R3, R3.a, R2), accept or reject in the merchant's
                         place once its deadline was missed (R12.a), file a complaint for the
                         consumer (R9), grant compensation (R14, R10), route (R20), close, notes.
``/agent/complaints/new`` a complaint taken by platform customer service (R9 platform channel).
``/agent/monitoring``    per-merchant rates and response times (R15), flags (R15), risky products
                         (R24), the Gold after-sales badge (R22) and quarterly satisfaction (R18).

Every form that changes something goes through ``web.actions.perform`` (idempotent request id,
the agent as actor, refusals flashed with their rule). Input is checked here first so a mistake
comes back naming the field, in the agent's language, and nothing is stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from fractions import Fraction
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _gettext
from flask_babel import lazy_gettext as _l

from domain.calendar import cst_date
from domain.case_values import RefundPlan
from domain.errors import DomainError
from domain.triage import classify
from domain.values import CaseKind, Role
from projections import metrics as m
from projections.labels import AWAITING_LABELS, queue_label
from projections.queues import QueueItem, queue_counts, queue_page
from projections.timeline import CaseSummary, TimelineStep, case_summaries, case_summary, timeline
from web import get_db
from web.common.actions import perform, refusal_text, request_id_from_form
from web.common.amounts import AmountError, amount_error_text, parse_yuan
from web.common.auth import add_nav_link, current_actor, restrict_blueprint, set_audience_home
from web.common.casepage import load_case_view
from web.common.charts import Series, decimal_text, line_chart
from web.common.formats import money, yuan_text
from web.common.labels import (
    RULING_LABELS,
    clock_label,
    kind_label,
    party_label,
    status_label,
    tender_label,
)
from web.services import get_service


def gettext(message: str, /, **values: Any) -> str:
    """Flask-Babel's ``gettext``, typed (the library is untyped)."""
    return str(_gettext(message, **values))


bp = Blueprint("agent", __name__, url_prefix="/agent")
restrict_blueprint(bp, Role.PLATFORM_AGENT)
add_nav_link(bp, "agent.home", _l("Work queues"), Role.PLATFORM_AGENT, order=10)
add_nav_link(bp, "agent.new_complaint", _l("New complaint"), Role.PLATFORM_AGENT, order=20)
add_nav_link(bp, "agent.monitoring", _l("Monitoring"), Role.PLATFORM_AGENT, order=30)
set_audience_home(bp, Role.PLATFORM_AGENT, "agent.home")

PAGE_SIZE = 50
NEW_CASES = 20
TEXT_MAX = 2000

#: The platform's queues (projections.queues): customer service, and the supervisors who get what
#: missed a deadline (R9.a response, R3 refund approval).
PLATFORM_QUEUES: tuple[tuple[str, Any], ...] = (
    ("platform", _l("Customer service")),
    ("platform_supervisor", _l("Supervisors")),
)
COMPLAINT_WORK = frozenset({"respond_complaint", "give_opinion"})
REFUND_WORK = frozenset({"approve_refund"})
CLOSABLE = frozenset({"rejected", "inspection_failed", "opinion_given", "ruled"})
TERMINAL = frozenset({"closed", "withdrawn"})


def awaiting_label(code: str) -> str:
    text = AWAITING_LABELS.get(code)
    return gettext(text) if text is not None else code


def queue_name(queue: str) -> str:
    text, values = queue_label(queue)
    return gettext(text).format(**values)  # labels.py texts take str.format parameters


# --- shared helpers ---------------------------------------------------------------------------


def _summary_or_404(case_no: str) -> CaseSummary:
    summary = case_summary(get_db(), case_no)
    if summary is None:
        abort(404)
    return summary


def _text(name: str, label: str, *, required: bool = True) -> str | None:
    """A text field of the form, trimmed; flashes an error naming the field and returns None when
    it is missing or too long."""
    value = (request.form.get(name) or "").strip()
    if required and not value:
        flash(gettext("%(field)s: please fill this in.", field=label), "error")
        return None
    if len(value) > TEXT_MAX:
        flash(gettext("%(field)s: at most %(max)s characters.", field=label, max=TEXT_MAX), "error")
        return None
    return value


def _back(case_no: str, anchor: str = "actions") -> str:
    return url_for("agent.case", case_no=case_no, _anchor=anchor)


def _text_move(
    case_no: str, field: str, label: str, command: str, success: str, **more: Any
) -> ResponseReturnValue:
    """A move whose one required input is a text field (named as the command's argument): check
    the case may be seen, refuse an empty or too long text naming the field, else perform."""
    _summary_or_404(case_no)
    text = _text(field, label)
    if text is None:
        return redirect(_back(case_no), code=303)
    return perform(
        command, _back(case_no, "top"), success=success, case_no=case_no, **{field: text}, **more
    )


def _offset() -> int:
    try:
        return max(0, int(request.args.get("offset", "0")))
    except ValueError:
        return 0


def _deadlines(summary: CaseSummary) -> dict[str, Mapping[str, Any]]:
    return {str(d["name"]): d for d in summary.deadlines}


# --- home: queues -------------------------------------------------------------------------------


@dataclass
class QueueRow:
    item: QueueItem
    awaiting: str
    response_due: Any = None  # R9.a clocks of a complaint (raw deadline dicts)
    opinion_due: Any = None
    refund_due: Any = None  # R3 statutory refund approval clock


@dataclass
class TriageRow:
    summary: CaseSummary
    description: str
    routed: TimelineStep | None
    suggested_kind: str
    suggested_confidence: int
    suggested_words: tuple[str, ...]
    suggested_queue: str
    queue_choices: list[tuple[str, str]] = field(default_factory=list)


def _new_cases(limit: int) -> list[str]:
    """Case numbers of the newest cases still waiting for their first answer."""
    waiting = case_summaries(
        get_db(), statuses=("requested", "complaint_open"), newest="opened", limit=limit
    )
    return [summary.case_no for summary in waiting]


def queue_choices(merchant_id: str) -> list[tuple[str, str]]:
    queues = [name for name, _label in PLATFORM_QUEUES] + [f"merchant:{merchant_id}"]
    return [(q, queue_name(q)) for q in queues]


def triage_rows(case_nos: list[str]) -> list[TriageRow]:
    db = get_db()
    out = []
    for case_no in case_nos:
        summary = case_summary(db, case_no)
        if summary is None:
            continue
        steps = timeline(db, case_no, include_internal=True)
        opened = next((s for s in steps if s.step == "opened"), None)
        description = opened.reason if opened else ""
        routed = next((s for s in reversed(steps) if s.step == "routed"), None)
        # R20: what the keyword triage makes of the application's own words (the domain decides).
        suggestion = classify(description, summary.merchant_id)
        out.append(
            TriageRow(
                summary=summary,
                description=description,
                routed=routed,
                suggested_kind=suggestion.kind.value,
                suggested_confidence=suggestion.confidence_pct,
                suggested_words=suggestion.matched,
                suggested_queue=suggestion.queue,
                queue_choices=queue_choices(summary.merchant_id),
            )
        )
    return out


@bp.route("/")
def home() -> ResponseReturnValue:
    db = get_db()
    names = [name for name, _label in PLATFORM_QUEUES]
    queue = request.args.get("queue", "platform")
    if queue not in names:
        queue = "platform"
    offset = _offset()
    counts = {name: queue_counts(db, name) for name in names}
    items = queue_page(db, queue, limit=PAGE_SIZE, offset=offset)
    complaints: list[QueueRow] = []
    refunds: list[QueueRow] = []
    other: list[QueueRow] = []
    for item in items:
        row = QueueRow(item, awaiting_label(item.awaiting))
        summary = case_summary(db, item.case_no)
        row.refund_due = _deadlines(summary).get("refund_approval") if summary else None
        # A case's row shows its most urgent item; a complaint open on it (R9.a) is listed with
        # its complaint clocks even when another clock (a refund approval, say) comes first.
        if item.awaiting in COMPLAINT_WORK or (summary is not None and summary.complaint_open):
            clocks = _deadlines(summary) if summary else {}
            row.response_due = clocks.get("platform_response")
            row.opinion_due = clocks.get("platform_opinion")
            if row.response_due or row.opinion_due:
                complaints.append(row)
        if item.awaiting in REFUND_WORK or (
            summary is not None and summary.status == "awaiting_refund"
        ):
            refunds.append(row)
        elif row not in complaints:
            other.append(row)
    return render_template(
        "agent/home.html",
        queues=[(name, str(label), counts[name]) for name, label in PLATFORM_QUEUES],
        queue=queue,
        queue_title=queue_name(queue),
        offset=offset,
        page_size=PAGE_SIZE,
        page_len=len(items),
        complaints=complaints,
        refunds=refunds,
        other=other,
        triage=triage_rows(_new_cases(NEW_CASES)),
        kind_choices=[(k.value, kind_label(k.value)) for k in CaseKind],
        kind_label=kind_label,
        status_label=status_label,
        clock_label=clock_label,
        parse_due=_parse_due,
        queue_name=queue_name,
    )


def _parse_due(d: Mapping[str, Any] | None) -> datetime | None:
    from projections.db import parse_ts

    if not d:
        return None
    value = d.get("due_at")
    if isinstance(value, datetime):
        return value
    return parse_ts(str(value)) if value else None


@bp.route("/find")
def find() -> ResponseReturnValue:
    case_no = (request.args.get("case_no") or "").strip().upper()
    if not case_no:
        flash(gettext("%(field)s: please fill this in.", field=gettext("Case number")), "error")
        return redirect(url_for("agent.home"), code=303)
    if case_summary(get_db(), case_no) is None:
        flash(gettext("There is no case %(no)s.", no=case_no), "error")
        return redirect(url_for("agent.home"), code=303)
    return redirect(url_for("agent.case", case_no=case_no), code=303)


# --- the case page ----------------------------------------------------------------------------


@dataclass
class RulingFacts:
    outcome: str
    outcome_label: str
    refund_fen: int
    compensation_fen: int
    return_required: bool


def _ruling(steps: list[TimelineStep]) -> RulingFacts | None:
    ruled = next((s for s in steps if s.step == "ruled"), None)
    if ruled is None:
        return None
    d = ruled.details
    outcome = str(d.get("outcome", ""))
    label = RULING_LABELS.get(outcome)
    return RulingFacts(
        outcome=outcome,
        outcome_label=str(label) if label is not None else outcome,
        refund_fen=int(d.get("refund_fen", 0)),
        compensation_fen=int(d.get("compensation_fen", 0)),
        return_required=bool(d.get("return_required", False)),
    )


def _plan_view(plan: RefundPlan) -> dict[str, Any]:
    c = plan.currency
    return {
        "total_fen": plan.total_fen,
        "total": money(plan.total_fen, c),
        "goods": money(plan.goods_fen, c),
        "shipping": money(plan.shipping_fen, c),
        "cap_fen": plan.cap_fen,
        "cap": money(plan.cap_fen, c),
        "cap_yuan": yuan_text(plan.cap_fen),
        "total_yuan": yuan_text(plan.total_fen),
        "return_leg_payer": party_label(plan.return_leg_payer.value),
        "outbound_leg_payer": party_label(plan.outbound_leg_payer.value),
        "split": [
            {
                "tender": tender_label(part.kind.value),
                "amount": money(part.amount_fen, c),
                "in_kind": part.in_kind,
            }
            for part in plan.split
        ],
    }


@dataclass
class Actions:
    respond: bool = False
    opinion: bool = False
    approve: bool = False
    approve_fixed: int | None = None  # a ruling fixed the amount (R10)
    preview: dict[str, Any] | None = None
    full: dict[str, Any] | None = None
    preview_error: str = ""
    preview_amount: str = ""
    merchant_place: bool = False  # the case waits for the merchant's R12 decision
    merchant_breached: bool = False
    merchant_due: Any = None
    complaint: bool = False
    close: bool = False
    compensation: bool = False
    compensation_fixed: int | None = None
    route: bool = False


def _actions(summary: CaseSummary, ruling: RulingFacts | None) -> Actions:
    status = summary.status
    clocks = _deadlines(summary)
    acts = Actions()
    is_open = status not in TERMINAL
    acts.respond = summary.complaint_open and "platform_response" in clocks
    acts.opinion = summary.complaint_open and "platform_response" not in clocks
    if summary.refund_total_fen is None and is_open:
        if ruling is not None:
            acts.approve = ruling.outcome == "refund" and status in (
                "ruled",
                "received",
                "awaiting_refund",
            )
            acts.approve_fixed = ruling.refund_fen if acts.approve else None
        else:
            acts.approve = status == "awaiting_refund"
    if acts.approve:
        _refund_preview(summary, acts)
    if status == "requested" and summary.kind != CaseKind.COMPLAINT.value:
        acts.merchant_place = True
        decision = clocks.get("merchant_decision")
        acts.merchant_breached = bool(decision and decision.get("breached"))
        acts.merchant_due = _parse_due(decision)
    acts.complaint = not summary.complaint_open and status != "withdrawn"
    acts.close = status in CLOSABLE
    if is_open and not summary.compensation_fen:
        if ruling is not None and ruling.compensation_fen:
            acts.compensation = True
            acts.compensation_fixed = ruling.compensation_fen
        elif ruling is None and summary.responsibility in ("product_defect", "transport_damage"):
            acts.compensation = True
    acts.route = is_open and ruling is None
    return acts


def _refund_preview(summary: CaseSummary, acts: Actions) -> None:
    """R3.a / R2: what the refund pays and where it goes, asked of the domain."""
    service = get_service()
    try:
        full = service.refund_preview(summary.case_no)
    except DomainError as error:
        acts.preview_error = refusal_text(error)
        return
    acts.full = _plan_view(full)
    amount: int | None = acts.approve_fixed
    raw = (request.args.get("amount") or "").strip()
    if acts.approve_fixed is None and raw:
        acts.preview_amount = raw
        try:
            amount = parse_yuan(raw)
        except AmountError as error:
            acts.preview_error = amount_error_text(gettext("Refund amount (yuan)"), error)
            amount = None
    if amount is None or amount == full.total_fen:
        acts.preview = acts.full
        return
    try:
        acts.preview = _plan_view(service.refund_preview(summary.case_no, amount))
    except DomainError as error:
        acts.preview_error = refusal_text(error)
        acts.preview = None


@bp.route("/cases/<case_no>")
def case(case_no: str) -> ResponseReturnValue:
    view = load_case_view(case_no, include_internal=True)
    steps = [s.step for s in view.steps]
    ruling = _ruling(steps)
    acts = _actions(view.summary, ruling)
    routed = view.triage
    opened = next((s for s in steps if s.step == "opened"), None)
    suggestion = classify(opened.reason if opened else "", view.summary.merchant_id)
    return render_template(
        "agent/case.html",
        view=view,
        ruling=ruling,
        acts=acts,
        routed=routed,
        suggestion=suggestion,
        queue_choices=queue_choices(view.summary.merchant_id),
        kind_choices=[(k.value, kind_label(k.value)) for k in CaseKind],
        kind_label=kind_label,
        money=lambda fen: money(fen, view.summary.currency),
        yuan_text=yuan_text,
    )


@bp.route("/cases/<case_no>/respond", methods=["POST"])
def respond(case_no: str) -> ResponseReturnValue:
    """R9.a: the platform's first response to a complaint, within 24 hours."""
    return _text_move(
        case_no,
        "reason",
        gettext("Response to the consumer"),
        "respond_to_complaint",
        gettext("The response is recorded and shown to the consumer (R9.a)."),
    )


@bp.route("/cases/<case_no>/opinion", methods=["POST"])
def opinion(case_no: str) -> ResponseReturnValue:
    """R9.a: the platform's handling opinion, within 72 hours."""
    return _text_move(
        case_no,
        "opinion",
        gettext("Handling opinion"),
        "give_opinion",
        gettext("The handling opinion is recorded (R9.a)."),
    )


@bp.route("/cases/<case_no>/approve-refund", methods=["POST"])
def approve_refund(case_no: str) -> ResponseReturnValue:
    """R3: the platform approves the refund; R3.a caps it and splits it over the tenders."""
    summary = _summary_or_404(case_no)
    back = _back(case_no, "refund")
    raw = (request.form.get("amount") or "").strip()
    reason = _text("reason", gettext("Reason for a partial refund"), required=False)
    if reason is None:
        return redirect(back, code=303)
    amount: int | None = None
    if raw:
        try:
            amount = parse_yuan(raw)
        except AmountError as error:
            flash(amount_error_text(gettext("Refund amount (yuan)"), error), "error")
            return redirect(back, code=303)
        if amount <= 0:
            flash(
                gettext(
                    "%(field)s: a refund must be more than ¥0.00 (R3.a).",
                    field=gettext("Refund amount (yuan)"),
                ),
                "error",
            )
            return redirect(back, code=303)
        try:
            full = get_service().refund_preview(case_no)
        except DomainError as error:
            flash(refusal_text(error), "error")
            return redirect(back, code=303)
        if amount > full.cap_fen:
            flash(
                gettext(
                    "%(field)s: %(amount)s is more than the cap of %(cap)s, what was paid for "
                    "the goods plus the shipping owed under R2 (R3.a).",
                    field=gettext("Refund amount (yuan)"),
                    amount=money(amount, summary.currency),
                    cap=money(full.cap_fen, summary.currency),
                ),
                "error",
            )
            return redirect(back, code=303)
        if amount < full.cap_fen and not reason:
            flash(
                gettext(
                    "%(field)s: say why the refund is less than the cap of %(cap)s.",
                    field=gettext("Reason for a partial refund"),
                    cap=money(full.cap_fen, summary.currency),
                ),
                "error",
            )
            return redirect(back, code=303)
        if amount == full.cap_fen:
            amount = None  # the full refund: the domain computes the same plan
    return perform(
        "approve_refund",
        _back(case_no, "top"),
        success=gettext("Refund approved. Finance pays it within the working days of R3."),
        case_no=case_no,
        amount_fen=amount,
        reason=reason,
    )


@bp.route("/cases/<case_no>/accept", methods=["POST"])
def accept(case_no: str) -> ResponseReturnValue:
    """R12.a: accept in the merchant's place; the domain allows it only after the merchant's
    deadline was missed."""
    _summary_or_404(case_no)
    text = _text("reason", gettext("Reason"), required=False)
    if text is None:
        return redirect(_back(case_no), code=303)
    return perform(
        "accept",
        _back(case_no, "top"),
        success=gettext("Accepted in the merchant's place (R12.a)."),
        case_no=case_no,
        reason=text or gettext("Accepted by the platform after the merchant missed its deadline"),
    )


@bp.route("/cases/<case_no>/reject", methods=["POST"])
def reject(case_no: str) -> ResponseReturnValue:
    """R12 / R12.a: reject in the merchant's place, always with a reason."""
    return _text_move(
        case_no,
        "reason",
        gettext("Reason for the rejection"),
        "reject",
        gettext("Rejected in the merchant's place (R12.a)."),
    )


@bp.route("/cases/<case_no>/complaint", methods=["POST"])
def file_complaint(case_no: str) -> ResponseReturnValue:
    """R9: a complaint taken by platform customer service on an existing case."""
    return _text_move(
        case_no,
        "reason",
        gettext("What the consumer complains about"),
        "file_complaint",
        gettext("Complaint filed; the platform answers within 24 hours (R9.a)."),
        channel="platform",
    )


@bp.route("/cases/<case_no>/compensation", methods=["POST"])
def compensation(case_no: str) -> ResponseReturnValue:
    """R14 repair plus compensation, or the compensation a ruling fixed (R10)."""
    _summary_or_404(case_no)
    back = _back(case_no, "compensation")
    label = gettext("Compensation (yuan)")
    try:
        amount = parse_yuan(request.form.get("amount") or "")
    except AmountError as error:
        flash(amount_error_text(label, error), "error")
        return redirect(back, code=303)
    if amount <= 0:
        flash(gettext("%(field)s: must be more than ¥0.00 (R14).", field=label), "error")
        return redirect(back, code=303)
    reason = _text("reason", gettext("What the compensation is for"))
    if reason is None:
        return redirect(back, code=303)
    return perform(
        "grant_compensation",
        _back(case_no, "top"),
        success=gettext("Compensation granted (R14)."),
        case_no=case_no,
        amount_fen=amount,
        reason=reason,
    )


@bp.route("/cases/<case_no>/route", methods=["POST"])
def route(case_no: str) -> ResponseReturnValue:
    """R20: a person overrides the automatic triage (confidence 100 %: a person decided)."""
    summary = _summary_or_404(case_no)
    back = request.form.get("back") == "home"
    target = url_for("agent.home", _anchor="triage") if back else _back(case_no, "triage")
    queue = (request.form.get("queue") or "").strip()
    allowed = {q for q, _label in queue_choices(summary.merchant_id)}
    if queue not in allowed:
        flash(
            gettext("%(field)s: choose one of the queues offered.", field=gettext("Queue")), "error"
        )
        return redirect(target, code=303)
    kind = (request.form.get("classified_kind") or "").strip()
    if kind not in {k.value for k in CaseKind}:
        flash(gettext("%(field)s: choose a case type.", field=gettext("Classified as")), "error")
        return redirect(target, code=303)
    reason = _text("reason", gettext("Why the triage is changed"))
    if reason is None:
        return redirect(target, code=303)
    return perform(
        "route",
        target,
        success=gettext("Routed to %(queue)s (R20).", queue=queue_name(queue)),
        case_no=case_no,
        queue=queue,
        classified_kind=kind,
        confidence_pct=100,
        reason=reason,
    )


@bp.route("/cases/<case_no>/close", methods=["POST"])
def close(case_no: str) -> ResponseReturnValue:
    return _text_move(
        case_no,
        "reason",
        gettext("Reason for closing"),
        "close_case",
        gettext("The case is closed."),
    )


@bp.route("/cases/<case_no>/note", methods=["POST"])
def note(case_no: str) -> ResponseReturnValue:
    """R21 / P4: a note on the record; internal notes are hidden from the consumer."""
    _summary_or_404(case_no)
    text = _text("text", gettext("Note"))
    if text is None:
        return redirect(_back(case_no, "note"), code=303)
    internal = request.form.get("visible_to_consumer") not in ("1", "on", "yes")
    return perform(
        "add_note",
        _back(case_no, "top"),
        success=gettext("Internal note added.") if internal else gettext("Note added."),
        case_no=case_no,
        text=text,
        internal=internal,
    )


# --- a complaint taken by customer service (R9) ---------------------------------------------


@bp.route("/complaints/new", methods=["GET", "POST"])
def new_complaint() -> ResponseReturnValue:
    values = {"order_no": "", "description": ""}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {
            "order_no": (request.form.get("order_no") or "").strip().upper(),
            "description": (request.form.get("description") or "").strip(),
        }
        if not values["order_no"]:
            errors["order_no"] = gettext(
                "%(field)s: please fill this in.", field=gettext("Order number")
            )
        if not values["description"]:
            errors["description"] = gettext(
                "%(field)s: please fill this in.",
                field=gettext("What the consumer complains about"),
            )
        elif len(values["description"]) > TEXT_MAX:
            errors["description"] = gettext(
                "%(field)s: at most %(max)s characters.",
                field=gettext("What the consumer complains about"),
                max=TEXT_MAX,
            )
        if not errors:
            try:
                result = get_service().open_case(
                    request_id=request_id_from_form(),
                    actor=current_actor(),
                    order_no=values["order_no"],
                    kind=CaseKind.COMPLAINT,
                    reason_code="service",
                    description=values["description"],
                    channel="platform",
                )
            except DomainError as error:
                field_name = "order_no" if error.field in ("order_no", None) else "description"
                if error.kind == "not_found":
                    errors["order_no"] = gettext(
                        "%(field)s: there is no order %(no)s.",
                        field=gettext("Order number"),
                        no=values["order_no"],
                    )
                else:
                    errors[field_name] = refusal_text(error)
            else:
                flash(
                    gettext(
                        "Complaint %(no)s opened for the consumer; the platform answers within "
                        "24 hours (R9.a).",
                        no=result.key,
                    ),
                    "success",
                )
                return redirect(url_for("agent.case", case_no=result.key), code=303)
    return render_template("agent/new_complaint.html", values=values, errors=errors), (
        400 if errors else 200
    )


# --- monitoring (R15, R18, R22, R24) ----------------------------------------------------------

PERIODS = (30, 90, 365)

FLAG_TEXTS: dict[str, Any] = {
    "after_sales_rate": _l(
        "After-sales rate %(value)s is above %(limit)s (with at least %(min)s delivered lines)"
    ),
    "breach_rate": _l("SLA breach rate %(value)s is above %(limit)s (with at least %(min)s cases)"),
}

BADGE_TEXTS: dict[str, Any] = {
    "closed_cases": _l("Closed cases: at least %(threshold)s"),
    "median_acceptance_seconds": _l("Median time to accept: at most %(threshold)s"),
    "breach_rate": _l("SLA breach rate: at most %(threshold)s"),
    "arbitration_rate": _l("Arbitration rate: at most %(threshold)s"),
    "ratings": _l("Ratings: at least %(threshold)s"),
    "satisfaction": _l("Average rating: at least %(threshold)s of 5"),
}


def percent_text(value: Fraction | None, places: int = 1) -> str:
    """``Fraction(1, 8)`` -> ``12.5%``; None -> ``—``."""
    if value is None:
        return "—"
    return f"{decimal_text(value * 100, places)}%"


def rate_text(rate: m.Rate, places: int = 1) -> str:
    return percent_text(rate.value, places)


def duration_text(seconds: int | None) -> str:
    """``95`` -> ``1 min 35 s``; ``5400`` -> ``1 h 30 min``; None -> ``—``."""
    if seconds is None:
        return "—"
    days, rest = divmod(int(seconds), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        if not hours:
            return gettext("%(d)s d", d=days)
        return gettext("%(d)s d %(h)s h", d=days, h=hours)
    if hours:
        if not minutes:
            return gettext("%(h)s h", h=hours)
        return gettext("%(h)s h %(m)s min", h=hours, m=minutes)
    if minutes:
        if not secs:
            return gettext("%(m)s min", m=minutes)
        return gettext("%(m)s min %(s)s s", m=minutes, s=secs)
    return gettext("%(s)s s", s=secs)


def _criterion_text(code: str, value: Any, places: int = 2) -> str:
    if value is None:
        return "—"
    if code == "median_acceptance_seconds":
        return duration_text(int(value))
    if code in ("breach_rate", "arbitration_rate"):
        return percent_text(Fraction(value))
    if code == "satisfaction":
        return decimal_text(Fraction(value), places)
    return str(value)


@dataclass
class MerchantRow:
    merchant_id: str
    metrics: m.MerchantMetrics
    badge: m.BadgeVerdict
    flags: tuple[str, ...]


def _today() -> date:
    return cst_date(datetime.now(UTC))


@bp.route("/monitoring")
def monitoring() -> ResponseReturnValue:
    db = get_db()
    try:
        days = int(request.args.get("days", "90"))
    except ValueError:
        days = 90
    if days not in PERIODS:
        days = 90
    as_of = _today()
    start = as_of - timedelta(days=days - 1)
    merchants = m.merchant_ids(db)
    rows = []
    for merchant_id in merchants:
        metrics = m.merchant_metrics(db, merchant_id, start, as_of)
        rows.append(
            MerchantRow(
                merchant_id,
                metrics,
                m.gold_badge(db, merchant_id, as_of),
                m.flags_for(
                    m.merchant_metrics(
                        db, merchant_id, as_of - timedelta(days=m.FLAG_WINDOW_DAYS - 1), as_of
                    )
                ),
            )
        )
    flagged = [
        {
            "merchant_id": flag.merchant_id,
            "reasons": [_flag_text(code, flag.metrics) for code in flag.reasons],
            "metrics": flag.metrics,
        }
        for flag in m.flagged_merchants(db, as_of)
    ]
    sku_rates = m.sku_return_rates(db, as_of)
    alerts = [a for a in sku_rates if a.abnormal]
    charts = []
    satisfaction = []
    for merchant_id in merchants:
        series = m.merchant_series(db, merchant_id)
        months = [p.month for p in series]
        charts.append(
            {
                "merchant_id": merchant_id,
                "rates": line_chart(
                    chart_id=f"rates-{merchant_id}",
                    title=gettext(
                        "After-sales and refund rate by month, store %(m)s", m=merchant_id
                    ),
                    desc=gettext(
                        "Cases opened and refunded cases, in percent of the order lines "
                        "delivered that month (R15)."
                    ),
                    x_labels=months,
                    series=[
                        Series(
                            gettext("After-sales rate"), [_pct(p.after_sales_rate) for p in series]
                        ),
                        Series(gettext("Refund rate"), [_pct(p.refund_rate) for p in series]),
                        Series(gettext("SLA breach rate"), [_pct(p.breach_rate) for p in series]),
                    ],
                    unit="%",
                ),
                "response": line_chart(
                    chart_id=f"response-{merchant_id}",
                    title=gettext("First response time by month, store %(m)s", m=merchant_id),
                    desc=gettext(
                        "Median and 90th percentile of the time from application to the "
                        "merchant's first answer, in minutes (R12, R12.a)."
                    ),
                    x_labels=months,
                    series=[
                        Series(
                            gettext("Median"),
                            [_minutes(p.first_response.median_seconds) for p in series],
                        ),
                        Series(
                            gettext("90th percentile"),
                            [_minutes(p.first_response.p90_seconds) for p in series],
                        ),
                    ],
                    unit=" " + gettext("min"),
                ),
            }
        )
        for quarter in m.quarterly_satisfaction(db, merchant_id):
            satisfaction.append(
                {
                    "merchant_id": merchant_id,
                    "quarter": quarter.quarter,
                    "ratings": quarter.ratings,
                    "average": decimal_text(quarter.average.value, 2)
                    if quarter.average.value is not None
                    else "—",
                }
            )
    satisfaction.sort(key=lambda r: (r["quarter"], r["merchant_id"]), reverse=True)
    return render_template(
        "agent/monitoring.html",
        days=days,
        periods=PERIODS,
        as_of=as_of,
        start=start,
        rows=rows,
        flagged=flagged,
        alerts=alerts,
        sku_rates=sku_rates,
        charts=charts,
        satisfaction=satisfaction,
        badge_rules=_badge_rules(),
        flag_rules=_flag_rules(),
        sku_rules=_sku_rules(),
        badge_criteria=lambda verdict: [
            {
                "code": c.code,
                "text": str(BADGE_TEXTS.get(c.code, c.code))
                % {"threshold": _criterion_text(c.code, c.threshold, places=1)},
                "value": _criterion_text(c.code, c.value),
                "passed": c.passed,
            }
            for c in verdict.criteria
        ],
        rate_text=rate_text,
        duration_text=duration_text,
        decimal_text=decimal_text,
        flag_label=lambda code: _flag_short(code),
    )


def _pct(rate: m.Rate) -> Fraction | None:
    return rate.value * 100 if rate.value is not None else None


def _minutes(seconds: int | None) -> Fraction | None:
    return Fraction(seconds, 60) if seconds is not None else None


def _flag_short(code: str) -> str:
    if code == "after_sales_rate":
        return gettext("after-sales rate")
    if code == "breach_rate":
        return gettext("SLA breach rate")
    return code


def _flag_text(code: str, metrics: m.MerchantMetrics) -> str:
    if code == "after_sales_rate":
        return str(FLAG_TEXTS[code]) % {
            "value": rate_text(metrics.after_sales_rate),
            "limit": percent_text(m.FLAG_MAX_AFTER_SALES_RATE),
            "min": m.FLAG_MIN_DELIVERED_LINES,
        }
    if code == "breach_rate":
        return str(FLAG_TEXTS[code]) % {
            "value": rate_text(metrics.breach_rate),
            "limit": percent_text(m.FLAG_MAX_BREACH_RATE),
            "min": m.FLAG_MIN_CASES,
        }
    return code


def _badge_rules() -> list[str]:
    return [
        gettext("over the last %(n)s days:", n=m.BADGE_WINDOW_DAYS),
        str(BADGE_TEXTS["closed_cases"]) % {"threshold": m.BADGE_MIN_CLOSED_CASES},
        str(BADGE_TEXTS["median_acceptance_seconds"])
        % {"threshold": duration_text(m.BADGE_MAX_MEDIAN_ACCEPTANCE_SECONDS)},
        str(BADGE_TEXTS["breach_rate"]) % {"threshold": percent_text(m.BADGE_MAX_BREACH_RATE)},
        str(BADGE_TEXTS["arbitration_rate"])
        % {"threshold": percent_text(m.BADGE_MAX_ARBITRATION_RATE)},
        str(BADGE_TEXTS["ratings"]) % {"threshold": m.BADGE_MIN_RATINGS},
        str(BADGE_TEXTS["satisfaction"]) % {"threshold": decimal_text(m.BADGE_MIN_SATISFACTION, 1)},
    ]


def _flag_rules() -> list[str]:
    return [
        gettext(
            "After-sales rate (cases / delivered order lines) above %(limit)s over %(n)s days, "
            "with at least %(min)s delivered lines",
            limit=percent_text(m.FLAG_MAX_AFTER_SALES_RATE),
            n=m.FLAG_WINDOW_DAYS,
            min=m.FLAG_MIN_DELIVERED_LINES,
        ),
        gettext(
            "SLA breach rate (missed merchant deadlines / cases) above %(limit)s over %(n)s "
            "days, with at least %(min)s cases",
            limit=percent_text(m.FLAG_MAX_BREACH_RATE),
            n=m.FLAG_WINDOW_DAYS,
            min=m.FLAG_MIN_CASES,
        ),
    ]


def _sku_rules() -> str:
    return gettext(
        "A product is flagged when, over the last %(recent)s days against the %(base)s days "
        "before, it has at least %(ru)s units delivered recently, %(bu)s in the baseline and "
        "%(rr)s recent returns, and its recent return rate is at least %(ratio)s times the "
        "baseline rate and %(rise)s points above it.",
        recent=m.SKU_RECENT_DAYS,
        base=m.SKU_BASELINE_DAYS,
        ru=m.SKU_MIN_RECENT_UNITS,
        bu=m.SKU_MIN_BASELINE_UNITS,
        rr=m.SKU_MIN_RECENT_RETURNS,
        ratio=m.SKU_RATE_RATIO,
        rise=decimal_text(m.SKU_MIN_RATE_RISE * 100, 0),
    )


__all__ = ["bp", "duration_text", "percent_text"]
