"""The agent's blueprint (``/agent``, platform agents only, its navigation) and the helpers its
pages share: a case's summary or 404, a form text checked and named, the case page's URL."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask import Blueprint, abort, flash, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l

from domain.process import Move
from domain.values import Role
from projections.labels import queue_label
from projections.timeline import CaseSummary, case_summary
from web import get_db
from web.common.auth import add_nav_link, restrict_blueprint, set_audience_home
from web.common.moves import perform_move
from web.common.stores import store_name
from web.common.translate import gettext

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


def queue_name(queue: str) -> str:
    prefix, _sep, merchant_id = queue.partition(":")
    if prefix == "merchant" and merchant_id:
        return store_name(merchant_id)  # names, not ids (issue 11 item 4)
    text, values = queue_label(queue)
    return gettext(text).format(**values)  # labels.py texts take str.format parameters


# --- shared helpers ---------------------------------------------------------------------------


def summary_or_404(case_no: str) -> CaseSummary:
    summary = case_summary(get_db(), case_no)
    if summary is None:
        abort(404)
    return summary


def form_text(name: str, label: str, *, required: bool = True) -> str | None:
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


def case_url(case_no: str, anchor: str = "actions") -> str:
    return url_for("agent.case", case_no=case_no, _anchor=anchor)


def text_move(case_no: str, move: Move, success: str, **given: Any) -> ResponseReturnValue:
    """A move read from its form through the move's generated schema (``web.common.moves``):
    check the case may be seen, refuse a missing or too long input naming the field and rule,
    else perform; back to the case page."""
    summary_or_404(case_no)
    return perform_move(
        move,
        case_no,
        case_url(case_no, "top"),
        success=success,
        error_to=case_url(case_no),
        **given,
    )


def offset_arg() -> int:
    try:
        return max(0, int(request.args.get("offset", "0")))
    except ValueError:
        return 0


def deadlines_by_name(summary: CaseSummary) -> dict[str, Mapping[str, Any]]:
    return {str(d["name"]): d for d in summary.deadlines}


def queue_choices(merchant_id: str) -> list[tuple[str, str]]:
    queues = [name for name, _label in PLATFORM_QUEUES] + [f"merchant:{merchant_id}"]
    return [(q, queue_name(q)) for q in queues]


def parse_due(d: Mapping[str, Any] | None) -> datetime | None:
    from projections.db import parse_ts

    if not d:
        return None
    value = d.get("due_at")
    if isinstance(value, datetime):
        return value
    return parse_ts(str(value)) if value else None
