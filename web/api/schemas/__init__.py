"""Marshmallow schemas of the JSON API (``/api/v1``): request bodies -> command arguments, and read
rows -> JSON. ``web/openapi.py`` builds the OpenAPI document from these same classes, so what is
documented is what is validated.

Conventions:

- money is integer fen (``*_fen``), never a float; a currency code goes with it where it varies;
- times are ISO-8601 instants in UTC (``2025-03-01T08:00:00Z``); request times must carry a zone;
- every command body has a ``request_id`` (1-120 characters, a UUID is best): repeating it
  returns the first result with ``"replayed": true`` and records nothing;
- unknown fields are refused (400 naming them), so a misspelt field is never silently ignored.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from typing import Any

from marshmallow import (
    RAISE,
    Schema,
    ValidationError,
    fields,
    post_load,
    validate,
    validates_schema,
)

from domain.case_values import RulingOutcome
from domain.terms import CategoryNote, Exclusion, PolicyTerms
from domain.values import CaseKind, Channel, ExclusionKind, Reason, Responsibility

SHA256 = re.compile(r"^[0-9a-f]{64}$")
MAX_TEXT = 4000
MAX_REQUEST_ID = 120


def _values(enum: Any) -> list[str]:
    return [member.value for member in enum]


def _not_blank(value: str) -> None:
    if not value.strip():
        raise ValidationError("Must not be blank.")


def Text(*, required: bool = False, max_length: int = MAX_TEXT, **kwargs: Any) -> fields.String:
    """A free text; required texts must not be blank."""
    checks: list[Any] = [validate.Length(max=max_length)]
    if required:
        checks.append(_not_blank)
        return fields.String(required=True, validate=checks, **kwargs)
    return fields.String(load_default="", validate=checks, **kwargs)


def Fen(*, required: bool = False, minimum: int = 0, **kwargs: Any) -> fields.Integer:
    """An amount in whole fen (``12345`` is ¥123.45); JSON numbers only, no strings or floats."""
    return fields.Integer(
        strict=True, required=required, validate=validate.Range(min=minimum), **kwargs
    )


def Choice(enum: Any, **kwargs: Any) -> fields.String:
    return fields.String(validate=validate.OneOf(_values(enum)), **kwargs)


class _Aware(fields.AwareDateTime):
    """An ISO-8601 instant that must carry its zone (``Z`` or ``+08:00``)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="iso", **kwargs)


class _UtcDateTime(fields.DateTime):
    """Dumps any aware datetime or stored ``...Z`` text as ``YYYY-MM-DDTHH:MM:SSZ`` (UTC)."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None or value == "":
            return None
        if isinstance(value, str):
            text = value[:-1] + "+00:00" if value.endswith("Z") else value
            value = datetime.fromisoformat(text)
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return str(value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"))


def Instant(**kwargs: Any) -> fields.DateTime:
    return _UtcDateTime(**kwargs)


class _Day(fields.Date):
    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        if value is None or value == "":
            return None
        if isinstance(value, str):
            return value
        return str(value.isoformat())


class ApiSchema(Schema):
    """Refuses unknown fields (400 naming them)."""

    class Meta:
        unknown = RAISE


# ============================================================================ requests


class CommandSchema(ApiSchema):
    """Every command carries its idempotency key."""

    request_id = fields.String(
        required=True,
        validate=[validate.Length(min=1, max=MAX_REQUEST_ID), _not_blank],
        metadata={
            "description": "Client-chosen idempotency key (a UUID). Repeating it returns "
            "the first result with replayed=true and records nothing."
        },
    )


def EvidenceRefs(*, required: bool = False) -> fields.List[Any]:
    """SHA-256 references to files uploaded before with ``POST /api/v1/evidence``."""
    item = fields.String(validate=validate.Regexp(SHA256, error="Not a lowercase hex SHA-256."))
    description = {"description": "SHA-256 of files uploaded before with POST /api/v1/evidence"}
    if required:
        return fields.List(
            item, required=True, validate=validate.Length(min=1, max=20), metadata=description
        )
    return fields.List(
        item, load_default=list, validate=validate.Length(max=20), metadata=description
    )


def Flag(**kwargs: Any) -> fields.Boolean:
    """A JSON true/false (not "yes", 1 or "on")."""
    return fields.Boolean(truthy={True}, falsy={False}, **kwargs)


class LineRequestSchema(ApiSchema):
    line_no = fields.Integer(strict=True, required=True, validate=validate.Range(min=1))
    quantity = fields.Integer(strict=True, required=True, validate=validate.Range(min=1))


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
        validate=[validate.Length(min=1, max=64), _not_blank],
        metadata={"description": "R5: 'unit' or a listed part with the short warranty"},
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
    delivered_at = _Aware(
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


# --- policies (R11, R19)


class ExclusionSchema(ApiSchema):
    category = Text(required=True, max_length=64)
    kind = Choice(ExclusionKind, required=True)
    reason = Text(required=True, metadata={"description": "R1.a: shown to consumers"})


class CategoryNoteSchema(ApiSchema):
    category = Text(required=True, max_length=64)
    text = Text(required=True)


def _positive(**kwargs: Any) -> fields.Integer:
    return fields.Integer(strict=True, validate=validate.Range(min=1), **kwargs)


class PolicyTermsSchema(ApiSchema):
    """One version's terms; omitted terms take policy.md's defaults (the platform floor)."""

    categories = fields.List(
        fields.String(validate=[validate.Length(min=1, max=64), _not_blank]),
        required=True,
        validate=validate.Length(min=1),
    )
    return_window_days = _positive(metadata={"description": "R1 (default 7)"})
    exclusions = fields.List(fields.Nested(ExclusionSchema))
    warranty_months = _positive(metadata={"description": "R5 whole unit (default 12)"})
    parts_warranty_months = _positive(metadata={"description": "R5 listed parts (default 3)"})
    warranty_parts = fields.List(fields.String(validate=validate.Length(min=1, max=64)))
    accept_hours = _positive(metadata={"description": "R12 (default 2)"})
    repair_response_hours = _positive(metadata={"description": "R5.a (default 48)"})
    first_response_hours = _positive(metadata={"description": "R12.a (default 24)"})
    confirm_receipt_hours = _positive(metadata={"description": "R3 (default 24)"})
    consumer_ship_days = _positive(metadata={"description": "R13 reading (default 7)"})
    refund_working_days = _positive(metadata={"description": "R3 (default 7)"})
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


# --- query strings


class PageQuerySchema(ApiSchema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    offset = fields.Integer(load_default=0, validate=validate.Range(min=0))


class CaseListQuerySchema(PageQuerySchema):
    status = fields.String(validate=validate.Length(max=32))
    kind = Choice(CaseKind)
    order_no = fields.String(validate=validate.Length(max=64))


class JournalQuerySchema(PageQuerySchema):
    merchant_id = fields.String(validate=validate.Length(min=1, max=64))
    case_no = fields.String(validate=validate.Length(min=1, max=64))
    day = fields.Date(metadata={"description": "CST day (YYYY-MM-DD)"})
    kind = fields.String(validate=validate.Length(min=1, max=64))


class BalanceQuerySchema(ApiSchema):
    by = fields.String(
        load_default="account", validate=validate.OneOf(["account", "merchant", "day", "case"])
    )
    merchant_id = fields.String(validate=validate.Length(min=1, max=64))
    start_day = fields.Date()
    end_day = fields.Date()

    @validates_schema
    def _range(self, data: dict[str, Any], **kwargs: Any) -> None:
        start: date | None = data.get("start_day")
        end: date | None = data.get("end_day")
        if start and end and start > end:
            raise ValidationError("The range ends before it starts.", "end_day")


class RefundsDueQuerySchema(ApiSchema):
    by_day = fields.Date(metadata={"description": "Due on or before this CST day"})
    merchant_id = fields.String(validate=validate.Length(min=1, max=64))


class MetricsQuerySchema(ApiSchema):
    start_day = fields.Date()
    end_day = fields.Date()


# ============================================================================ responses


class CommandResultSchema(Schema):
    case_no = fields.String(metadata={"description": "Case number (or order/merchant key)"})
    command = fields.String()
    version = fields.Integer(metadata={"description": "Aggregate version after the command"})
    detail = fields.Dict()
    replayed = fields.Boolean(
        metadata={"description": "True when request_id was seen before: nothing was recorded"}
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


class ExclusionOutSchema(Schema):
    category = fields.String()
    kind = fields.String()
    reason = fields.String()


class CategoryNoteOutSchema(Schema):
    category = fields.String()
    text = fields.String()


class PolicyTermsOutSchema(Schema):
    categories = fields.List(fields.String())
    return_window_days = fields.Integer()
    exclusions = fields.List(fields.Nested(ExclusionOutSchema))
    warranty_months = fields.Integer()
    parts_warranty_months = fields.Integer()
    warranty_parts = fields.List(fields.String())
    accept_hours = fields.Integer()
    repair_response_hours = fields.Integer()
    first_response_hours = fields.Integer()
    confirm_receipt_hours = fields.Integer()
    consumer_ship_days = fields.Integer()
    refund_working_days = fields.Integer()
    free_return_shipping = fields.Boolean()
    repair_fee_cap_fen = fields.Integer(allow_none=True)
    after_sales_carrier = fields.String()
    notes = fields.List(fields.Nested(CategoryNoteOutSchema))
    currency = fields.String()


class PolicyVersionSchema(Schema):
    merchant_id = fields.String()
    number = fields.Integer()
    published_at = Instant()
    summary = fields.String()
    terms = fields.Nested(PolicyTermsOutSchema)


class JournalLineSchema(Schema):
    entry_id = fields.String()
    line_no = fields.Integer()
    case_no = fields.String()
    merchant_id = fields.String()
    account = fields.String()
    debit_fen = fields.Integer()
    credit_fen = fields.Integer()
    currency = fields.String()
    at = Instant()
    cst_day = _Day()
    event_version = fields.Integer()
    kind = fields.String()


class JournalPageSchema(Schema):
    items = fields.List(fields.Nested(JournalLineSchema))
    total = fields.Integer()
    limit = fields.Integer()
    offset = fields.Integer()


class BalanceSchema(Schema):
    key = fields.String(metadata={"description": "merchant id, CST day or case no ('' by account)"})
    account = fields.String()
    currency = fields.String()
    debit_fen = fields.Integer()
    credit_fen = fields.Integer()
    balance_fen = fields.Integer(metadata={"description": "debits - credits"})


class BalanceListSchema(Schema):
    by = fields.String()
    items = fields.List(fields.Nested(BalanceSchema))


class RefundDueSchema(Schema):
    case_no = fields.String()
    merchant_id = fields.String()
    currency = fields.String()
    total_fen = fields.Integer()
    money_fen = fields.Integer()
    in_kind_fen = fields.Integer()
    approved_at = Instant()
    due_at = Instant(allow_none=True, metadata={"description": "R3 deadline (3-7 working days)"})
    due_day = _Day(allow_none=True)
    due_provisional = fields.Boolean()
    overdue = fields.Boolean()
    status = fields.String()
    failed_attempts = fields.Integer()
    last_failure = fields.String(allow_none=True)


class RefundDueListSchema(Schema):
    items = fields.List(fields.Nested(RefundDueSchema))


class ReconciliationItemSchema(Schema):
    item_no = fields.Integer()
    outcome = fields.String(
        metadata={
            "description": "matched | missing_in_report | missing_in_ledger | "
            "amount_mismatch | status_mismatch | not_settled"
        }
    )
    psp_reference = fields.String()
    refund_id = fields.String(allow_none=True)
    case_no = fields.String(allow_none=True)
    merchant_id = fields.String(allow_none=True)
    payment_kind = fields.String(allow_none=True)
    report_row = fields.Integer(allow_none=True)
    report_amount_fen = fields.Integer(allow_none=True)
    ledger_amount_fen = fields.Integer(allow_none=True)
    report_currency = fields.String(allow_none=True)
    ledger_currency = fields.String(allow_none=True)
    report_status = fields.String(allow_none=True)
    report_at = Instant(allow_none=True)
    ledger_at = Instant(allow_none=True)
    note = fields.String()


class ReconciliationRunSchema(Schema):
    run_id = fields.String()
    provider = fields.String()
    file_name = fields.String()
    file_sha256 = fields.String()
    encoding = fields.String()
    imported_at = Instant()
    period_start = _Day()
    period_end = _Day()
    report_rows = fields.Integer()
    matched = fields.Integer()
    missing_in_report = fields.Integer()
    missing_in_ledger = fields.Integer()
    amount_mismatches = fields.Integer()
    status_mismatches = fields.Integer()
    not_settled = fields.Integer()
    report_total_fen = fields.Integer()
    ledger_total_fen = fields.Integer()


class ReconciliationResultSchema(Schema):
    run = fields.Nested(ReconciliationRunSchema)
    items = fields.List(fields.Nested(ReconciliationItemSchema))


class ReconciliationRunListSchema(Schema):
    items = fields.List(fields.Nested(ReconciliationRunSchema))


class MetricsSchema(Schema):
    merchant_id = fields.String()
    figures = fields.Dict(metadata={"description": "R15/R18/R22/R24 figures of the merchant"})


class BadgeListSchema(Schema):
    items = fields.List(fields.Dict())


# --- errors (documented; web/errors.py writes them)


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
