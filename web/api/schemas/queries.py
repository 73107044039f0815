"""Query strings of the API's lists: paging, filters, periods."""

from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import (
    ValidationError,
    fields,
    validate,
    validates_schema,
)

from domain.values import CaseKind
from web.common.input_checks import offset_check
from web.common.schema_fields import ApiSchema, Choice

# --- query strings


class PageQuerySchema(ApiSchema):
    limit = fields.Integer(load_default=50, validate=validate.Range(min=1, max=500))
    # Issue 10: an offset past the store's paging bound is a 400 naming the field, never a 500
    # from the database (2^63 and above overflowed it).
    offset = fields.Integer(load_default=0, validate=offset_check())


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
