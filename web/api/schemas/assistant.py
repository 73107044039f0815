"""What the R16 assistant answers (``domain.assistant`` / ``domain.assistant_cases``) as JSON:
every deadline as its exclusive end (``until``, UTC), the last day it covers (``last_day``, CST)
and whether it ends at 24:00 of that day (``ends_at_midnight``, policy.md "Clocks")."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields

from domain.calendar import last_day_cst
from web.common.schema_fields import Day, Instant


class BySchema(Schema):
    until = Instant(metadata={"description": "Exclusive end (UTC)"})
    last_day = Day(metadata={"description": "The last CST day it still covers"})
    ends_at_midnight = fields.Boolean(metadata={"description": "True: by 24:00 of last_day"})


class OptionSchema(Schema):
    action = fields.String()
    kind = fields.String()
    reason = fields.String()
    available = fields.Boolean()
    rule = fields.String()
    by = fields.Nested(BySchema, allow_none=True)
    message = fields.String()
    free = fields.Boolean(allow_none=True, metadata={"description": "Repair: free (R6)"})
    exclusion_reason = fields.String()


class PartOfferSchema(Schema):
    component = fields.String(metadata={"description": "R5: the value for 'component'"})
    months = fields.Integer()
    is_unit = fields.Boolean()
    warranty_end = Instant(allow_none=True)
    warranty_last_day = fields.Method("_last_day", allow_none=True)
    rule = fields.String()

    def _last_day(self, offer: Any) -> str | None:
        end = offer.warranty_end
        return last_day_cst(end).isoformat() if end is not None else None


class ShippingSchema(Schema):
    return_leg = fields.String(metadata={"description": "Who pays sending the goods back"})
    outbound_leg = fields.String(metadata={"description": "Who pays the original delivery"})
    rule = fields.String()


class TenderRefundSchema(Schema):
    kind = fields.String()
    amount_fen = fields.Integer()
    in_kind = fields.Boolean(metadata={"description": "Points and coupons come back in kind"})


class MoneyBackSchema(Schema):
    goods_fen = fields.Integer()
    shipping_fen = fields.Integer()
    return_leg_refunded = fields.Boolean()
    total_fen = fields.Integer()
    cap_fen = fields.Integer()
    split = fields.List(fields.Nested(TenderRefundSchema))
    approved = fields.Boolean()
    rule = fields.String()


class LineAnswerSchema(Schema):
    line_no = fields.Integer()
    title = fields.String()
    category = fields.String()
    quantity = fields.Integer()
    delivered = fields.Boolean()
    options = fields.List(fields.Nested(OptionSchema))
    parts = fields.List(fields.Nested(PartOfferSchema))
    no_reason_shipping = fields.Nested(ShippingSchema)
    quality_shipping = fields.Nested(ShippingSchema)
    no_reason_money = fields.Nested(MoneyBackSchema)
    quality_money = fields.Nested(MoneyBackSchema)


class OrderAnswerSchema(Schema):
    order_no = fields.String()
    asked_at = Instant()
    lines = fields.List(fields.Nested(LineAnswerSchema))


class DeadlineAnswerSchema(Schema):
    clock = fields.String()
    party = fields.String(metadata={"description": "Who must act"})
    rule = fields.String()
    by = fields.Nested(BySchema)
    yours = fields.Boolean(metadata={"description": "The consumer must act"})
    overdue = fields.Boolean()
    breached = fields.Boolean()


class CaseAnswerSchema(Schema):
    case_no = fields.String()
    kind = fields.String()
    status = fields.String()
    finished = fields.Boolean()
    your_turn = fields.Boolean()
    deadlines = fields.List(fields.Nested(DeadlineAnswerSchema))
    shipping = fields.Nested(ShippingSchema, allow_none=True)
    money = fields.Nested(MoneyBackSchema, allow_none=True)
    refund_approved = fields.Boolean()
    refund_paid = fields.Boolean()
