"""``/agent/complaints/new``: a complaint taken by platform customer service (R9, platform
channel)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from domain.errors import DomainError
from domain.values import CaseKind
from web.common.actions import refusal_text, request_id_from_form
from web.common.auth import current_actor
from web.common.translate import gettext
from web.pages.agent.base import TEXT_MAX, bp
from web.services import get_service

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
