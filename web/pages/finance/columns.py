"""The finance tables' columns, the same for a page and its CSV twin (``web.common.csvexport``)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from web.common.csvexport import Column, attr
from web.common.stores import store_name
from web.pages.finance.base import kind_label, outcome_label, refund_status_label

# --- columns (pages and CSV alike) ------------------------------------------------------------


def journal_columns() -> list[Column]:
    return [
        Column("at", _l("Time"), attr("at"), "time"),
        Column("cst_day", _l("CST day"), attr("cst_day")),
        Column("entry_id", _l("Entry"), attr("entry_id")),
        Column("line_no", _l("Line"), attr("line_no")),
        Column("case_no", _l("Case"), attr("case_no")),
        Column("merchant_id", _l("Merchant"), attr("merchant_id")),
        Column("store", _l("Store"), lambda r: store_name(r.merchant_id)),
        Column("account", _l("Account"), attr("account")),
        Column("debit", _l("Debit (yuan)"), attr("debit_fen"), "fen"),
        Column("credit", _l("Credit (yuan)"), attr("credit_fen"), "fen"),
        Column("currency", _l("Currency"), attr("currency")),
        Column("kind", _l("Entry kind"), lambda r: kind_label(r.kind)),
    ]


def balance_columns(by: str) -> list[Column]:
    key_title = {"merchant": _l("Merchant"), "day": _l("CST day"), "case": _l("Case")}
    columns = []
    if by in key_title:
        columns.append(Column("key", key_title[by], attr("key")))
    if by == "merchant":
        columns.append(Column("store", _l("Store"), lambda r: store_name(r.key)))
    columns += [
        Column("account", _l("Account"), attr("account")),
        Column("currency", _l("Currency"), attr("currency")),
        Column("debit", _l("Debits (yuan)"), attr("debit_fen"), "fen"),
        Column("credit", _l("Credits (yuan)"), attr("credit_fen"), "fen"),
        Column("balance", _l("Balance (yuan)"), lambda r: r.balance_fen, "fen"),
    ]
    return columns


def refund_columns() -> list[Column]:
    return [
        Column("case_no", _l("Case"), attr("case_no")),
        Column("merchant_id", _l("Merchant"), attr("merchant_id")),
        Column("store", _l("Store"), lambda r: store_name(r.merchant_id)),
        Column("approved_at", _l("Approved at"), attr("approved_at"), "time"),
        Column("total", _l("Refund total (yuan)"), attr("total_fen"), "fen"),
        Column("money", _l("To pay through the provider (yuan)"), attr("money_fen"), "fen"),
        Column("in_kind", _l("Points and coupons (yuan)"), attr("in_kind_fen"), "fen"),
        Column("currency", _l("Currency"), attr("currency")),
        Column("due_at", _l("R3 deadline"), attr("due_at"), "time"),
        Column("due_day", _l("Last CST day"), attr("due_day")),
        Column("provisional", _l("Deadline provisional"), attr("due_provisional")),
        Column("overdue", _l("Overdue"), attr("overdue")),
        Column("status", _l("Status"), lambda r: refund_status_label(r.status)),
        Column("failed_attempts", _l("Failed attempts"), attr("failed_attempts")),
        Column("last_failure", _l("Last failure"), attr("last_failure")),
    ]


def compensation_columns() -> list[Column]:
    return [
        Column("case_no", _l("Case"), attr("case_no")),
        Column("merchant_id", _l("Merchant"), attr("merchant_id")),
        Column("store", _l("Store"), lambda r: store_name(r.merchant_id)),
        Column("owed", _l("Compensation owed (yuan)"), attr("owed_fen"), "fen"),
        Column("currency", _l("Currency"), attr("currency")),
    ]


def run_columns() -> list[Column]:
    return [
        Column("run_id", _l("Run"), attr("run_id")),
        Column("imported_at", _l("Imported at"), attr("imported_at"), "time"),
        Column("file_name", _l("File"), attr("file_name")),
        Column("provider", _l("Report format"), attr("provider")),
        Column("period_start", _l("Period start"), attr("period_start")),
        Column("period_end", _l("Period end"), attr("period_end")),
        Column("report_rows", _l("Report rows"), attr("report_rows")),
        Column("matched", _l("Matched"), attr("matched")),
        Column("missing_in_report", _l("Missing in the report"), attr("missing_in_report")),
        Column("missing_in_ledger", _l("Missing in the ledger"), attr("missing_in_ledger")),
        Column("amount_mismatches", _l("Amounts differ"), attr("amount_mismatches")),
        Column("status_mismatches", _l("Status differs"), attr("status_mismatches")),
        Column("not_settled", _l("Not settled"), attr("not_settled")),
        Column("report_total", _l("Report total (yuan)"), attr("report_total_fen"), "fen"),
        Column("ledger_total", _l("Ledger total (yuan)"), attr("ledger_total_fen"), "fen"),
    ]


def item_columns() -> list[Column]:
    return [
        Column("item_no", _l("Item"), attr("item_no")),
        Column("outcome", _l("Outcome"), lambda r: outcome_label(r.outcome)),
        Column("psp_reference", _l("Payment reference"), attr("psp_reference")),
        Column("refund_id", _l("Provider refund number"), attr("refund_id")),
        Column("case_no", _l("Case"), attr("case_no")),
        Column("merchant_id", _l("Merchant"), attr("merchant_id")),
        Column("store", _l("Store"), lambda r: store_name(r.merchant_id)),
        Column("payment_kind", _l("Payment"), attr("payment_kind")),
        Column("report_row", _l("Report line"), attr("report_row")),
        Column("report_amount", _l("Report amount (yuan)"), attr("report_amount_fen"), "fen"),
        Column("ledger_amount", _l("Ledger amount (yuan)"), attr("ledger_amount_fen"), "fen"),
        Column("report_status", _l("Report status"), attr("report_status")),
        Column("report_at", _l("Report time"), attr("report_at"), "time"),
        Column("ledger_at", _l("Ledger time"), attr("ledger_at"), "time"),
        Column("note", _l("Note"), attr("note")),
    ]
