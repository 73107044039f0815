"""``/finance/discrepancies``: finance's queue of reconciliation discrepancies (issue 8; R3), the
oldest import first, each with the resolutions the domain allows it
(``domain.settlement.RESOLUTIONS``): match by hand, mark paid, write off, reopen the payment;
each one an event. ``?state=all`` also lists the resolved ones."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError

from domain.errors import DomainError
from web.api.schemas.settlement import ResolveDiscrepancySchema
from web.common.actions import refusal_text, request_id_from_form
from web.common.auth import current_actor
from web.common.finance import discrepancy_rows
from web.common.fresh_reads import remember
from web.common.labels import TENDER_LABELS
from web.pages.finance.base import OUTCOME_LABELS, bp
from web.services import get_service

RESOLUTION_LABELS = {
    "match_by_hand": _l("Match by hand"),
    "mark_paid": _l("Mark paid (records the case's refund payment)"),
    "write_off": _l("Write off"),
    "reopen_payment": _l("Reopen the payment (owed to the consumer again)"),
}
DONE_LABELS = {
    "match_by_hand": _l("Matched by hand"),
    "mark_paid": _l("Marked paid"),
    "write_off": _l("Written off"),
    "reopen_payment": _l("Payment reopened"),
}


@bp.route("/discrepancies")
def discrepancies() -> ResponseReturnValue:
    show_all = request.args.get("state") == "all"
    rows = discrepancy_rows(open_only=not show_all)
    return render_template(
        "finance/discrepancies.html",
        rows=rows,
        show_all=show_all,
        outcome_labels=OUTCOME_LABELS,
        resolution_labels=RESOLUTION_LABELS,
        done_labels=DONE_LABELS,
        tender_labels=TENDER_LABELS,
    )


@bp.route("/discrepancies/<run_id>/<int:item_no>", methods=["POST"])
def resolve(run_id: str, item_no: int) -> ResponseReturnValue:
    back = url_for("finance.discrepancies")
    form = {k: v for k, v in request.form.items() if k != "csrf_token"}
    form["request_id"] = request_id_from_form()
    try:
        data = ResolveDiscrepancySchema().load(form)
    except ValidationError as invalid:
        for name, messages in sorted(dict(invalid.messages_dict).items()):
            flash(
                gettext("%(field)s: %(problem)s", field=name, problem=" ".join(map(str, messages))),
                "error",
            )
        return redirect(back, code=303)
    try:
        result = get_service().resolve_discrepancy(
            request_id=data["request_id"],
            actor=current_actor(),
            settlement_no=run_id,
            item_no=item_no,
            resolution=data["resolution"],
            reason=data["reason"].strip(),
            case_no=data["case_no"].strip(),
            tender=data["tender"],
        )
    except DomainError as error:
        flash(refusal_text(error), "error")
    else:
        flash(
            gettext("Discrepancy %(item)s of %(run)s resolved.", item=item_no, run=run_id),
            "success",
        )
        remember(result)
    return redirect(back, code=303)
