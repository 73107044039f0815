"""A store's policy terms as a request body (R11, R19): publishing a new version."""

from __future__ import annotations

from typing import Any

from marshmallow import (
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from domain.entitlement import HandDeduction
from domain.exclusions import PLATFORM_EXCLUDABLE, excludable
from domain.money_terms import UNPROVEN_LEG_FEE_CEILING_FEN, UNPROVEN_LEG_FEE_FLOOR_FEN
from domain.terms import (
    PLATFORM_FLOOR,
    TERM_BOUNDS,
    CategoryNote,
    Exclusion,
    KindHours,
    PolicyTerms,
    WarrantyPart,
)
from domain.values import CaseKind, ExclusionKind
from web.common.schema_fields import ApiSchema, Choice, CommandSchema, Fen, Flag, Text, not_blank

# --- policies (R11, R19)


_EXCLUDABLE = "; ".join(
    f"{e.category} ({', '.join(k.value for k in e.kinds)})" for e in PLATFORM_EXCLUDABLE
)


class ExclusionSchema(ApiSchema):
    category = Text(
        required=True,
        max_length=64,
        metadata={
            "description": "R1.a, R19: a category on the platform's list (or one of its other "
            f"names): {_EXCLUDABLE}"
        },
    )
    kind = Choice(ExclusionKind, required=True)
    reason = Text(required=True, metadata={"description": "R1.a: shown to consumers"})

    @validates_schema
    def _on_the_platform_list(self, data: dict[str, Any], **kwargs: Any) -> None:
        """R1.a / R1.b / R19: only the platform's excludable categories, as their kinds."""
        entry = excludable(data["category"])
        if entry is None:
            raise ValidationError(
                f"{data['category']!r} is not on the platform's list of categories that may be "
                "excluded from no-reason returns (R1.a, R19).",
                "category",
            )
        if data["kind"] not in {k.value for k in entry.kinds}:
            allowed = ", ".join(k.value for k in entry.kinds)
            raise ValidationError(
                f"{data['category']!r} may be excluded only as {allowed} ({entry.rule}, R19).",
                "kind",
            )


class KindHoursSchema(ApiSchema):
    kind = Choice(CaseKind, required=True)
    hours = fields.Integer(strict=True, required=True, validate=validate.Range(min=1))


class WarrantyPartSchema(ApiSchema):
    name = Text(required=True, max_length=64)
    months = fields.Integer(
        strict=True,
        required=True,
        validate=validate.Range(min=PLATFORM_FLOOR.parts_warranty_months),
        metadata={"description": "R5: at least the platform's parts warranty"},
    )
    category = Text(
        max_length=64,
        metadata={"description": "One of the policy's categories; empty: every category"},
    )


class CategoryNoteSchema(ApiSchema):
    category = Text(required=True, max_length=64)
    text = Text(required=True)


def positive(**kwargs: Any) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(min=1), **kwargs)


def bounded(name: str) -> fields.Integer:
    """A whole-number term with its platform bound from ``domain.terms.TERM_BOUNDS`` (R19)."""
    bound, rule = TERM_BOUNDS[name]
    default = getattr(PLATFORM_FLOOR, name)
    word = "at least" if bound == "at_least" else "at most"
    return positive(metadata={"description": f"{rule}: {word} {default} (default {default})"})


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
    return_address = Text(max_length=200, metadata={"description": "R13: where returns go"})
    notes = fields.List(fields.Nested(CategoryNoteSchema), metadata={"description": "R23"})
    currency = fields.String(validate=validate.Regexp(r"^[A-Z]{3}$"))
    # the complete process (issue 7)
    return_transit_days = bounded("return_transit_days")
    inspection_hours = bounded("inspection_hours")
    refund_review_hours = bounded("refund_review_hours")
    replacement_ship_hours = bounded("replacement_ship_hours")
    confirm_goods_days = bounded("confirm_goods_days")
    repair_days = bounded("repair_days")
    quote_answer_days = bounded("quote_answer_days")
    ship_back_hours = bounded("ship_back_hours")
    dispute_days = bounded("dispute_days")
    post_close_days = bounded("post_close_days")
    first_response_by_kind = fields.List(
        fields.Nested(KindHoursSchema),
        metadata={"description": "R12.a: first response hours per case kind (one row a kind)"},
    )
    parts = fields.List(
        fields.Nested(WarrantyPartSchema),
        metadata={"description": "R5: listed parts per category with their own warranty"},
    )
    # issue 8 (domain.money_terms; the band is the domain's check, R19)
    unproven_leg_fee_fen = Fen(
        metadata={
            "description": "R2: the most one shipping leg is paid back without a receipt, "
            f"{UNPROVEN_LEG_FEE_FLOOR_FEN}-{UNPROVEN_LEG_FEE_CEILING_FEN} fen "
            f"(default {UNPROVEN_LEG_FEE_FLOOR_FEN})"
        }
    )
    deduction_kinds = fields.List(
        fields.String(validate=validate.Length(min=1, max=64)),
        validate=validate.Length(max=10),
        metadata={
            "description": "R3.a: the deductions a refund may carry; one of "
            + ", ".join(k.value for k in HandDeduction)
            + " (default [user_damage])"
        },
    )

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
        if "first_response_by_kind" in args:
            args["first_response_by_kind"] = tuple(
                KindHours(CaseKind(r["kind"]), r["hours"]) for r in args["first_response_by_kind"]
            )
        if "parts" in args:
            args["parts"] = tuple(
                WarrantyPart(p["name"].strip(), p["months"], p["category"].strip())
                for p in args["parts"]
            )
        if "deduction_kinds" in args:
            args["deduction_kinds"] = tuple(k.strip() for k in args["deduction_kinds"])
        return PolicyTerms(**args)


class PublishPolicySchema(CommandSchema):
    terms = fields.Nested(PolicyTermsSchema, required=True)
    summary = Text(metadata={"description": "What changed, in plain words (R11)"})
