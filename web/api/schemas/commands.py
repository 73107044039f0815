"""Request bodies of the case commands (``POST /api/v1/cases/<no>/<command>`` and opening a
case): each names the command's arguments and checks them before the domain does."""

from __future__ import annotations

from typing import Any

from marshmallow import (
    ValidationError,
    fields,
    validate,
    validates_schema,
)

from domain.case_values import RulingOutcome
from domain.values import CaseKind, Channel, Reason, Responsibility
from web.api.schemas.base import (
    ApiSchema,
    AwareInstant,
    Choice,
    CommandSchema,
    EvidenceRefs,
    Fen,
    Flag,
    Text,
    not_blank,
)


class LineRequestSchema(ApiSchema):
    line_no = fields.Integer(strict=True, required=True, validate=validate.Range(min=1))
    quantity = fields.Integer(strict=True, required=True, validate=validate.Range(min=1))
    opened = Flag(
        metadata={
            "description": "R1.a: the goods were opened (a consumable is then excluded from the "
            "no-reason return)"
        }
    )


class OpenCaseSchema(CommandSchema):
    order_no = Text(required=True, max_length=64)
    kind = Choice(CaseKind, required=True)
    reason_code = Choice(Reason, required=True)
    lines = fields.List(fields.Nested(LineRequestSchema), load_default=list)
    description = Text()
    evidence = EvidenceRefs()
    channel = Choice(Channel, load_default=Channel.PLATFORM.value)
    component = fields.String(
        load_default="unit",
        validate=[validate.Length(min=1, max=64), not_blank],
        metadata={
            "description": "R5: 'unit' or one of the parts the policy lists for every named "
            "line's category (GET /orders/<no>/assistant offers them per line)"
        },
    )

    @validates_schema
    def _lines_unless_complaint(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("kind") != CaseKind.COMPLAINT.value and not data.get("lines"):
            raise ValidationError("Name at least one line of the order.", "lines")
        numbers = [line["line_no"] for line in data.get("lines") or ()]
        if len(numbers) != len(set(numbers)):
            raise ValidationError("A line is named twice.", "lines")


class ReasonOptionalSchema(CommandSchema):
    reason = Text()


class ReasonRequiredSchema(CommandSchema):
    reason = Text(required=True)


class ShipmentSchema(CommandSchema):
    carrier = Text(required=True, max_length=64)
    tracking_no = Text(required=True, max_length=64)


class ShipReturnSchema(ShipmentSchema):
    fee_fen = Fen(load_default=0, metadata={"description": "What the consumer paid the carrier"})


class ReturnDeliveredSchema(CommandSchema):
    delivered_at = AwareInstant(
        load_default=None,
        allow_none=True,
        metadata={"description": "When the carrier delivered (default: now)"},
    )


class InspectSchema(CommandSchema):
    responsibility = Choice(Responsibility, required=True)
    findings = Text(required=True)
    evidence = EvidenceRefs()
    on_site = Flag(load_default=False)


class QuoteSchema(CommandSchema):
    fee_fen = Fen(required=True, allow_none=True, minimum=1)
    reason = Text()


class AnswerQuoteSchema(CommandSchema):
    accepted = Flag(required=True)
    reason = Text()


class CompleteRepairSchema(CommandSchema):
    notes = Text(required=True)
    carrier = Text(max_length=64)
    tracking_no = Text(max_length=64)

    @validates_schema
    def _both_or_neither(self, data: dict[str, Any], **kwargs: Any) -> None:
        if bool(data.get("carrier", "").strip()) != bool(data.get("tracking_no", "").strip()):
            raise ValidationError(
                "Give carrier and tracking number together (R13), or neither for an on-site "
                "repair.",
                "tracking_no" if data.get("carrier", "").strip() else "carrier",
            )


class ApproveRefundSchema(CommandSchema):
    amount_fen = Fen(
        load_default=None,
        allow_none=True,
        minimum=1,
        metadata={"description": "Default: the cap (R3.a: paid for the lines + R2 shipping)"},
    )
    reason = Text()


class PaymentReferenceSchema(CommandSchema):
    psp_reference = Text(required=True, max_length=128)


class CompensationSchema(CommandSchema):
    amount_fen = Fen(required=True, minimum=1)
    reason = Text(required=True)


class ComplaintSchema(CommandSchema):
    reason = Text(required=True)
    channel = Choice(Channel, load_default=Channel.PLATFORM.value)


class OpinionSchema(CommandSchema):
    opinion = Text(required=True)


class SubmitEvidenceSchema(CommandSchema):
    evidence = EvidenceRefs(required=True)
    reason = Text()


class RulingSchema(ApiSchema):
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


class RuleSchema(CommandSchema):
    ruling = fields.Nested(RulingSchema, required=True)
    reasoning = Text(required=True)


class RouteSchema(CommandSchema):
    queue = Text(required=True, max_length=64)
    classified_kind = Choice(CaseKind, required=True)
    confidence_pct = fields.Integer(
        strict=True, load_default=100, validate=validate.Range(min=0, max=100)
    )
    reason = Text()


class NoteSchema(CommandSchema):
    text = Text(required=True)
    internal = Flag(
        load_default=False, metadata={"description": "Hidden from the consumer (P4); staff only"}
    )


class CloseSchema(CommandSchema):
    reason = Text(required=True)


class RateSchema(CommandSchema):
    score = fields.Integer(strict=True, required=True, validate=validate.Range(min=1, max=5))
    comment = Text()


#: Request body schema of each case command (``POST /api/v1/cases/<case_no>/<command>``).
COMMAND_SCHEMAS: dict[str, type[CommandSchema]] = {
    "accept": ReasonOptionalSchema,
    "reject": ReasonRequiredSchema,
    "ship-return": ShipReturnSchema,
    "return-delivered": ReturnDeliveredSchema,
    "confirm-receipt": ReasonOptionalSchema,
    "inspect": InspectSchema,
    "quote": QuoteSchema,
    "answer-quote": AnswerQuoteSchema,
    "complete-repair": CompleteRepairSchema,
    "ship-exchange": ShipmentSchema,
    "goods-received": ReasonOptionalSchema,
    "ship-back": ShipmentSchema,
    "approve-refund": ApproveRefundSchema,
    "refund-paid": PaymentReferenceSchema,
    "refund-failed": ReasonRequiredSchema,
    "compensation": CompensationSchema,
    "compensation-paid": PaymentReferenceSchema,
    "complaint": ComplaintSchema,
    "respond": ReasonRequiredSchema,
    "opinion": OpinionSchema,
    "escalate": ReasonRequiredSchema,
    "evidence": SubmitEvidenceSchema,
    "rule": RuleSchema,
    "route": RouteSchema,
    "note": NoteSchema,
    "withdraw": ReasonOptionalSchema,
    "close": CloseSchema,
    "rate": RateSchema,
}
