"""What the API answers with: read rows as JSON (cases, timelines, evidence, orders, queues)."""

from __future__ import annotations

from marshmallow import (
    Schema,
    fields,
)

from web.common.schema_fields import Instant

# ============================================================================ responses


class CommandResultSchema(Schema):
    case_no = fields.String(metadata={"description": "Case number (or order/merchant key)"})
    command = fields.String()
    version = fields.Integer(metadata={"description": "Aggregate version after the command"})
    detail = fields.Dict()
    replayed = fields.Boolean(
        metadata={"description": "True when request_id was seen before: nothing was recorded"}
    )
    notification_id = fields.Integer(
        allow_none=True,
        metadata={
            "description": "Highest notification id the command stored (null: nothing stored). "
            "Pass it as ?after= to a GET to read this write (read your writes)."
        },
    )


class DeadlineSchema(Schema):
    name = fields.String()
    due_at = Instant()
    rule = fields.String()
    party = fields.String()
    breached = fields.Boolean()
    provisional = fields.Boolean()


class CaseSummarySchema(Schema):
    case_no = fields.String()
    kind = fields.String()
    status = fields.String()
    outcome = fields.String()
    consumer_id = fields.String()
    merchant_id = fields.String()
    order_no = fields.String()
    reason_code = fields.String()
    channel = fields.String()
    policy_version = fields.Integer()
    currency = fields.String()
    opened_at = Instant()
    updated_at = Instant()
    closed_at = Instant(allow_none=True)
    responsibility = fields.String(allow_none=True)
    refund_total_fen = fields.Integer(allow_none=True)
    refund_paid_fen = fields.Integer()
    compensation_fen = fields.Integer()
    ruling_outcome = fields.String(allow_none=True)
    rating = fields.Integer(allow_none=True)
    breaches = fields.Integer()
    complaint_open = fields.Boolean()
    deadlines = fields.List(fields.Nested(DeadlineSchema))
    next_clock = fields.String(allow_none=True)
    next_due_at = Instant(allow_none=True)
    next_rule = fields.String(allow_none=True)
    next_party = fields.String(allow_none=True)
    last_version = fields.Integer()


class EvidenceSchema(Schema):
    sha256 = fields.String()
    name = fields.String()
    media_type = fields.String()
    size = fields.Integer()


class ClosedDeadlineSchema(Schema):
    name = fields.String()
    due_at = Instant()
    rule = fields.String()
    party = fields.String()
    met = fields.Boolean(allow_none=True)
    outcome = fields.String()


class TimelineStepSchema(Schema):
    version = fields.Integer()
    step = fields.String(metadata={"description": "Stable step code (projections/labels.py)"})
    event_name = fields.String()
    actor_role = fields.String()
    actor_id = fields.String()
    at = Instant()
    recorded_at = Instant()
    reason = fields.String()
    evidence = fields.List(fields.Nested(EvidenceSchema))
    rule = fields.String()
    details = fields.Dict()
    deadlines = fields.List(fields.Nested(DeadlineSchema))
    next_clock = fields.String(allow_none=True)
    next_due_at = Instant(allow_none=True)
    next_rule = fields.String(allow_none=True)
    next_party = fields.String(allow_none=True)
    deadlines_closed = fields.List(fields.Nested(ClosedDeadlineSchema))
    deadline_met = fields.Boolean(allow_none=True)
    internal = fields.Boolean()
    event_hash = fields.String()
    prev_hash = fields.String()


class CaseDetailSchema(Schema):
    case = fields.Nested(CaseSummarySchema)
    timeline = fields.List(fields.Nested(TimelineStepSchema))


class CaseListSchema(Schema):
    items = fields.List(fields.Nested(CaseSummarySchema))
    limit = fields.Integer()
    offset = fields.Integer()


class EvidenceUploadSchema(Schema):
    sha256 = fields.String()
    name = fields.String()
    media_type = fields.String()
    size = fields.Integer()


class VerdictSchema(Schema):
    kind = fields.String()
    reason_code = fields.String()
    allowed = fields.Boolean()
    rule = fields.String()
    message = fields.String()
    deadline = Instant(allow_none=True)


class AnswerSchema(Schema):
    """R16: "can I still return this?" as a code the client words, with rule and deadline."""

    code = fields.String(
        metadata={
            "description": "no_reason_open | excluded | quality_only | warranty_over | "
            "not_delivered"
        }
    )
    rule = fields.String()
    deadline = Instant(allow_none=True)
    warranty_until = Instant(allow_none=True)
    exclusion_reason = fields.String()
    can_return_without_reason = fields.Boolean()


class OrderLineSchema(Schema):
    line_no = fields.Integer()
    sku = fields.String()
    title = fields.String()
    category = fields.String()
    quantity = fields.Integer()
    paid_fen = fields.Integer()
    claimed_quantity = fields.Integer(metadata={"description": "Units under refund cases (R3.a)"})
    answer = fields.Nested(AnswerSchema)
    eligibility = fields.List(fields.Nested(VerdictSchema))


class OrderSchema(Schema):
    order_no = fields.String()
    consumer_id = fields.String()
    merchant_id = fields.String()
    placed_at = Instant()
    delivered_at = Instant(allow_none=True)
    currency = fields.String()
    shipping_fee_fen = fields.Integer()
    policy_version = fields.Integer(metadata={"description": "R19: version in force at order"})
    cases = fields.List(fields.String())
    lines = fields.List(fields.Nested(OrderLineSchema))


class OrderRefLineSchema(Schema):
    line_no = fields.Integer()
    sku = fields.String()
    title = fields.String()
    category = fields.String()
    quantity = fields.Integer()
    paid_fen = fields.Integer()
    claimed_quantity = fields.Integer()


class OrderRefSchema(Schema):
    order_no = fields.String()
    merchant_id = fields.String()
    placed_at = Instant()
    delivered_at = Instant(allow_none=True)
    currency = fields.String()
    lines = fields.List(fields.Nested(OrderRefLineSchema))


class OrderListSchema(Schema):
    items = fields.List(fields.Nested(OrderRefSchema))


class QueueItemSchema(Schema):
    case_no = fields.String()
    clock = fields.String()
    queue = fields.String()
    party = fields.String()
    awaiting = fields.String()
    rule = fields.String()
    due_at = Instant(allow_none=True)
    breached = fields.Boolean()
    provisional = fields.Boolean()
    status = fields.String()
    kind = fields.String()
    merchant_id = fields.String()
    consumer_id = fields.String()
    opened_at = Instant()
    updated_at = Instant()
    case_version = fields.Integer()


class QueuePageSchema(Schema):
    queue = fields.String()
    items = fields.List(fields.Nested(QueueItemSchema))
    limit = fields.Integer()
    offset = fields.Integer()


class QueueCountsSchema(Schema):
    queue = fields.String()
    cases = fields.Integer()
    items = fields.Integer()
    breached = fields.Integer()
    by_status = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_clock = fields.Dict(keys=fields.String(), values=fields.Integer())


# --- errors (documented; web/common/errors.py writes them)


class ErrorSchema(Schema):
    error = fields.String(
        metadata={
            "description": "invalid | unauthorized | forbidden | not_found | conflict | "
            "too_large | csrf | method_not_allowed | server_error"
        }
    )
    message = fields.String()
    rule = fields.String(metadata={"description": "policy.md rule id that refused (409)"})
    field = fields.String(allow_none=True)
    fields_ = fields.Dict(
        data_key="fields",
        keys=fields.String(),
        values=fields.Raw(),
        metadata={"description": "Field name -> messages (400)"},
    )
