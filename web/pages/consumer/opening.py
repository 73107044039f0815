"""``/my/orders/<no>/lines/<line>/open``: opening a case with photos (R20: the service triages)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from domain import rules
from domain.errors import DomainError
from domain.service import LineRequest
from domain.values import CaseKind, Reason
from web.common import evidence as evidence_store
from web.common.actions import refresh_read_models, refusal_text, request_id_from_form
from web.pages.consumer.base import (
    REASONS_BY_KIND,
    bp,
    discard,
    me,
    save_all,
    utc_now,
)
from web.pages.consumer.open_form import (
    LineExtras,
    OpenForm,
    kind_choices,
    line_extras,
    read_open_form,
    reason_choices,
    refusal_message,
)
from web.pages.consumer.order_view import LineStatus, OrderView, order_view
from web.pages.consumer.orders import own_order_rows
from web.services import get_service


def _extras(view: OrderView, line_no: int) -> LineExtras:
    line = get_service().get_order(view.order_no).line(line_no)
    return line_extras(line, view.terms, view.delivered_at)


def _open_page(
    view: OrderView, status: LineStatus, form: OpenForm, code: int = 200
) -> ResponseReturnValue:
    carrier = view.terms.after_sales_carrier if view.terms else ""
    extras = _extras(view, status.row.line_no)
    return (
        render_template(
            "consumer/open.html",
            order=view,
            line=status,
            form=form,
            kinds=kind_choices(),
            reasons=reason_choices(),
            max_mb=evidence_store.max_bytes() // (1024 * 1024) or 1,
            carrier=carrier,
            opened_note=extras.opened_note,
            parts=extras.parts,
        ),
        code,
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
        default_kind = kind if kind in REASONS_BY_KIND else CaseKind.RETURN_REFUND.value
        default_reason = "no_reason" if status.ok else ""
        return _open_page(view, status, OpenForm(kind=default_kind, reason=default_reason))

    form, quantity = read_open_form(status, _extras(view, line_no))
    try:
        uploads = evidence_store.check_uploads(request.files.getlist("photos"), field="photos")
    except evidence_store.UploadError as error:
        form.errors[error.field] = error.message
        uploads = []
    if form.errors:
        return _open_page(view, status, form, 400)
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

    saved = save_all(uploads)
    request_id = request_id_from_form()
    try:
        result = service.open_case(
            request_id=request_id,
            actor=me().actor,
            order_no=order_no,
            kind=form.kind,
            reason_code=form.reason,
            lines=[LineRequest(line_no, quantity, opened=form.opened)],
            description=form.description,
            evidence=[item.evidence for item in uploads],
            component=form.component,
        )
    except DomainError as error:
        discard(saved)
        form.refusal = refusal_text(error)
        return _open_page(view, status, form, 422)
    case_no = result.key  # R20: the service triaged it as it opened it
    refresh_read_models()
    flash(gettext("Your application %(no)s was submitted.", no=case_no), "success")
    return redirect(url_for("consumer.case", case_no=case_no), code=303)
