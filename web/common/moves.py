"""Moves on a case from the pages, by the process declaration (issue 7).

- ``allowed_moves(summary)``: the moves the logged-in person may make on the case now, as the
  domain said (``Case.allowed_moves``, carried by the case's last event into the read model): a
  page shows the forms of exactly these and decides nothing itself.
- ``form_arguments(move, form)``: an HTML form read into the move's arguments through the same
  generated marshmallow schema the API validates with (``web.common.move_schemas``). Amounts are
  typed in yuan (a money input ``amount_fen`` is the form field ``amount``), check boxes are
  booleans; a mistake comes back as one message per field, naming the field, in the viewer's
  language.
- ``perform_move(move, case_no, back_to, ...)``: both, then the command (``web.common.actions``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import flash, redirect
from flask.typing import ResponseReturnValue
from marshmallow import ValidationError
from werkzeug.datastructures import MultiDict

from domain.errors import DomainError
from domain.process import MOVES, InputSpec, InputType, Move
from projections.timeline import CaseSummary
from web.common.actions import perform
from web.common.amounts import AmountError, amount_error_text, parse_yuan
from web.common.auth import current_actor
from web.common.move_labels import move_label
from web.common.move_schemas import command_parameters, load_arguments
from web.common.translate import gettext
from web.services import get_service

TRUE = ("1", "on", "true", "yes")
MOVE_VALUES = frozenset(move.value for move in Move)
#: Inputs a page reads itself (uploaded files, a ruling form, a local time) and passes as values.
PAGE_READ = frozenset({InputType.EVIDENCE_LIST, InputType.RULING, InputType.DATETIME})


def allowed_moves(summary: CaseSummary) -> frozenset[Move]:
    """What the current person may do on the case now: as the case's last event said for their
    role (the read model's ``allowed``), or, where that event did not say (an upcast version 1
    event), as the domain answers; empty when the case cannot be read."""
    actor = current_actor()
    said = summary.moves_for(actor.role.value)
    if said is not None:
        return frozenset(Move(move) for move in said if move in MOVE_VALUES)
    try:
        case = get_service().get_case(summary.case_no)
    except DomainError:
        return frozenset()
    return frozenset(case.allowed_moves(actor))


def yuan_field(name: str) -> str:
    """The form field of a money input: ``amount_fen`` is typed in yuan as ``amount``."""
    return name.removesuffix("_fen")


def _text(form: Mapping[str, Any], name: str) -> str:
    return str(form.get(name) or "").strip()


def _money(form: Mapping[str, Any], name: str, label: str, errors: dict[str, str]) -> Any:
    typed = _text(form, yuan_field(name))
    if not typed:
        return None
    try:
        return parse_yuan(typed)
    except AmountError as error:
        errors[name] = amount_error_text(label, error)
        return None


def _integer(typed: str) -> Any:
    return int(typed) if typed.isdigit() else (typed or None)


def _read_input(
    spec: InputSpec, form: Mapping[str, Any], takes: frozenset[str], errors: dict[str, str]
) -> dict[str, Any]:
    """One input's value(s) from the form, shaped as the API takes them (absent when empty)."""
    label = move_label(spec.label)
    kind = spec.type
    out: dict[str, Any] = {}
    if kind is InputType.MONEY_FEN:
        out[spec.name] = _money(form, spec.name, label, errors)
    elif kind is InputType.INT_RANGE:
        out[spec.name] = _integer(_text(form, spec.name))
    elif kind is InputType.BOOL:
        out[spec.name] = _text(form, spec.name).lower() in TRUE
    elif kind is InputType.SHIPMENT:
        out["carrier"] = _text(form, "carrier")
        out["tracking_no"] = _text(form, "tracking_no")
        if "fee_fen" in takes:
            out["fee_fen"] = _money(form, "fee_fen", gettext("Shipping fee"), errors) or 0
    elif kind in PAGE_READ:
        pass  # files, rulings and times are read by the page that asks for them
    else:
        out[spec.name] = _text(form, spec.name)
    return {k: v for k, v in out.items() if v is not None and v != ""}


def _message(spec: InputSpec | None, field: str, value: Any, rule: str) -> str:
    """The field's mistake in the viewer's words, from what the declaration says of it, naming
    the move's rule."""
    label = move_label(spec.label) if spec is not None else field
    if value in (None, ""):
        return gettext("%(field)s: please fill this in (%(rule)s).", field=label, rule=rule)
    limit = spec.max_length if spec is not None else None
    if limit and isinstance(value, str) and len(value) > limit:
        return gettext(
            "%(field)s: at most %(max)s characters (%(rule)s).", field=label, max=limit, rule=rule
        )
    if spec is not None and spec.type in (InputType.INT_RANGE, InputType.MONEY_FEN):
        return gettext(
            "%(field)s: a whole number from %(min)s to %(max)s (%(rule)s).",
            field=label,
            min=spec.minimum,
            max=spec.maximum,
            rule=rule,
        )
    if spec is not None and spec.type is InputType.ENUM:
        return gettext(
            "%(field)s: choose one of the options offered (%(rule)s).", field=label, rule=rule
        )
    return gettext("%(field)s: please check this value (%(rule)s).", field=label, rule=rule)


def form_arguments(
    move: Move, form: MultiDict[str, str] | Mapping[str, Any], **given: Any
) -> tuple[dict[str, Any], dict[str, str]]:
    """``(arguments, errors)``: the move's keyword arguments read from ``form`` and validated by
    its generated schema (``given`` values are the page's own: a fixed channel, evidence read from
    uploads ...), or the errors by field."""
    spec = MOVES[move]
    takes = command_parameters(spec)
    errors: dict[str, str] = {}
    # the form's own request id goes to the command as it is (web.common.actions)
    data: dict[str, Any] = {"request_id": "form"}
    for each in spec.inputs:
        data.update(_read_input(each, form, takes, errors))
    read_by_page = tuple(i.name for i in spec.inputs if i.type in PAGE_READ)
    data.update({k: v for k, v in given.items() if k in takes and k not in read_by_page})
    if errors:
        return {}, errors
    try:
        arguments = load_arguments(move, data, partial=read_by_page)
    except ValidationError as error:
        messages: dict[str, Any] = error.normalized_messages()  # type: ignore[no-untyped-call]
        by_name: dict[str, InputSpec | None] = {i.name: i for i in spec.inputs}
        shipment = next((i for i in spec.inputs if i.type is InputType.SHIPMENT), None)
        for field in messages:
            item = by_name.get(field) or (shipment if field in takes else None)
            errors[field] = _message(item, field, data.get(field), spec.rule)
        return {}, errors
    arguments.pop("request_id", None)
    return arguments, errors


def perform_move(
    move: Move,
    case_no: str,
    back_to: str,
    *,
    success: str | None = None,
    form: MultiDict[str, str] | Mapping[str, Any] | None = None,
    error_to: str | None = None,
    **given: Any,
) -> ResponseReturnValue:
    """Read ``form`` (default: the request's) into the move's arguments and make the move; a
    mistake is flashed naming its field and nothing is stored (then back to ``error_to``, default
    ``back_to``)."""
    from flask import request

    arguments, errors = form_arguments(move, request.form if form is None else form, **given)
    if errors:
        for message in errors.values():
            flash(message, "error")
        return redirect(error_to or back_to, code=303)
    extra = {k: v for k, v in given.items() if k not in arguments}
    return perform(
        MOVES[move].command_name,
        back_to,
        success=success,
        case_no=case_no,
        **arguments,
        **{k: v for k, v in extra.items() if k in command_parameters(MOVES[move])},
    )
