"""``/merchant/policy``: the store's after-sales policy, published as a new version (R11, R19)."""

from __future__ import annotations

from flask import (
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from domain.errors import DomainError
from domain.terms import PLATFORM_FLOOR
from projections.policies import current_policy, policy_history
from web import get_db
from web.common.actions import request_id_from_form
from web.common.auth import (
    current_actor,
)
from web.common.fresh_reads import remember
from web.common.platform import platform_constants
from web.pages.merchant.base import bp, merchant_id
from web.pages.merchant.policy_form import (
    FIELD_LABELS,
    INT_FIELDS,
    PolicyForm,
    form_from_terms,
    parse_policy_form,
)
from web.pages.merchant.policy_messages import explain_refusal, floor_hint
from web.pages.merchant.policy_money import deduction_options, fee_hint
from web.pages.merchant.policy_rows import exclusion_options, kind_options, kind_rows
from web.services import get_service

# --- the store's policy (R11, R19, R23) -------------------------------------------------------


def render_policy(form: PolicyForm, status: int = 200) -> ResponseReturnValue:
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
            kind_labels=kind_options(),
            exclusion_options=exclusion_options(
                form.categories, [row["category"] for row in form.exclusions]
            ),
            kind_rows=kind_rows(),
            parts_floor=PLATFORM_FLOOR.parts_warranty_months,
            deduction_options=deduction_options(form.deductions),
            fee_hint=fee_hint(),
            **platform_constants(),
        ),
        status,
    )


@bp.route("/policy", methods=["GET"])
def policy() -> ResponseReturnValue:
    current = current_policy(get_db(), merchant_id())
    return render_policy(form_from_terms(current.terms if current else None))


@bp.route("/policy", methods=["POST"])
def publish_policy() -> ResponseReturnValue:
    form, terms = parse_policy_form(request.form)
    if terms is None:
        flash(gettext("The policy was not published: correct the marked fields."), "error")
        return render_policy(form, 400)
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
        return render_policy(form, 400)
    remember(result)
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
