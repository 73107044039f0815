"""What the API answers with for finance and platform figures: the journal, balances, refunds
due, reconciliation runs, policies and metrics (R3, R15, R18, R22, R24)."""

from __future__ import annotations

from marshmallow import (
    Schema,
    fields,
)

from web.common.schema_fields import Day, Instant


class ExclusionOutSchema(Schema):
    category = fields.String()
    kind = fields.String()
    reason = fields.String()


class CategoryNoteOutSchema(Schema):
    category = fields.String()
    text = fields.String()


class KindHoursOutSchema(Schema):
    kind = fields.String()
    hours = fields.Integer()


class WarrantyPartOutSchema(Schema):
    name = fields.String()
    months = fields.Integer()
    category = fields.String()


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
    return_transit_days = fields.Integer()
    inspection_hours = fields.Integer()
    refund_review_hours = fields.Integer()
    replacement_ship_hours = fields.Integer()
    confirm_goods_days = fields.Integer()
    repair_days = fields.Integer()
    quote_answer_days = fields.Integer()
    ship_back_hours = fields.Integer()
    dispute_days = fields.Integer()
    post_close_days = fields.Integer()
    first_response_by_kind = fields.List(fields.Nested(KindHoursOutSchema))
    parts = fields.List(fields.Nested(WarrantyPartOutSchema))


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
    cst_day = Day()
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
    due_day = Day(allow_none=True)
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
    period_start = Day()
    period_end = Day()
    report_rows = fields.Integer()
    matched = fields.Integer()
    missing_in_report = fields.Integer()
    missing_in_ledger = fields.Integer()
    amount_mismatches = fields.Integer()
    status_mismatches = fields.Integer()
    not_settled = fields.Integer()
    report_total_fen = fields.Integer()
    ledger_total_fen = fields.Integer()
    open_discrepancies = fields.Integer(metadata={"description": "left to resolve (issue 8)"})


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
