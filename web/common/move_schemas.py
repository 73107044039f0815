"""The request schema of every case move, generated once from the process declaration
(``domain.process.MOVES``: each ``MoveSpec``'s inputs) and used by the API's commands and the
pages' forms alike, so one input is validated in one place (issue 7).

Each ``InputSpec`` becomes marshmallow fields named as the move's command takes its arguments:

- ``text`` / ``long_text``: a string, never blank when required, at most ``max_length``;
- ``money_fen``: whole fen within ``minimum``..``maximum`` (optional: ``null`` or absent);
- ``int_range``: a whole number within the bounds; ``bool``: JSON true/false (absent: false);
- ``enum``: one of the choices' values; ``datetime``: an ISO instant with its zone;
- ``shipment``: ``carrier`` and ``tracking_no`` (and ``fee_fen`` where the command takes one);
- ``evidence_list``: SHA-256 references of files uploaded before (R21);
- ``ruling``: a nested ``{outcome, refund_fen, compensation_fen, return_required}`` (R10).

``load_arguments(move, data)`` validates and returns the command's keyword arguments (evidence
references and rulings as domain values are the caller's to resolve: see ``web.api.cases``).
"""

from __future__ import annotations

from functools import cache
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from domain.case_values import RulingOutcome
from domain.process import MOVES, InputSpec, InputType, Move, MoveSpec
from web.common.schema_fields import (
    ApiSchema,
    AwareInstant,
    Choice,
    CommandSchema,
    EvidenceRefs,
    Fen,
    Flag,
    Text,
)

MAX_CARRIER = 64


class RulingSchema(ApiSchema):
    """R10: what the arbitrator rules; amounts in fen."""

    outcome = Choice(RulingOutcome, required=True)
    refund_fen = Fen(load_default=0)
    compensation_fen = Fen(load_default=0)
    return_required = Flag(load_default=False)

    @validates_schema
    def _amounts(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("outcome") == RulingOutcome.REFUND.value and not data.get("refund_fen"):
            raise ValidationError("A refund ruling names the amount (R10).", "refund_fen")
        if data.get("outcome") == RulingOutcome.COMPENSATION.value and not data.get(
            "compensation_fen"
        ):
            raise ValidationError(
                "A compensation ruling names the amount (R10).", "compensation_fen"
            )


SHIPMENT_FIELDS = ("carrier", "tracking_no", "fee_fen")


def command_parameters(spec: MoveSpec) -> frozenset[str]:
    """The keyword arguments the move's command takes: its declared inputs by name, a shipment
    as its flat fields (``domain.commands.perform`` understands both)."""
    names = {item.name for item in spec.inputs if item.type is not InputType.SHIPMENT}
    if any(item.type is InputType.SHIPMENT for item in spec.inputs):
        names.update(SHIPMENT_FIELDS)
    return frozenset(names)


def _described(spec: InputSpec) -> dict[str, Any]:
    return {"metadata": {"description": spec.label}} if spec.label else {}


def _money(spec: InputSpec) -> fields.Field[Any]:
    bounds = validate.Range(min=spec.minimum or 0, max=spec.maximum)
    if spec.required:
        return fields.Integer(strict=True, required=True, validate=bounds, **_described(spec))
    return fields.Integer(
        strict=True, load_default=None, allow_none=True, validate=bounds, **_described(spec)
    )


def _shipment(spec: InputSpec, takes: frozenset[str]) -> dict[str, fields.Field[Any]]:
    out: dict[str, fields.Field[Any]] = {
        "carrier": Text(required=spec.required, max_length=MAX_CARRIER),
        "tracking_no": Text(required=spec.required, max_length=MAX_CARRIER),
    }
    if "fee_fen" in takes:
        out["fee_fen"] = Fen(
            load_default=0, metadata={"description": "What the consumer paid the carrier"}
        )
    return out


def input_fields(spec: InputSpec, takes: frozenset[str]) -> dict[str, fields.Field[Any]]:
    """The marshmallow fields of one input (a shipment is two or three)."""
    kind = spec.type
    described = _described(spec)
    if kind in (InputType.TEXT, InputType.LONG_TEXT):
        limit = spec.max_length or 4000
        return {spec.name: Text(required=spec.required, max_length=limit, **described)}
    if kind is InputType.MONEY_FEN:
        return {spec.name: _money(spec)}
    if kind is InputType.INT_RANGE:
        bounds = validate.Range(min=spec.minimum, max=spec.maximum)
        return {
            spec.name: fields.Integer(
                strict=True, required=spec.required, validate=bounds, **described
            )
        }
    if kind is InputType.BOOL:
        if spec.required:
            return {spec.name: Flag(required=True, **described)}
        return {spec.name: Flag(load_default=False, **described)}
    if kind is InputType.ENUM:
        assert spec.choices is not None
        return {spec.name: Choice(spec.choices, required=spec.required, **described)}
    if kind is InputType.DATETIME:
        if spec.required:
            return {spec.name: AwareInstant(required=True, **described)}
        return {spec.name: AwareInstant(load_default=None, allow_none=True, **described)}
    if kind is InputType.SHIPMENT:
        return _shipment(spec, takes)
    if kind is InputType.EVIDENCE_LIST:
        return {spec.name: EvidenceRefs(required=spec.required)}
    if kind is InputType.RULING:
        return {spec.name: fields.Nested(RulingSchema, required=spec.required, **described)}
    raise ValueError(f"no field for input type {kind}")


@validates_schema
def _both_or_neither(self: Schema, data: dict[str, Any], **kwargs: Any) -> None:
    """An optional shipment is carrier and tracking number together, or neither (R13)."""
    carrier, tracking = (str(data.get(k) or "").strip() for k in ("carrier", "tracking_no"))
    if bool(carrier) != bool(tracking):
        raise ValidationError(
            "Give carrier and tracking number together (R13), or neither.",
            "tracking_no" if carrier else "carrier",
        )


def schema_name(move: Move) -> str:
    """``ship_return`` -> ``ShipReturnSchema`` (the OpenAPI component is ``ShipReturn``)."""
    return "".join(part.capitalize() for part in move.value.split("_")) + "Schema"


@cache
def schema_for(move: Move | str) -> type[CommandSchema]:
    """The request schema of ``move``: its declared inputs plus the ``request_id``."""
    spec = MOVES[Move(move)]
    takes = command_parameters(spec)
    attrs: dict[str, Any] = {}
    for item in spec.inputs:
        attrs.update(input_fields(item, takes))
        if item.type is InputType.SHIPMENT and not item.required:
            attrs["_both_or_neither"] = _both_or_neither
    attrs["__doc__"] = f"{spec.label} ({spec.rule})."
    cls: type[Schema] = type(schema_name(spec.move), (CommandSchema,), attrs)
    return cls  # type: ignore[return-value]


def load_arguments(move: Move | str, data: Any, partial: tuple[str, ...] = ()) -> dict[str, Any]:
    """``data`` validated by the move's schema: the command's keyword arguments plus the
    ``request_id`` (``partial``: inputs the caller supplies itself, not required here). Raises
    ``marshmallow.ValidationError`` naming each bad field."""
    loaded: dict[str, Any] = schema_for(move)().load(data, partial=partial or False)
    return loaded


def all_schemas() -> dict[Move, type[CommandSchema]]:
    return {move: schema_for(move) for move in MOVES}
