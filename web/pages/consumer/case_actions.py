"""The consumer's moves on a case (``POST /my/cases/<no>/<action>``): ship the goods back (R13),
answer a repair quote (R6), complain (R9), escalate (R10), add evidence (R21), withdraw, rate
(R18). Every move goes through ``AfterSales`` with the form's ``request_id``; a refusal is flashed
naming its rule."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from domain.errors import DomainError
from web.common import evidence as evidence_store
from web.common.actions import perform, refresh_read_models, refusal_text, request_id_from_form
from web.common.evidence_access import send_evidence
from web.pages.consumer.base import MAX_REASON, bp, discard, me, save_all
from web.pages.consumer.cases import own_case
from web.services import get_service


def _back(case_no: str) -> str:
    return url_for("consumer.case", case_no=case_no)


def _refuse(case_no: str, message: str) -> ResponseReturnValue:
    flash(message, "error")
    return redirect(_back(case_no), code=303)


def _text(name: str, limit: int = MAX_REASON) -> str:
    return (request.form.get(name) or "").strip()[:limit]


_YUAN = re.compile(r"^(\d{1,7})(?:\.(\d{1,2}))?$")


def parse_yuan(text: str) -> int | None:
    """``12``, ``12.5``, ``12.50`` yuan -> fen, without floats; None when it is not an amount."""
    match = _YUAN.match(text.strip().lstrip("¥").strip())
    if match is None:
        return None
    whole, part = match.group(1), (match.group(2) or "").ljust(2, "0")
    return int(whole) * 100 + int(part)


def _done(command: str, case_no: str, success: str, **kwargs: Any) -> ResponseReturnValue:
    return perform(command, _back(case_no), success=success, case_no=case_no, **kwargs)


def _ship(case_no: str) -> ResponseReturnValue:
    carrier, tracking = _text("carrier", 100), _text("tracking_no", 100)
    fee = parse_yuan(request.form.get("fee", "") or "0")
    if not carrier:
        return _refuse(case_no, gettext("Carrier: say which carrier has the parcel (R13)."))
    if not tracking:
        return _refuse(
            case_no, gettext("Tracking number: it is needed to follow the parcel (R13).")
        )
    if fee is None:
        return _refuse(case_no, gettext("Shipping fee: an amount in yuan such as 12 or 12.50."))
    return _done(
        "ship_return",
        case_no,
        gettext("Shipment recorded."),
        carrier=carrier,
        tracking_no=tracking,
        fee_fen=fee,
    )


def _quote(case_no: str) -> ResponseReturnValue:
    answer = request.form.get("answer", "")
    if answer not in ("accept", "decline"):
        return _refuse(case_no, gettext("Repair quote: choose accept or decline (R6)."))
    accepted = answer == "accept"
    return _done(
        "answer_quote",
        case_no,
        gettext("You accepted the quote.") if accepted else gettext("You declined the quote."),
        accepted=accepted,
        reason=_text("reason"),
    )


def _complain(case_no: str) -> ResponseReturnValue:
    reason = _text("reason")
    if not reason:
        return _refuse(case_no, gettext("Complaint: say what went wrong (R9)."))
    return _done(
        "file_complaint",
        case_no,
        gettext("Your complaint was filed; the platform answers within 24 hours (R9.a)."),
        reason=reason,
    )


def _escalate(case_no: str) -> ResponseReturnValue:
    reason = _text("reason")
    if not reason:
        return _refuse(case_no, gettext("Arbitration: say why you could not agree (R10)."))
    return _done(
        "escalate",
        case_no,
        gettext("Your case went to arbitration (R10)."),
        reason=reason,
    )


def _evidence(case_no: str) -> ResponseReturnValue:
    try:
        uploads = evidence_store.check_uploads(request.files.getlist("photos"), field="photos")
    except evidence_store.UploadError as error:
        return _refuse(case_no, error.message)
    if not uploads:
        return _refuse(case_no, gettext("Photos and documents: choose at least one file."))
    written = save_all(uploads)
    try:
        get_service().submit_evidence(
            request_id=request_id_from_form(),
            actor=me().actor,
            case_no=case_no,
            evidence=tuple(item.evidence for item in uploads),
            reason=_text("reason"),
        )
    except DomainError as error:
        discard(written)
        return _refuse(case_no, refusal_text(error))
    refresh_read_models()
    flash(gettext("Evidence added."), "success")
    return redirect(_back(case_no), code=303)


def _withdraw(case_no: str) -> ResponseReturnValue:
    return _done(
        "withdraw", case_no, gettext("Your application was withdrawn."), reason=_text("reason")
    )


def _rate(case_no: str) -> ResponseReturnValue:
    score = request.form.get("score", "")
    if score not in ("1", "2", "3", "4", "5"):
        return _refuse(case_no, gettext("Rating: choose 1 to 5 stars (R18)."))
    return _done(
        "rate",
        case_no,
        gettext("Thank you for your rating."),
        score=int(score),
        comment=_text("comment", 500),
    )


ACTIONS: dict[str, Callable[[str], ResponseReturnValue]] = {
    "ship": _ship,
    "quote": _quote,
    "complain": _complain,
    "escalate": _escalate,
    "evidence": _evidence,
    "withdraw": _withdraw,
    "rate": _rate,
}


@bp.route("/cases/<case_no>/<action>", methods=["POST"])
def case_action(case_no: str, action: str) -> ResponseReturnValue:
    own_case(case_no)
    handler = ACTIONS.get(action)
    if handler is None:
        abort(404)
    return handler(case_no)


@bp.route("/evidence/<sha256>")
def evidence(sha256: str) -> ResponseReturnValue:
    return send_evidence(sha256)
