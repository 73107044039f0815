"""``/agent/cases/<no>``: the shared case view with internal steps (P4) and the agent's moves:
respond / give the handling opinion (R9.a), approve a refund (R3, R3.a), accept or reject in the
merchant's place after its deadline (R12.a), file a complaint for the consumer (R9), grant
compensation (R14, R10), route (R20), close, notes (R21). Every form goes through
``web.common.actions.perform``; input is checked first so a mistake names the field."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from domain.errors import DomainError
from domain.process import Move
from domain.triage import classify
from domain.values import CaseKind
from web.common import evidence as store
from web.common.actions import perform, refusal_text
from web.common.amounts import AmountError, amount_error_text, parse_yuan
from web.common.casepage import load_case_view
from web.common.formats import money, yuan_text
from web.common.labels import (
    kind_label,
)
from web.common.move_forms import post_other_move
from web.common.moves import perform_move
from web.common.translate import gettext
from web.pages.agent.base import (
    bp,
    case_url,
    form_text,
    queue_choices,
    queue_name,
    summary_or_404,
    text_move,
)
from web.pages.agent.case_view import case_forms, ruling_facts
from web.services import get_service


@bp.route("/cases/<case_no>")
def case(case_no: str) -> ResponseReturnValue:
    view = load_case_view(case_no, include_internal=True)
    steps = [s.step for s in view.steps]
    ruling = ruling_facts(steps)
    acts = case_forms(view.summary, ruling)
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
    return text_move(
        case_no,
        Move.RESPOND_TO_COMPLAINT,
        gettext("The response is recorded and shown to the consumer (R9.a)."),
    )


@bp.route("/cases/<case_no>/opinion", methods=["POST"])
def opinion(case_no: str) -> ResponseReturnValue:
    """R9.a: the platform's handling opinion, within 72 hours."""
    return text_move(
        case_no,
        Move.GIVE_OPINION,
        gettext("The handling opinion is recorded (R9.a)."),
    )


@bp.route("/cases/<case_no>/approve-refund", methods=["POST"])
def approve_refund(case_no: str) -> ResponseReturnValue:
    """R3: the platform approves the refund; R3.a caps it and splits it over the tenders."""
    summary = summary_or_404(case_no)
    back = case_url(case_no, "refund")
    raw = (request.form.get("amount") or "").strip()
    reason = form_text("reason", gettext("Reason for a partial refund"), required=False)
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
        if amount == full.cap_fen:
            amount = None  # the full refund: the domain computes the same plan
    deduction = _deduction_from_form(summary.currency)
    if deduction is None:
        return redirect(back, code=303)
    return perform(
        "approve_refund",
        case_url(case_no, "top"),
        success=gettext("Refund approved. Finance pays it within the working days of R3."),
        case_no=case_no,
        amount_fen=amount,
        reason=reason,
        **deduction,
    )


def _deduction_from_form(currency: str) -> dict[str, Any] | None:
    """R3.a (issue 8): a refund below the entitlement states one deduction of a kind the
    published policy names, its amount and its evidence; the domain checks them (None: the
    amount was malformed, flashed)."""
    kind = (request.form.get("deduction_kind") or "").strip()
    raw = (request.form.get("deduction_amount") or "").strip()
    evidence = (request.form.get("deduction_evidence") or "").strip()[:200]
    if not kind and not raw:
        return {}
    fen: int | None = None
    if raw:
        try:
            fen = parse_yuan(raw)
        except AmountError as error:
            flash(amount_error_text(gettext("Deduction (yuan)"), error), "error")
            return None
    return {
        "deduction_kind": kind or None,
        "deduction_fen": fen,
        "deduction_evidence": evidence,
    }


@bp.route("/cases/<case_no>/return-receipt", methods=["POST"])
def return_receipt(case_no: str) -> ResponseReturnValue:
    """R2 (issue 8): accept the carrier's receipt for a declared return fee above the policy's
    unproven limit, so the whole fee is owed; the domain decides whether it may be accepted."""
    summary_or_404(case_no)
    back = case_url(case_no, "receipt")
    try:
        files = store.check_uploads(request.files.getlist("receipt"), field="receipt")
    except store.UploadError as error:
        flash(error.message, "error")
        return redirect(back, code=303)
    if len(files) != 1:
        flash(
            gettext("%(field)s: attach the one receipt file.", field=gettext("Shipping receipt")),
            "error",
        )
        return redirect(back, code=303)
    reason = form_text("reason", gettext("Why the receipt is accepted"), required=False)
    if reason is None:
        return redirect(back, code=303)
    return perform(
        "accept_return_receipt",
        case_url(case_no, "top"),
        success=gettext("Receipt accepted: the whole return fee is owed (R2)."),
        case_no=case_no,
        receipt=store.save(files[0]),
        reason=reason,
    )


@bp.route("/cases/<case_no>/accept", methods=["POST"])
def accept(case_no: str) -> ResponseReturnValue:
    """R12.a: accept in the merchant's place; the domain allows it only after the merchant's
    deadline was missed."""
    summary_or_404(case_no)
    reason = (request.form.get("reason") or "").strip()
    form = {
        **request.form.to_dict(),
        "reason": reason
        or gettext("Accepted by the platform after the merchant missed its deadline"),
    }
    return perform_move(
        Move.ACCEPT,
        case_no,
        case_url(case_no, "top"),
        success=gettext("Accepted in the merchant's place (R12.a)."),
        form=form,
        error_to=case_url(case_no),
    )


@bp.route("/cases/<case_no>/reject", methods=["POST"])
def reject(case_no: str) -> ResponseReturnValue:
    """R12 / R12.a: reject in the merchant's place, always with a reason."""
    return text_move(
        case_no,
        Move.REJECT,
        gettext("Rejected in the merchant's place (R12.a)."),
    )


@bp.route("/cases/<case_no>/complaint", methods=["POST"])
def file_complaint(case_no: str) -> ResponseReturnValue:
    """R9: a complaint taken by platform customer service on an existing case."""
    return text_move(
        case_no,
        Move.FILE_COMPLAINT,
        gettext("Complaint filed; the platform answers within 24 hours (R9.a)."),
        channel="platform",
    )


@bp.route("/cases/<case_no>/compensation", methods=["POST"])
def compensation(case_no: str) -> ResponseReturnValue:
    """R14 repair plus compensation, or the compensation a ruling fixed (R10)."""
    summary_or_404(case_no)
    return perform_move(
        Move.GRANT_COMPENSATION,
        case_no,
        case_url(case_no, "top"),
        success=gettext("Compensation granted (R14)."),
        error_to=case_url(case_no, "compensation"),
    )


@bp.route("/cases/<case_no>/route", methods=["POST"])
def route(case_no: str) -> ResponseReturnValue:
    """R20: a person overrides the automatic triage (confidence 100 %: a person decided)."""
    summary = summary_or_404(case_no)
    back = request.form.get("back") == "home"
    target = url_for("agent.home", _anchor="triage") if back else case_url(case_no, "triage")
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
    reason = form_text("reason", gettext("Why the triage is changed"))
    if reason is None:
        return redirect(target, code=303)
    return perform_move(
        Move.ROUTE,
        case_no,
        target,
        success=gettext("Routed to %(queue)s (R20).", queue=queue_name(queue)),
        confidence_pct=100,  # a person decided
    )


@bp.route("/cases/<case_no>/close", methods=["POST"])
def close(case_no: str) -> ResponseReturnValue:
    return text_move(
        case_no,
        Move.CLOSE,
        gettext("The case is closed."),
    )


@bp.route("/cases/<case_no>/note", methods=["POST"])
def note(case_no: str) -> ResponseReturnValue:
    """R21 / P4: a note on the record; internal notes are hidden from the consumer."""
    summary_or_404(case_no)
    internal = request.form.get("visible_to_consumer") not in ("1", "on", "yes")
    return perform_move(
        Move.ADD_NOTE,
        case_no,
        case_url(case_no, "top"),
        success=gettext("Internal note added.") if internal else gettext("Note added."),
        form={**request.form.to_dict(), "internal": "1" if internal else ""},
        error_to=case_url(case_no, "note"),
    )


@bp.route("/cases/<case_no>/moves/<move>", methods=["POST"])
def other_move(case_no: str, move: str) -> ResponseReturnValue:
    """A move the page offers by its generic form (recording a return's delivery R3, an
    inspection R14, confirming receipt in the merchant's place R3 ...)."""
    summary_or_404(case_no)
    return post_other_move(case_no, move, case_url(case_no, "top"))
