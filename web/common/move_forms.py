"""The fields of a move's form, drawn from its declared inputs (``domain.process``: each
``InputSpec``), so a page renders what the move takes and ``web.common.moves.form_arguments``
reads it back through the same schema (issue 7). The partial ``case/_move_fields.html`` renders
them::

    {% from "case/_move_fields.html" import move_fields %}
    {{ move_fields(fields_of("escalate"), "escalate") }}

Widgets: ``text`` (one line), ``textarea``, ``yuan`` (money typed in yuan: the field of
``amount_fen`` is ``amount``), ``number`` (bounds), ``checkbox``, ``select`` (an enum's values in
words), ``datetime`` (local date and time), ``files`` (evidence uploads, field ``photos``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from flask import Flask, abort, flash, redirect, request
from flask.typing import ResponseReturnValue

from domain.case_values import RulingOutcome
from domain.process import MOVES, InputSpec, InputType, Move
from domain.tenders import MoneyTender
from domain.values import CaseKind, Responsibility
from web.common.auth import current_actor
from web.common.evidence import UploadError
from web.common.labels import (
    KIND_LABELS,
    RESPONSIBILITY_LABELS,
    RULING_LABELS,
    TENDER_LABELS,
    label_of,
)
from web.common.move_labels import move_label
from web.common.move_schemas import MAX_CARRIER, command_parameters
from web.common.moves import perform_move, yuan_field
from web.common.timefmt import viewer_zone
from web.common.translate import gettext

#: Words for the values of the enums the declaration's inputs choose from.
CHOICE_LABELS: dict[type[StrEnum], Mapping[str, Any]] = {
    Responsibility: RESPONSIBILITY_LABELS,
    CaseKind: KIND_LABELS,
    RulingOutcome: RULING_LABELS,
    MoneyTender: TENDER_LABELS,
}


@dataclass(frozen=True)
class FieldView:
    name: str
    label: str
    widget: str
    required: bool = False
    max_length: int | None = None
    minimum: int | None = None
    maximum: int | None = None
    choices: list[tuple[str, str]] = field(default_factory=list)


def _choices(spec: InputSpec) -> list[tuple[str, str]]:
    assert spec.choices is not None
    words = CHOICE_LABELS.get(spec.choices, {})
    return [(value, label_of(words, value)) for value in spec.choice_values]


def _shipment(spec: InputSpec, takes: frozenset[str]) -> list[FieldView]:
    out = [
        FieldView("carrier", gettext("Carrier"), "text", spec.required, MAX_CARRIER),
        FieldView("tracking_no", gettext("Tracking number"), "text", spec.required, MAX_CARRIER),
    ]
    if "fee_fen" in takes:
        out.append(FieldView("fee", gettext("Shipping fee"), "yuan"))
    return out


def fields_for(spec: InputSpec, takes: frozenset[str]) -> list[FieldView]:
    """The form field(s) of one declared input (a shipment is two or three; a ruling has its
    own form on the arbitrator's page)."""
    label = move_label(spec.label)
    kind = spec.type
    simple = {
        InputType.TEXT: "text",
        InputType.LONG_TEXT: "textarea",
        InputType.BOOL: "checkbox",
        InputType.DATETIME: "datetime",
    }
    if kind in simple:
        return [FieldView(spec.name, label, simple[kind], spec.required, spec.max_length)]
    if kind is InputType.MONEY_FEN:
        return [FieldView(yuan_field(spec.name), label, "yuan", spec.required)]
    if kind is InputType.INT_RANGE:
        return [
            FieldView(spec.name, label, "number", spec.required, None, spec.minimum, spec.maximum)
        ]
    if kind is InputType.ENUM:
        return [FieldView(spec.name, label, "select", spec.required, choices=_choices(spec))]
    if kind is InputType.SHIPMENT:
        return _shipment(spec, takes)
    if kind is InputType.EVIDENCE_LIST:
        return [FieldView("photos", gettext("Photos and documents"), "files", spec.required)]
    return []


def fields_of(move: Move | str, skip: Iterable[str] = ()) -> list[FieldView]:
    """The fields of ``move``'s form in declaration order, less those in ``skip`` (inputs the
    page fills itself)."""
    spec = MOVES[Move(move)]
    takes = command_parameters(spec)
    left_out = set(skip)
    role = current_actor().role
    out: list[FieldView] = []
    for item in spec.inputs:
        if item.name not in left_out and item.offered_to(role):
            out.extend(f for f in fields_for(item, takes) if f.name not in left_out)
    return out


def move_title(move: Move | str) -> str:
    """The move's label in the viewer's language, with its rule: ``Apply for arbitration (R10)``."""
    spec = MOVES[Move(move)]
    return f"{move_label(spec.label)} ({spec.rule})"


def move_name(move: Move | str) -> str:
    """The move's label in the viewer's language: ``Apply for arbitration``."""
    return move_label(MOVES[Move(move)].label)


def init_app(app: Flask) -> None:
    app.add_template_global(fields_of)
    app.add_template_global(move_title)
    app.add_template_global(move_name)


def other_moves(allowed: Iterable[Move | str], dedicated: Iterable[Move]) -> list[Move]:
    """The allowed moves a page has no form of its own for, in declaration order: the page
    offers each with a form drawn from its inputs (``case/_other_moves.html``)."""
    given = {Move(m) for m in allowed}
    own = set(dedicated)
    return [move for move in MOVES if move in given and move not in own]


def page_read_inputs(
    move: Move, form: Mapping[str, Any], files: Any, parse_local: Any
) -> dict[str, Any]:
    """The values a page reads itself for a generic move form: uploaded files as evidence
    (checked and stored, ``web.common.evidence``) and local times (``parse_local``: the field's
    text in the viewer's zone; ValueError for a bad one)."""
    from web.common import evidence as store

    out: dict[str, Any] = {}
    for item in MOVES[move].inputs:
        if item.type is InputType.EVIDENCE_LIST:
            checked = store.check_uploads(files.getlist("photos"), field="photos")
            out[item.name] = tuple(store.save(upload) for upload in checked)
        elif item.type is InputType.DATETIME:
            moment = parse_local(str(form.get(item.name) or "").strip())
            if moment is not None:
                out[item.name] = moment
    return out


def parse_local_time(text: str) -> datetime | None:
    """A ``datetime-local`` input, read in the viewer's time zone; raises ValueError."""
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=viewer_zone())
    return moment


def post_other_move(case_no: str, move_value: str, back_to: str) -> ResponseReturnValue:
    """``POST .../cases/<no>/moves/<move>``: a move offered by its generic form. The page's own
    inputs (files, local times) are read here, the rest through the move's schema; the domain
    decides whether the move is possible (its refusal is flashed with the rule)."""
    try:
        move = Move(move_value)
    except ValueError:
        abort(404)
    try:
        given = page_read_inputs(move, request.form, request.files, parse_local_time)
    except UploadError as error:
        flash(error.message, "error")
        return redirect(back_to, code=303)
    except ValueError:
        flash(gettext("Enter a date and time such as 2026-03-01 14:30."), "error")
        return redirect(back_to, code=303)
    done = gettext("Done: %(move)s.", move=move_title(move))
    return perform_move(move, case_no, back_to, success=done, **given)
