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

from domain.values import Responsibility
from web.common.actions import perform
from web.common.timefmt import viewer_zone
from web.pages.merchant.base import bp, own_case
from web.pages.merchant.policy_form import (
    parse_yuan,
)


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


@_action("accept")
def accept(case_no: str) -> ResponseReturnValue:
    return perform(
        "accept",
        _back(case_no),
        success=gettext("Application accepted (R12)."),
        case_no=case_no,
        reason=_text("reason"),
    )


@_action("reject")
def reject(case_no: str) -> ResponseReturnValue:
    reason = _text("reason")
    if not reason:
        return _refuse(
            case_no,
            gettext("Not possible (R12): a rejection always gives its reason. Write the reason."),
        )
    return perform(
        "reject",
        _back(case_no),
        success=gettext("Application rejected with your reason (R12)."),
        case_no=case_no,
        reason=reason,
    )


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
    return perform(
        "record_return_delivered",
        _back(case_no),
        success=gettext("Delivery of the returned goods recorded; the R3 clock runs."),
        case_no=case_no,
        delivered_at=delivered_at,
    )


@_action("confirm-receipt")
def confirm_receipt(case_no: str) -> ResponseReturnValue:
    return perform(
        "confirm_receipt",
        _back(case_no),
        success=gettext("Receipt of the returned goods confirmed (R3)."),
        case_no=case_no,
        reason=_text("reason"),
    )


@_action("inspect")
def inspect(case_no: str) -> ResponseReturnValue:
    responsibility = _text("responsibility")
    findings = _text("findings")
    if responsibility not in {r.value for r in Responsibility}:
        return _refuse(
            case_no, gettext("Responsibility: choose who is responsible for the problem (R14).")
        )
    if not findings:
        return _refuse(case_no, gettext("Findings: write what the inspection found (R14)."))
    uploaded = _uploads(case_no)
    if not isinstance(uploaded, list):
        return uploaded
    return perform(
        "inspect",
        _back(case_no),
        success=gettext("Inspection result recorded (R14)."),
        case_no=case_no,
        responsibility=responsibility,
        findings=findings,
        evidence=uploaded,
        on_site=_text("on_site") in ("1", "on"),
    )


def _amount(case_no: str, name: str, label: str, rule: str) -> int | ResponseReturnValue:
    try:
        fen = parse_yuan(_text(name))
    except ValueError:
        fen = None
    if fen is None or fen <= 0:
        return _refuse(
            case_no,
            gettext(
                "%(field)s: enter an amount in yuan above 0, such as 88 or 88.50 (%(rule)s).",
                field=label,
                rule=rule,
            ),
        )
    return fen


@_action("quote")
def quote(case_no: str) -> ResponseReturnValue:
    fee = _amount(case_no, "fee", gettext("Repair fee"), "R6")
    if not isinstance(fee, int):
        return fee
    return perform(
        "quote_repair",
        _back(case_no),
        success=gettext("Repair fee quoted; the consumer accepts or declines it (R6)."),
        case_no=case_no,
        fee_fen=fee,
        reason=_text("reason"),
    )


@_action("complete-repair")
def complete_repair(case_no: str) -> ResponseReturnValue:
    notes = _text("notes")
    carrier, tracking = _text("carrier"), _text("tracking_no")
    if not notes:
        return _refuse(case_no, gettext("Repair notes: say what was done (R7)."))
    if bool(carrier) != bool(tracking):
        return _refuse(
            case_no,
            gettext(
                "Return shipment: give both the carrier and the tracking number, or neither for "
                "an on-site repair (R7, R13)."
            ),
        )
    return perform(
        "complete_repair",
        _back(case_no),
        success=gettext("Repair completed (R7)."),
        case_no=case_no,
        notes=notes,
        carrier=carrier,
        tracking_no=tracking,
    )


@_action("ship-exchange")
def ship_exchange(case_no: str) -> ResponseReturnValue:
    carrier, tracking = _text("carrier"), _text("tracking_no")
    if not carrier or not tracking:
        return _refuse(
            case_no,
            gettext("Replacement shipment: give the carrier and the tracking number (R8, R25)."),
        )
    return perform(
        "ship_exchange",
        _back(case_no),
        success=gettext("Replacement shipped (R8)."),
        case_no=case_no,
        carrier=carrier,
        tracking_no=tracking,
    )


@_action("compensate")
def compensate(case_no: str) -> ResponseReturnValue:
    amount = _amount(case_no, "amount", gettext("Compensation"), "R14")
    if not isinstance(amount, int):
        return amount
    reason = _text("reason")
    if not reason:
        return _refuse(case_no, gettext("Reason: say what the compensation is for (R14)."))
    return perform(
        "grant_compensation",
        _back(case_no),
        success=gettext("Compensation granted (R14)."),
        case_no=case_no,
        amount_fen=amount,
        reason=reason,
    )


@_action("escalate")
def escalate(case_no: str) -> ResponseReturnValue:
    reason = _text("reason")
    if not reason:
        return _refuse(case_no, gettext("Reason: say why negotiation failed (R10)."))
    return perform(
        "escalate",
        _back(case_no),
        success=gettext("Sent to arbitration; its ruling will be final (R10)."),
        case_no=case_no,
        reason=reason,
    )


@_action("evidence")
def evidence(case_no: str) -> ResponseReturnValue:
    uploaded = _uploads(case_no)
    if not isinstance(uploaded, list):
        return uploaded
    if not uploaded:
        return _refuse(case_no, gettext("Photos and documents: choose at least one file (R21)."))
    return perform(
        "submit_evidence",
        _back(case_no),
        success=gettext("Evidence added to the case (R21)."),
        case_no=case_no,
        evidence=uploaded,
        reason=_text("reason"),
    )


@_action("note")
def note(case_no: str) -> ResponseReturnValue:
    text = _text("text")
    if not text:
        return _refuse(case_no, gettext("Note: write the note's text (R21)."))
    internal = _text("internal") in ("1", "on")
    return perform(
        "add_note",
        _back(case_no),
        success=gettext("Internal note added (P4).") if internal else gettext("Note added (R21)."),
        case_no=case_no,
        text=text,
        internal=internal,
    )
