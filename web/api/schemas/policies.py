"""A store's policy terms as a request body (R11, R19): publishing a new version."""

from __future__ import annotations

from typing import Any

from marshmallow import (
    fields,
    post_load,
    validate,
)

from domain.terms import CategoryNote, Exclusion, PolicyTerms
from domain.values import ExclusionKind
from web.common.schema_fields import ApiSchema, Choice, CommandSchema, Fen, Flag, Text, not_blank

# --- policies (R11, R19)


class ExclusionSchema(ApiSchema):
    category = Text(required=True, max_length=64)
    kind = Choice(ExclusionKind, required=True)
    reason = Text(required=True, metadata={"description": "R1.a: shown to consumers"})


class CategoryNoteSchema(ApiSchema):
    category = Text(required=True, max_length=64)
    text = Text(required=True)


def positive(**kwargs: Any) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(min=1), **kwargs)


class PolicyTermsSchema(ApiSchema):
    """One version's terms; omitted terms take policy.md's defaults (the platform floor)."""

    categories = fields.List(
        fields.String(validate=[validate.Length(min=1, max=64), not_blank]),
        required=True,
        validate=validate.Length(min=1),
    )
    return_window_days = positive(metadata={"description": "R1 (default 7)"})
    exclusions = fields.List(fields.Nested(ExclusionSchema))
    warranty_months = positive(metadata={"description": "R5 whole unit (default 12)"})
    parts_warranty_months = positive(metadata={"description": "R5 listed parts (default 3)"})
    warranty_parts = fields.List(fields.String(validate=validate.Length(min=1, max=64)))
    accept_hours = positive(metadata={"description": "R12 (default 2)"})
    repair_response_hours = positive(metadata={"description": "R5.a (default 48)"})
    first_response_hours = positive(metadata={"description": "R12.a (default 24)"})
    confirm_receipt_hours = positive(metadata={"description": "R3 (default 24)"})
    consumer_ship_days = positive(metadata={"description": "R13 reading (default 7)"})
    refund_working_days = positive(metadata={"description": "R3 (default 7)"})
    free_return_shipping = Flag(metadata={"description": "R2: merchant pays returns"})
    repair_fee_cap_fen = Fen(allow_none=True, metadata={"description": "R6"})
    after_sales_carrier = Text(max_length=64, metadata={"description": "R25"})
    notes = fields.List(fields.Nested(CategoryNoteSchema), metadata={"description": "R23"})
    currency = fields.String(validate=validate.Regexp(r"^[A-Z]{3}$"))

    @post_load
    def _terms(self, data: dict[str, Any], **kwargs: Any) -> PolicyTerms:
        args = dict(data)
        args["categories"] = tuple(c.strip() for c in args["categories"])
        if "exclusions" in args:
            args["exclusions"] = tuple(
                Exclusion(e["category"].strip(), ExclusionKind(e["kind"]), e["reason"].strip())
                for e in args["exclusions"]
            )
        if "notes" in args:
            args["notes"] = tuple(
                CategoryNote(n["category"].strip(), n["text"].strip()) for n in args["notes"]
            )
        if "warranty_parts" in args:
            args["warranty_parts"] = tuple(p.strip() for p in args["warranty_parts"])
        return PolicyTerms(**args)


class PublishPolicySchema(CommandSchema):
    terms = fields.Nested(PolicyTermsSchema, required=True)
    summary = Text(metadata={"description": "What changed, in plain words (R11)"})
