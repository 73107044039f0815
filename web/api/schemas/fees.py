"""Request bodies of the fee commands around a case (issue 8): an agent accepting the receipt of
a return fee above the policy's unproven limit (R2), a repair fee waived with a reason (R6)."""

from __future__ import annotations

from marshmallow import fields, validate

from web.common.schema_fields import SHA256, CommandSchema, Text


class ReturnReceiptSchema(CommandSchema):
    receipt = fields.String(
        required=True,
        validate=validate.Regexp(SHA256, error="Not a lowercase hex SHA-256."),
        metadata={"description": "SHA-256 of the receipt, uploaded with POST /api/v1/evidence"},
    )
    reason = Text(max_length=2000, metadata={"description": "why the receipt is accepted"})


class WaiveRepairFeeSchema(CommandSchema):
    reason = Text(
        required=True, max_length=500, metadata={"description": "why the fee is waived (R6)"}
    )
