"""The merchant's blueprint (``/merchant``, merchant staff only, its navigation) and what its
pages share: the viewer's store, its queue, and a case of that store or 404."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
)
from flask_babel import lazy_gettext as _l

from domain.values import Role
from projections.timeline import CaseSummary, case_summary
from web import get_db
from web.common.auth import (
    add_nav_link,
    current_account,
    restrict_blueprint,
    set_audience_home,
)

bp = Blueprint("merchant", __name__, url_prefix="/merchant")
restrict_blueprint(bp, Role.MERCHANT)
add_nav_link(bp, "merchant.queue", _l("Work queue"), Role.MERCHANT, order=10)
add_nav_link(bp, "merchant.cases", _l("All cases"), Role.MERCHANT, order=20)
add_nav_link(bp, "merchant.policy", _l("After-sales policy"), Role.MERCHANT, order=30)
set_audience_home(bp, Role.MERCHANT, "merchant.queue")
MAX_BULK = 200  # cases one bulk accept may name (two pages and more)


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
