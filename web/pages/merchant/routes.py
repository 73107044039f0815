"""Merchant staff pages (R11, R12, R14, R17, R19): the store's work queue with deadlines and bulk
accept, the case page with every move policy allows the merchant now, and the store's policy.

Every route is for merchant staff only (``restrict_blueprint``) and shows only their own store: a
case of another store is a 404 on every route, GET or POST, whatever the case's state. Every form
that changes something goes through the domain (``web.actions.perform`` or, for the bulk accept
and the policy form, the service directly), carries a ``request_id`` (idempotent) and a CSRF
token; a refusal names its rule.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from domain import rules
from domain.errors import DomainError
from domain.values import Responsibility, Role
from projections.labels import AWAITING_LABELS
from projections.policies import current_policy, policy_history
from projections.queues import QueueItem, queue_counts, queue_page
from projections.timeline import CaseSummary, case_summaries, case_summary
from web import get_db
from web.common.actions import perform, refresh_read_models, refusal_text, request_id_from_form
from web.common.auth import (
    add_nav_link,
    current_account,
    current_actor,
    restrict_blueprint,
    set_audience_home,
)
from web.common.casepage import CaseView, load_case_view
from web.common.formats import money
from web.common.labels import (
    RESPONSIBILITY_LABELS,
    clock_label,
    kind_label,
    party_label,
    reason_label,
    status_label,
)
from web.common.timefmt import viewer_zone
from web.pages.merchant.policy_form import (
    EXCLUSION_KIND_LABELS,
    FIELD_LABELS,
    INT_FIELDS,
    PolicyForm,
    explain_refusal,
    floor_hint,
    form_from_terms,
    parse_policy_form,
    parse_yuan,
)
from web.pages.public.routes import public_constants
from web.services import get_service

bp = Blueprint("merchant", __name__, url_prefix="/merchant")
restrict_blueprint(bp, Role.MERCHANT)
add_nav_link(bp, "merchant.queue", _l("Work queue"), Role.MERCHANT, order=10)
add_nav_link(bp, "merchant.cases", _l("All cases"), Role.MERCHANT, order=20)
add_nav_link(bp, "merchant.policy", _l("After-sales policy"), Role.MERCHANT, order=30)
set_audience_home(bp, Role.MERCHANT, "merchant.queue")

PAGE_SIZE = 50
MAX_BULK = 200  # cases one bulk accept may name (two pages and more)

#: Statuses in which the case waits for the merchant to accept or reject (R12).
DECIDABLE = frozenset({"requested"})
_TERMINAL = frozenset({"closed", "withdrawn"})
_AT_FAULT = frozenset({Responsibility.PRODUCT_DEFECT.value, Responsibility.TRANSPORT_DAMAGE.value})


def merchant_id() -> str:
    account = current_account()
    if account is None or not account.merchant_id:
        abort(403)
    return account.merchant_id


def queue_name() -> str:
    return f"merchant:{merchant_id()}"


def own_case(case_no: str) -> CaseSummary:
    """The case's summary row when it belongs to the viewer's store; 404 otherwise (existence is
    never leaked, whatever the route)."""
    if len(case_no) > 100:
        abort(404)
    summary = case_summary(get_db(), case_no)
    if summary is None or summary.merchant_id != merchant_id():
        abort(404)
    return summary


def _awaiting_label(code: str) -> str:
    text = AWAITING_LABELS.get(code)
    return gettext(text) if text is not None else code


@bp.route("/")
def home() -> ResponseReturnValue:
    return redirect(url_for("merchant.queue"))


# --- the queue (R12, R17) -------------------------------------------------------------------


@dataclass(frozen=True)
class QueueRow:
    item: QueueItem
    summary: CaseSummary | None
    awaiting_label: str
    clock_label: str
    kind_label: str
    status_label: str
    reason_label: str
    decidable: bool


def _page_number() -> int:
    raw = request.args.get("page", "1")
    if not raw.isdigit() or int(raw) < 1:
        return 1
    return min(int(raw), 10_000)


@bp.route("/queue")
def queue() -> ResponseReturnValue:
    db = get_db()
    name = queue_name()
    page = _page_number()
    counts = queue_counts(db, name)
    pages = max(1, -(-counts.cases // PAGE_SIZE))
    items = queue_page(db, name, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    rows = []
    for item in items:
        summary = case_summary(db, item.case_no)
        rows.append(
            QueueRow(
                item=item,
                summary=summary,
                awaiting_label=_awaiting_label(item.awaiting),
                clock_label=clock_label(item.clock) if item.clock else "",
                kind_label=kind_label(item.kind),
                status_label=status_label(item.status),
                reason_label=reason_label(summary.reason_code) if summary else "",
                decidable=item.status in DECIDABLE and item.kind != "complaint",
            )
        )
    by_status = sorted(counts.by_status.items(), key=lambda kv: (-kv[1], kv[0]))
    return render_template(
        "merchant/queue.html",
        rows=rows,
        counts=counts,
        by_status=[(code, status_label(code), n) for code, n in by_status],
        page=page,
        pages=pages,
        page_size=PAGE_SIZE,
        any_decidable=any(r.decidable for r in rows),
    )


@dataclass(frozen=True)
class BulkOutcome:
    accepted: list[str]
    refused: list[tuple[str, str]]  # (case_no, refusal naming the rule)


def bulk_accept(case_nos: list[str], base_request_id: str) -> BulkOutcome:
    """R12/R17: accept each case on its own (one request id per case, derived from the form's),
    so one refusal never stops the others and a resubmitted form records nothing twice."""
    service = get_service()
    actor = current_actor()
    outcome = BulkOutcome([], [])
    for case_no in case_nos:
        try:
            service.accept(request_id=f"{base_request_id}:{case_no}", actor=actor, case_no=case_no)
        except DomainError as error:
            outcome.refused.append((case_no, refusal_text(error)))
        else:
            outcome.accepted.append(case_no)
    return outcome


@bp.route("/queue/accept", methods=["POST"])
def queue_accept() -> ResponseReturnValue:
    back = url_for("merchant.queue", page=request.form.get("page") or None)
    chosen: list[str] = []
    for value in request.form.getlist("case_no"):
        case_no = value.strip()
        if case_no and case_no not in chosen:
            chosen.append(case_no)
    if not chosen:
        flash(gettext("Select at least one case to accept."), "error")
        return redirect(back, code=303)
    if len(chosen) > MAX_BULK:
        flash(gettext("Accept at most %(n)s cases at once.", n=MAX_BULK), "error")
        return redirect(back, code=303)
    for case_no in chosen:  # every case first: another store's case stops it all, unseen
        own_case(case_no)
    result = bulk_accept(chosen, request_id_from_form()[:120])
    refresh_read_models()
    total = len(chosen)
    if result.accepted and result.refused:
        flash(
            gettext(
                "Partly done: %(ok)s of %(total)s cases accepted, %(refused)s refused.",
                ok=len(result.accepted),
                total=total,
                refused=len(result.refused),
            ),
            "warning",
        )
    if result.accepted:
        flash(
            gettext(
                "Accepted (R12): %(cases)s.",
                cases=", ".join(result.accepted),
            ),
            "success",
        )
    if result.refused and not result.accepted:
        flash(gettext("None of the %(n)s selected cases was accepted.", n=total), "error")
    for case_no, reason in result.refused:
        flash(
            gettext("%(case_no)s not accepted. %(reason)s", case_no=case_no, reason=reason), "error"
        )
    return redirect(back, code=303)


# --- every case of the store ------------------------------------------------------------------


@dataclass(frozen=True)
class CaseListRow:
    case_no: str
    order_no: str
    kind_label: str
    reason_label: str
    status: str
    status_label: str
    opened_at: datetime
    updated_at: datetime
    next_due_at: datetime | None
    next_rule: str | None
    next_party_label: str


_STATUS_FILTERS = ("open", "closed", "all")


@bp.route("/cases")
def cases() -> ResponseReturnValue:
    """R17/R21: every case of the store, latest activity first, open or closed, by number."""

    shown = request.args.get("show", "open")
    if shown not in _STATUS_FILTERS:
        shown = "open"
    wanted = (request.args.get("q") or "").strip()[:100]
    page = _page_number()
    found = case_summaries(
        get_db(),
        merchant_id=merchant_id(),
        state={"open": "open", "closed": "ended"}.get(shown, "all"),  # type: ignore[arg-type]
        case_or_order=wanted or None,
        limit=PAGE_SIZE + 1,
        offset=(page - 1) * PAGE_SIZE,
    )
    rows = [
        CaseListRow(
            case_no=r.case_no,
            order_no=r.order_no,
            kind_label=kind_label(r.kind),
            reason_label=reason_label(r.reason_code),
            status=r.status,
            status_label=status_label(r.status),
            opened_at=r.opened_at,
            updated_at=r.updated_at,
            next_due_at=r.next_due_at,
            next_rule=r.next_rule,
            next_party_label=party_label(r.next_party) if r.next_party else "",
        )
        for r in found[:PAGE_SIZE]
    ]
    return render_template(
        "merchant/cases.html",
        rows=rows,
        shown=shown,
        wanted=wanted,
        page=page,
        has_next=len(found) > PAGE_SIZE,
    )


# --- the case page --------------------------------------------------------------------------


@dataclass
class WarrantyInfo:
    in_warranty: bool
    until: datetime
    months: int
    component: str


def _step_details(view: CaseView, code: str) -> dict[str, Any] | None:
    for step in reversed(view.steps):
        if step.step.step == code:
            return step.step.details
    return None


def _warranty(view: CaseView) -> WarrantyInfo | None:
    """R5/R6: whether the repair was asked for within warranty (judged when it was requested).
    A domain decision: the order and the policy come from the service, the rule from domain.rules.
    """
    opened = _step_details(view, "opened")
    if opened is None or not opened.get("delivered_at"):
        return None
    from projections.db import parse_ts

    try:
        service = get_service()
        order = service.get_order(view.summary.order_no)
        _, terms = service.get_policy(view.summary.merchant_id).applicable(
            order.placed_at, view.summary.opened_at
        )
    except DomainError:
        return None
    component = str(opened.get("component") or "unit")
    months = terms.warranty_months_for(component)
    until = rules.warranty_end(parse_ts(str(opened["delivered_at"])), months)
    return WarrantyInfo(view.summary.opened_at < until, until, months, component)


@dataclass(frozen=True)
class RefundPreview:
    goods: str
    shipping: str
    total: str
    cap: str
    split: list[tuple[str, str, bool]]  # (tender label, amount, in kind)
    return_leg_payer: str
    outbound_leg_payer: str


_TENDER_LABELS: dict[str, Any] = {
    "card": _l("bank card"),
    "wallet": _l("wallet balance"),
    "points": _l("points"),
    "coupon": _l("coupon"),
}


def _refund_preview(view: CaseView, ruling: dict[str, Any] | None) -> RefundPreview | str | None:
    """R3/R3.a/R2, read-only: what the platform's refund would pay, per tender, and who pays
    which shipping leg. A text when the domain cannot plan one yet (the reason, with its rule)."""
    s = view.summary
    refund_bearing = s.kind in ("return_refund", "refund_only")
    ruled_refund = ruling is not None and ruling.get("outcome") == "refund"
    if s.status in _TERMINAL or s.refund_total_fen is not None:
        return None
    if ruling is not None and not ruled_refund:
        return None
    if not (refund_bearing or ruled_refund):
        return None
    amount = int(ruling["refund_fen"]) if ruling is not None and ruled_refund else None
    try:
        plan = get_service().refund_preview(s.case_no, amount)
    except DomainError as error:
        return refusal_text(error)
    cur = plan.currency
    return RefundPreview(
        goods=money(plan.goods_fen, cur),
        shipping=money(plan.shipping_fen, cur),
        total=money(plan.total_fen, cur),
        cap=money(plan.cap_fen, cur),
        split=[
            (
                str(_TENDER_LABELS.get(part.kind.value, part.kind.value)),
                money(part.amount_fen, cur),
                part.in_kind,
            )
            for part in plan.split
        ],
        return_leg_payer=party_label(plan.return_leg_payer.value),
        outbound_leg_payer=party_label(plan.outbound_leg_payer.value),
    )


def _needs_quote(view: CaseView, warranty: WarrantyInfo | None) -> bool:
    """R6: a repair the user pays for (out of warranty, or damage they caused) is quoted and
    accepted before work starts; asked of domain.rules with the inspection's finding."""
    found = view.summary.responsibility
    if found is None:
        return False
    charge = rules.repair_charge(
        in_warranty=bool(warranty and warranty.in_warranty),
        responsibility=Responsibility(found),
        quoted_fee_fen=0,
        fee_cap_fen=None,
    )
    return charge.needs_consent


def available_actions(view: CaseView, warranty: WarrantyInfo | None = None) -> dict[str, bool]:
    """The merchant's moves that fit the case now (R7, R8, R10, R12, R14, R3, R6, R21). The
    domain still decides: a move shown here that it refuses comes back with its rule."""
    s = view.summary
    status, kind = s.status, s.kind
    open_ = status not in _TERMINAL
    ruling = _step_details(view, "ruled")
    outcome = ruling.get("outcome") if ruling else None
    quoted = _step_details(view, "repair_quoted") is not None
    accepted_quote = _step_details(view, "quote_accepted") is not None
    ruled_compensation = int(ruling.get("compensation_fen", 0)) if ruling else 0
    repairable = kind == "repair" or outcome == "repair"
    needs_quote = kind == "repair" and ruling is None and _needs_quote(view, warranty)
    return {
        "accept": status in DECIDABLE and kind != "complaint",
        "reject": status in DECIDABLE and kind != "complaint",
        "return_delivered": status == "return_in_transit",
        "confirm_receipt": status == "return_delivered",
        "inspect": (status == "received" and ruling is None)
        or (kind == "repair" and status == "awaiting_return" and ruling is None),
        "inspect_on_site": kind == "repair" and status == "awaiting_return" and ruling is None,
        "quote": status == "repairing" and needs_quote and not quoted,
        "complete_repair": repairable
        and (
            status == "returning_unrepaired"
            or (status == "repairing" and (accepted_quote or not needs_quote))
            or (outcome == "repair" and status in ("ruled", "received"))
        ),
        "ship_exchange": status == "awaiting_exchange"
        or (outcome == "exchange" and status in ("ruled", "received")),
        "compensate": open_
        and not s.compensation_fen
        and (ruled_compensation > 0 or (ruling is None and (s.responsibility or "") in _AT_FAULT)),
        "escalate": open_
        and ruling is None
        and status not in ("requested", "in_arbitration", "ruled"),
        "evidence": open_ and ruling is None,
        "note": True,
    }


def _deadline(view: CaseView, name: str) -> Any:
    for d in view.deadlines:
        if d.name == name:
            return d
    return None


@bp.route("/cases/<case_no>")
def case(case_no: str) -> ResponseReturnValue:
    own_case(case_no)
    view = load_case_view(case_no, include_internal=True)
    warranty = _warranty(view) if view.summary.kind == "repair" else None
    actions = available_actions(view, warranty)
    ruling = _step_details(view, "ruled")
    policy = current_policy(get_db(), view.summary.merchant_id)
    return render_template(
        "merchant/case.html",
        view=view,
        actions=actions,
        any_move=any(v for k, v in actions.items() if k not in ("note", "inspect_on_site")),
        ruling=ruling,
        preview=_refund_preview(view, ruling),
        warranty=warranty,
        quote=_step_details(view, "repair_quoted"),
        responsibilities=[(r.value, str(RESPONSIBILITY_LABELS[r.value])) for r in Responsibility],
        decision_deadline=_deadline(view, "merchant_decision"),
        first_response_deadline=_deadline(view, "first_response"),
        receipt_deadline=_deadline(view, "confirm_receipt"),
        carrier=policy.terms.after_sales_carrier if policy else "",
        fee_cap=money(policy.terms.repair_fee_cap_fen) if policy else "",
        ruled_compensation=money(int(ruling.get("compensation_fen", 0))) if ruling else "",
    )


_perform = perform  # flash, refresh the read models, 303


def _back(case_no: str) -> str:
    return url_for("merchant.case", case_no=case_no)


def _text(name: str) -> str:
    return (request.form.get(name) or "").strip()


def _refuse(case_no: str, message: str) -> ResponseReturnValue:
    """Bad input caught before the domain: say which field and rule, store nothing."""
    flash(message, "error")
    return redirect(_back(case_no), code=303)


def _uploads(case_no: str, field: str = "photos") -> list[Any] | ResponseReturnValue:
    from web.common import evidence as store

    try:
        checked = store.check_uploads(request.files.getlist(field), field=field)
    except store.UploadError as error:
        return _refuse(case_no, error.message)
    return [store.save(item) for item in checked]


def _action(path: str) -> Callable[[Callable[[str], ResponseReturnValue]], Any]:
    def register(view: Callable[[str], ResponseReturnValue]) -> Any:
        def wrapped(case_no: str) -> ResponseReturnValue:
            own_case(case_no)  # 404 for another store's case, before anything is read or stored
            return view(case_no)

        wrapped.__name__ = view.__name__
        return bp.route(f"/cases/<case_no>/{path}", methods=["POST"], endpoint=view.__name__)(
            wrapped
        )

    return register


@_action("accept")
def accept(case_no: str) -> ResponseReturnValue:
    return _perform(
        "accept",
        _back(case_no),
        success=gettext("Application accepted (R12)."),
        case_no=case_no,
        reason=_text("reason"),
    )


@_action("reject")
def reject(case_no: str) -> ResponseReturnValue:
    reason = _text("reason")
    if not reason:
        return _refuse(
            case_no,
            gettext("Not possible (R12): a rejection always gives its reason. Write the reason."),
        )
    return _perform(
        "reject",
        _back(case_no),
        success=gettext("Application rejected with your reason (R12)."),
        case_no=case_no,
        reason=reason,
    )


def _parse_local_time(text: str) -> datetime | None:
    """A ``datetime-local`` input, read in the viewer's time zone; raises ValueError."""
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=viewer_zone())
    return moment


@_action("return-delivered")
def return_delivered(case_no: str) -> ResponseReturnValue:
    try:
        delivered_at = _parse_local_time(_text("delivered_at"))
    except ValueError:
        return _refuse(
            case_no,
            gettext("Delivered at: enter a date and time such as 2026-03-01 14:30 (R3)."),
        )
    return _perform(
        "record_return_delivered",
        _back(case_no),
        success=gettext("Delivery of the returned goods recorded; the R3 clock runs."),
        case_no=case_no,
        delivered_at=delivered_at,
    )


@_action("confirm-receipt")
def confirm_receipt(case_no: str) -> ResponseReturnValue:
    return _perform(
        "confirm_receipt",
        _back(case_no),
        success=gettext("Receipt of the returned goods confirmed (R3)."),
        case_no=case_no,
        reason=_text("reason"),
    )


@_action("inspect")
def inspect(case_no: str) -> ResponseReturnValue:
    responsibility = _text("responsibility")
    findings = _text("findings")
    if responsibility not in {r.value for r in Responsibility}:
        return _refuse(
            case_no, gettext("Responsibility: choose who is responsible for the problem (R14).")
        )
    if not findings:
        return _refuse(case_no, gettext("Findings: write what the inspection found (R14)."))
    uploaded = _uploads(case_no)
    if not isinstance(uploaded, list):
        return uploaded
    return _perform(
        "inspect",
        _back(case_no),
        success=gettext("Inspection result recorded (R14)."),
        case_no=case_no,
        responsibility=responsibility,
        findings=findings,
        evidence=uploaded,
        on_site=_text("on_site") in ("1", "on"),
    )


def _amount(case_no: str, name: str, label: str, rule: str) -> int | ResponseReturnValue:
    try:
        fen = parse_yuan(_text(name))
    except ValueError:
        fen = None
    if fen is None or fen <= 0:
        return _refuse(
            case_no,
            gettext(
                "%(field)s: enter an amount in yuan above 0, such as 88 or 88.50 (%(rule)s).",
                field=label,
                rule=rule,
            ),
        )
    return fen


@_action("quote")
def quote(case_no: str) -> ResponseReturnValue:
    fee = _amount(case_no, "fee", gettext("Repair fee"), "R6")
    if not isinstance(fee, int):
        return fee
    return _perform(
        "quote_repair",
        _back(case_no),
        success=gettext("Repair fee quoted; the consumer accepts or declines it (R6)."),
        case_no=case_no,
        fee_fen=fee,
        reason=_text("reason"),
    )


@_action("complete-repair")
def complete_repair(case_no: str) -> ResponseReturnValue:
    notes = _text("notes")
    carrier, tracking = _text("carrier"), _text("tracking_no")
    if not notes:
        return _refuse(case_no, gettext("Repair notes: say what was done (R7)."))
    if bool(carrier) != bool(tracking):
        return _refuse(
            case_no,
            gettext(
                "Return shipment: give both the carrier and the tracking number, or neither for "
                "an on-site repair (R7, R13)."
            ),
        )
    return _perform(
        "complete_repair",
        _back(case_no),
        success=gettext("Repair completed (R7)."),
        case_no=case_no,
        notes=notes,
        carrier=carrier,
        tracking_no=tracking,
    )


@_action("ship-exchange")
def ship_exchange(case_no: str) -> ResponseReturnValue:
    carrier, tracking = _text("carrier"), _text("tracking_no")
    if not carrier or not tracking:
        return _refuse(
            case_no,
            gettext("Replacement shipment: give the carrier and the tracking number (R8, R25)."),
        )
    return _perform(
        "ship_exchange",
        _back(case_no),
        success=gettext("Replacement shipped (R8)."),
        case_no=case_no,
        carrier=carrier,
        tracking_no=tracking,
    )


@_action("compensate")
def compensate(case_no: str) -> ResponseReturnValue:
    amount = _amount(case_no, "amount", gettext("Compensation"), "R14")
    if not isinstance(amount, int):
        return amount
    reason = _text("reason")
    if not reason:
        return _refuse(case_no, gettext("Reason: say what the compensation is for (R14)."))
    return _perform(
        "grant_compensation",
        _back(case_no),
        success=gettext("Compensation granted (R14)."),
        case_no=case_no,
        amount_fen=amount,
        reason=reason,
    )


@_action("escalate")
def escalate(case_no: str) -> ResponseReturnValue:
    reason = _text("reason")
    if not reason:
        return _refuse(case_no, gettext("Reason: say why negotiation failed (R10)."))
    return _perform(
        "escalate",
        _back(case_no),
        success=gettext("Sent to arbitration; its ruling will be final (R10)."),
        case_no=case_no,
        reason=reason,
    )


@_action("evidence")
def evidence(case_no: str) -> ResponseReturnValue:
    uploaded = _uploads(case_no)
    if not isinstance(uploaded, list):
        return uploaded
    if not uploaded:
        return _refuse(case_no, gettext("Photos and documents: choose at least one file (R21)."))
    return _perform(
        "submit_evidence",
        _back(case_no),
        success=gettext("Evidence added to the case (R21)."),
        case_no=case_no,
        evidence=uploaded,
        reason=_text("reason"),
    )


@_action("note")
def note(case_no: str) -> ResponseReturnValue:
    text = _text("text")
    if not text:
        return _refuse(case_no, gettext("Note: write the note's text (R21)."))
    internal = _text("internal") in ("1", "on")
    return _perform(
        "add_note",
        _back(case_no),
        success=gettext("Internal note added (P4).") if internal else gettext("Note added (R21)."),
        case_no=case_no,
        text=text,
        internal=internal,
    )


# --- the store's policy (R11, R19, R23) -------------------------------------------------------


def _render_policy(form: PolicyForm, status: int = 200) -> ResponseReturnValue:
    db = get_db()
    mid = merchant_id()
    history = policy_history(db, mid)
    return (
        render_template(
            "merchant/policy.html",
            form=form,
            current=history[0] if history else None,
            history=history,
            merchant_id=mid,
            labels=FIELD_LABELS,
            int_fields=INT_FIELDS,
            floor_hint=floor_hint,
            kind_labels=[(k, str(v)) for k, v in EXCLUSION_KIND_LABELS.items()],
            **public_constants(),
        ),
        status,
    )


@bp.route("/policy", methods=["GET"])
def policy() -> ResponseReturnValue:
    current = current_policy(get_db(), merchant_id())
    return _render_policy(form_from_terms(current.terms if current else None))


@bp.route("/policy", methods=["POST"])
def publish_policy() -> ResponseReturnValue:
    form, terms = parse_policy_form(request.form)
    if terms is None:
        flash(gettext("The policy was not published: correct the marked fields."), "error")
        return _render_policy(form, 400)
    try:
        result = get_service().publish_policy(
            request_id=request_id_from_form(),
            actor=current_actor(),
            merchant_id=merchant_id(),
            terms=terms,
            summary=form.value("summary"),
        )
    except DomainError as error:
        explain_refusal(form, error)
        flash(gettext("The policy was not published: correct the marked fields."), "error")
        return _render_policy(form, 400)
    refresh_read_models()
    flash(
        gettext(
            "Version %(n)s of your after-sales policy is published; cases are judged by the "
            "version in force when the order was placed, unless a later one is more generous "
            "(R19).",
            n=result.detail.get("version", "?"),
        ),
        "success",
    )
    return redirect(url_for("merchant.policy"), code=303)
