"""The consumer's moves on a case (``POST /my/cases/<no>/<action>``): ship the goods back (R13),
answer a repair quote (R6), complain (R9), escalate (R10), add evidence (R21), withdraw, rate
(R18). Each form is read through the move's schema generated from the process declaration
(``web.common.moves``) and goes through ``AfterSales`` with the form's ``request_id``; a mistake
or a refusal is flashed naming its field or rule."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from domain.errors import DomainError
from domain.process import Move
from domain.values import Channel
from web.common import evidence as evidence_store
from web.common.actions import refusal_text, request_id_from_form
from web.common.evidence_access import send_evidence
from web.common.fresh_reads import remember
from web.common.move_forms import post_other_move
from web.common.moves import form_arguments, perform_move
from web.pages.consumer.base import bp, discard, me, save_all
from web.pages.consumer.cases import own_case
from web.services import get_service


def _back(case_no: str) -> str:
    return url_for("consumer.case", case_no=case_no)


def _refuse(case_no: str, message: str) -> ResponseReturnValue:
    flash(message, "error")
    return redirect(_back(case_no), code=303)


def _move(move: Move, success: Any) -> Callable[[str], ResponseReturnValue]:
    """A form whose fields are the move's declared inputs; ``success`` a lazy text."""

    def handler(case_no: str) -> ResponseReturnValue:
        return perform_move(move, case_no, _back(case_no), success=str(success))

    return handler


def _quote(case_no: str) -> ResponseReturnValue:
    answer = request.form.get("answer", "")
    if answer not in ("accept", "decline"):
        return _refuse(case_no, gettext("Repair quote: choose accept or decline (R6)."))
    accepted = answer == "accept"
    form = {**request.form.to_dict(), "accepted": "1" if accepted else ""}
    return perform_move(
        Move.ANSWER_QUOTE,
        case_no,
        _back(case_no),
        success=gettext("You accepted the quote.")
        if accepted
        else gettext("You declined the quote."),
        form=form,
    )


def _complain(case_no: str) -> ResponseReturnValue:
    return perform_move(
        Move.FILE_COMPLAINT,
        case_no,
        _back(case_no),
        success=gettext("Your complaint was filed; the platform answers within 24 hours (R9.a)."),
        channel=Channel.PLATFORM.value,
    )


def _evidence(case_no: str) -> ResponseReturnValue:
    try:
        uploads = evidence_store.check_uploads(request.files.getlist("photos"), field="photos")
    except evidence_store.UploadError as error:
        return _refuse(case_no, error.message)
    if not uploads:
        return _refuse(case_no, gettext("Photos and documents: choose at least one file."))
    evidence = tuple(item.evidence for item in uploads)
    arguments, errors = form_arguments(Move.SUBMIT_EVIDENCE, request.form, evidence=evidence)
    if errors:
        return _refuse(case_no, " ".join(errors.values()))
    written = save_all(uploads)
    try:
        result = get_service().submit_evidence(
            request_id=request_id_from_form(),
            actor=me().actor,
            case_no=case_no,
            **{**arguments, "evidence": evidence},
        )
    except DomainError as error:
        discard(written)
        return _refuse(case_no, refusal_text(error))
    remember(result)
    flash(gettext("Evidence added."), "success")
    return redirect(_back(case_no), code=303)


ACTIONS: dict[str, Callable[[str], ResponseReturnValue]] = {
    "ship": _move(Move.SHIP_RETURN, _l("Shipment recorded.")),
    "quote": _quote,
    "complain": _complain,
    "escalate": _move(Move.ESCALATE, _l("Your case went to arbitration (R10).")),
    "evidence": _evidence,
    "withdraw": _move(Move.WITHDRAW, _l("Your application was withdrawn.")),
    "rate": _move(Move.RATE, _l("Thank you for your rating.")),
}


@bp.route("/cases/<case_no>/<action>", methods=["POST"])
def case_action(case_no: str, action: str) -> ResponseReturnValue:
    own_case(case_no)
    handler = ACTIONS.get(action)
    if handler is None:
        abort(404)
    return handler(case_no)


@bp.route("/cases/<case_no>/moves/<move>", methods=["POST"])
def other_move(case_no: str, move: str) -> ResponseReturnValue:
    """A move the page offers by its generic form (confirming goods arrived R7/R8, recording a
    return's delivery with proof R13/R25, notes ...)."""
    own_case(case_no)
    return post_other_move(case_no, move, _back(case_no))


@bp.route("/evidence/<sha256>")
def evidence(sha256: str) -> ResponseReturnValue:
    return send_evidence(sha256)
