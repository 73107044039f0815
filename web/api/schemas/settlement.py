"""Finance's queue of reconciliation discrepancies (issue 8; R3): what the API and the page
answer with, and the one schema both validate a resolution with."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from domain.settlement import RESOLUTIONS, Resolution
from domain.tenders import MoneyTender
from web.api.schemas.finance import ReconciliationItemSchema
from web.common.schema_fields import Instant

_RESOLUTIONS = [r.value for r in Resolution]


class DiscrepancySchema(ReconciliationItemSchema):
    run_id = fields.String()
    tender = fields.String(allow_none=True)
    resolutions = fields.List(
        fields.String(),
        metadata={"description": "what may end it (domain.settlement.RESOLUTIONS); [] when done"},
    )
    resolution = fields.String(allow_none=True, metadata={"description": " | ".join(_RESOLUTIONS)})
    resolution_reason = fields.String(allow_none=True)
    resolved_by = fields.String(allow_none=True)
    resolved_at = Instant(allow_none=True)
    resolved_case_no = fields.String(allow_none=True)


class DiscrepancyListSchema(Schema):
    items = fields.List(fields.Nested(DiscrepancySchema))


class DiscrepancyQuerySchema(Schema):
    state = fields.String(
        load_default="open",
        validate=validate.OneOf(["open", "all"]),
        metadata={"description": "open (the queue, default) or all"},
    )
    run_id = fields.String(load_default=None, validate=validate.Length(min=1, max=200))


class ResolveDiscrepancySchema(Schema):
    """A resolution: ``reason`` always; ``case_no`` (and ``tender``) when it pays a case."""

    request_id = fields.String(required=True, validate=validate.Length(min=1, max=200))
    resolution = fields.String(required=True, validate=validate.OneOf(_RESOLUTIONS))
    reason = fields.String(required=True, validate=validate.Length(min=1, max=500))
    case_no = fields.String(load_default="", validate=validate.Length(max=64))
    tender = fields.String(
        load_default="", validate=validate.OneOf(["", *(t.value for t in MoneyTender)])
    )

    @validates_schema
    def _reason_is_words(self, data: dict[str, Any], **_: Any) -> None:
        if not str(data.get("reason", "")).strip():
            raise ValidationError("Say why the discrepancy is resolved so.", "reason")


def outcome_resolutions(outcome: str) -> list[str]:
    return [r.value for r in RESOLUTIONS.get(outcome, ())]
