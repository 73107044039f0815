"""The merchant's moves on a case (``POST /merchant/cases/<no>/<move>``): accept or reject
(R12), record the return's delivery and confirm receipt (R3, R13), inspect (R14), quote and
complete a repair (R6, R7), ship a replacement (R8), compensate (R14), escalate (R10), evidence
(R21), notes. A case of another store is a 404 before anything is read or stored."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import (
    flash,
    redirect,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from domain.process import Move
from web.common.move_forms import post_other_move
from web.common.moves import perform_move
from web.common.timefmt import viewer_zone
from web.pages.merchant.base import bp, own_case


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


def _move(path: str, move: Move, success: Any, *, uploads: bool = False) -> None:
    """``POST /merchant/cases/<no>/<path>``: a form whose fields are the move's declared inputs
    (``uploads``: its evidence is the files of ``photos``); ``success`` a lazy text."""

    def view(case_no: str) -> ResponseReturnValue:
        given: dict[str, Any] = {}
        if uploads:
            uploaded = _uploads(case_no)
            if not isinstance(uploaded, list):
                return uploaded
            given["evidence"] = uploaded
        return perform_move(move, case_no, _back(case_no), success=str(success), **given)

    view.__name__ = path.replace("-", "_")
    _action(path)(view)


_move("accept", Move.ACCEPT, _l("Application accepted (R12)."))
_move("reject", Move.REJECT, _l("Application rejected with your reason (R12)."))
_move("confirm-receipt", Move.CONFIRM_RECEIPT, _l("Receipt of the returned goods confirmed (R3)."))
_move("inspect", Move.INSPECT, _l("Inspection result recorded (R14)."), uploads=True)
_move(
    "quote", Move.QUOTE_REPAIR, _l("Repair fee quoted; the consumer accepts or declines it (R6).")
)
_move("complete-repair", Move.COMPLETE_REPAIR, _l("Repair completed (R7)."))
_move("ship-exchange", Move.SHIP_EXCHANGE, _l("Replacement shipped (R8)."))
_move("compensate", Move.GRANT_COMPENSATION, _l("Compensation granted (R14)."))
_move("escalate", Move.ESCALATE, _l("Sent to arbitration; its ruling will be final (R10)."))


@bp.route("/cases/<case_no>/moves/<move>", methods=["POST"])
def other_move(case_no: str, move: str) -> ResponseReturnValue:
    """A move the page offers by its generic form (sending goods back R14 ...)."""
    own_case(case_no)  # 404 for another store's case, before anything is read or stored
    return post_other_move(case_no, move, _back(case_no))


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
    return perform_move(
        Move.RECORD_RETURN_DELIVERED,
        case_no,
        _back(case_no),
        success=gettext("Delivery of the returned goods recorded; the R3 clock runs."),
        delivered_at=delivered_at,
    )


@_action("evidence")
def evidence(case_no: str) -> ResponseReturnValue:
    uploaded = _uploads(case_no)
    if not isinstance(uploaded, list):
        return uploaded
    if not uploaded:
        return _refuse(case_no, gettext("Photos and documents: choose at least one file (R21)."))
    return perform_move(
        Move.SUBMIT_EVIDENCE,
        case_no,
        _back(case_no),
        success=gettext("Evidence added to the case (R21)."),
        evidence=uploaded,
    )


@_action("note")
def note(case_no: str) -> ResponseReturnValue:
    # Issue 11 item 11: the box means the same as the agent's, "visible to the consumer".
    internal = _text("visible_to_consumer") not in ("1", "on", "yes")
    return perform_move(
        Move.ADD_NOTE,
        case_no,
        _back(case_no),
        success=gettext("Internal note added (P4).") if internal else gettext("Note added (R21)."),
        form={**request.form.to_dict(), "internal": "1" if internal else ""},
    )
