"""``/my/orders/<no>/lines/<line>/open``: opening a case with photos (R20: the service triages)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from domain import rules
from domain.application_preview import preview_for
from domain.case_values import Evidence
from domain.errors import DomainError
from domain.service import LineRequest
from domain.values import CaseKind, Reason
from web.common import evidence as evidence_store
from web.common.actions import refusal_text, request_id_from_form
from web.common.fresh_reads import remember
from web.pages.consumer.base import (
    bp,
    discard,
    me,
    save_all,
    utc_now,
)
from web.pages.consumer.open_form import (
    LineExtras,
    OpenForm,
    line_extras,
    offered_kinds,
    read_open_form,
    reason_choices,
    refusal_message,
)
from web.pages.consumer.open_review import Reviewed, sign, summary, unsign
from web.pages.consumer.order_view import LineStatus, OrderView, order_view
from web.pages.consumer.orders import own_order_rows
from web.services import get_service


def _extras(view: OrderView, line_no: int) -> LineExtras:
    line = get_service().get_order(view.order_no).line(line_no)
    return line_extras(line, view.terms, view.delivered_at)


def _open_page(
    view: OrderView,
    status: LineStatus,
    form: OpenForm,
    code: int = 200,
    kept: tuple[Evidence, ...] = (),
) -> ResponseReturnValue:
    carrier = view.terms.after_sales_carrier if view.terms else ""
    extras = _extras(view, status.row.line_no)
    return (
        render_template(
            "consumer/open.html",
            order=view,
            line=status,
            form=form,
            kinds=offered_kinds(status),
            reasons=reason_choices(),
            max_mb=evidence_store.max_bytes() // (1024 * 1024) or 1,
            carrier=carrier,
            opened_note=extras.opened_note,
            parts=extras.parts,
            kept=kept,
            kept_token=_keep_token(view, status, kept),
        ),
        code,
    )


def _keep_token(view: OrderView, status: LineStatus, kept: tuple[Evidence, ...]) -> str:
    if not kept:
        return ""
    return sign(
        Reviewed(
            view.order_no, status.row.line_no, me().actor.id, "", "", "", 1, False, "", "", kept
        )
    )


@bp.route("/orders/<order_no>/lines/<int:line_no>/open", methods=["GET", "POST"])
def open_case(order_no: str, line_no: int) -> ResponseReturnValue:
    rows = own_order_rows(order_no)
    now = utc_now()
    view = order_view(rows, now)
    status = next((ls for ls in view.lines if ls.row.line_no == line_no), None)
    if status is None:
        abort(404)
    if request.method == "GET":
        kind = request.args.get("kind", "")
        offered = [value for value, _label in offered_kinds(status)]
        default_kind = kind if kind in offered else offered[0]
        # Issue 11 item 1: no reason is chosen for the consumer; the form asks for one.
        return _open_page(view, status, OpenForm(kind=default_kind))
    step = request.form.get("step", "review")
    if step in ("confirm", "edit"):
        reviewed = unsign(request.form.get("review", ""))
        if reviewed is None or (reviewed.order_no, reviewed.line_no, reviewed.consumer_id) != (
            order_no,
            line_no,
            me().actor.id,
        ):
            form = OpenForm()
            form.refusal = gettext(
                "This review is no longer valid (it is over an hour old or was changed). "
                "Please fill in the application again."
            )
            return _open_page(view, status, form, 400)
        if step == "edit":
            return _open_page(view, status, reviewed.as_form(), kept=reviewed.evidence)
        return _file(view, status, reviewed)

    form, quantity = read_open_form(status, _extras(view, line_no))
    try:
        uploads = evidence_store.check_uploads(request.files.getlist("photos"), field="photos")
    except evidence_store.UploadError as error:
        form.errors[error.field] = error.message
        uploads = []
    kept = _kept_evidence()
    if form.errors:
        return _open_page(view, status, form, 400, kept=kept)
    assert quantity is not None

    service = get_service()
    order = service.get_order(order_no)
    line = order.line(line_no)
    if view.terms is not None and form.kind != CaseKind.COMPLAINT.value:
        verdict = rules.eligibility(
            CaseKind(form.kind),
            Reason(form.reason),
            line,
            view.terms,
            order.delivered_at,
            now,
            form.component,
            opened=form.opened,
        )
        if not verdict.allowed:
            form.refusal = refusal_message(verdict, line, view.terms, opened=form.opened)
            return _open_page(view, status, form, 422)

    save_all(uploads)
    reviewed = Reviewed(
        order_no=order_no,
        line_no=line_no,
        consumer_id=me().actor.id,
        request_id=request_id_from_form(),
        kind=form.kind,
        reason=form.reason,
        quantity=quantity,
        opened=form.opened,
        component=form.component,
        description=form.description,
        evidence=kept + tuple(item.evidence for item in uploads),
    )
    return _review_page(view, status, reviewed)


def _kept_evidence() -> tuple[Evidence, ...]:
    """Files attached before the consumer went back to change the application."""
    reviewed = unsign(request.form.get("review", ""))
    if reviewed is None or reviewed.consumer_id != me().actor.id:
        return ()
    return reviewed.evidence


def _review_page(view: OrderView, status: LineStatus, reviewed: Reviewed) -> ResponseReturnValue:
    """What filing will record (domain.application_preview), to confirm or change."""
    answer = preview_for(
        get_service(),
        actor=me().actor,
        order_no=reviewed.order_no,
        kind=reviewed.kind,
        reason=reviewed.reason,
        lines=[(reviewed.line_no, reviewed.quantity, reviewed.opened)],
    )
    extras = _extras(view, status.row.line_no)
    part = dict(extras.parts).get(reviewed.component, "") if len(extras.parts) > 1 else ""
    return render_template(
        "consumer/open_review.html",
        order=view,
        line=status,
        sections=summary(answer, reviewed, status.row.title, part),
        token=sign(reviewed),
        request_id=reviewed.request_id,
    )


def _file(view: OrderView, status: LineStatus, reviewed: Reviewed) -> ResponseReturnValue:
    """File the application exactly as reviewed (the request id makes a second click harmless)."""
    try:
        result = get_service().open_case(
            request_id=reviewed.request_id,
            actor=me().actor,
            order_no=reviewed.order_no,
            kind=reviewed.kind,
            reason_code=reviewed.reason,
            lines=[LineRequest(reviewed.line_no, reviewed.quantity, opened=reviewed.opened)],
            description=reviewed.description,
            evidence=list(reviewed.evidence),
            component=reviewed.component,
        )
    except DomainError as error:
        discard([item.sha256 for item in reviewed.evidence])  # kept only if a case carries it
        form = reviewed.as_form()
        form.refusal = refusal_text(error)
        return _open_page(view, status, form, 422)
    case_no = result.key  # R20: the service triaged it as it opened it
    remember(result)
    flash(gettext("Your application %(no)s was submitted.", no=case_no), "success")
    return redirect(url_for("consumer.case", case_no=case_no), code=303)
