"""``/merchant/cases/<no>``: the shared case view with the store's internal notes (P4) and the
merchant's forms."""

from __future__ import annotations

from flask import (
    render_template,
)
from flask.typing import ResponseReturnValue

from domain.values import Responsibility
from projections.policies import current_policy
from web import get_db
from web.common.casepage import load_case_view
from web.common.formats import money
from web.common.labels import (
    RESPONSIBILITY_LABELS,
)
from web.pages.merchant.base import bp, own_case
from web.pages.merchant.case_view import (
    case_forms,
    deadline_of,
    other_forms,
    refund_preview,
    step_details,
    warranty_info,
)


@bp.route("/cases/<case_no>")
def case(case_no: str) -> ResponseReturnValue:
    own_case(case_no)
    view = load_case_view(case_no, include_internal=True)
    warranty = warranty_info(view) if view.summary.kind == "repair" else None
    actions = case_forms(view)
    others = other_forms(view)
    ruling = step_details(view, "ruled")
    policy = current_policy(get_db(), view.summary.merchant_id)
    return render_template(
        "merchant/case.html",
        view=view,
        actions=actions,
        others=others,
        any_move=bool(others)
        or any(v for k, v in actions.items() if k not in ("note", "inspect_on_site")),
        ruling=ruling,
        preview=refund_preview(view, ruling),
        warranty=warranty,
        quote=step_details(view, "repair_quoted"),
        responsibilities=[(r.value, str(RESPONSIBILITY_LABELS[r.value])) for r in Responsibility],
        decision_deadline=deadline_of(view, "merchant_decision"),
        first_response_deadline=deadline_of(view, "first_response"),
        receipt_deadline=deadline_of(view, "confirm_receipt"),
        carrier=policy.terms.after_sales_carrier if policy else "",
        fee_cap=money(policy.terms.repair_fee_cap_fen) if policy else "",
        ruled_compensation=money(int(ruling.get("compensation_fen", 0))) if ruling else "",
    )
