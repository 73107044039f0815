"""Matching a settlement report's rows against the ledger's payments (R3, R3.a): a pure function
of both, so the outcome is decided once, here, and recorded as an event.

A row's ``psp_reference`` (the merchant's refund number) is the reference finance recorded on
``RefundPaid`` / ``CompensationPaid``; the provider's own refund number is tried second. The amount
compared is the part of the payment that went through the provider (card and wallet). Outcomes:

- ``matched``: a successful row and a payment with the same reference, amount and currency;
- ``amount_mismatch``: the same reference, a different amount or currency (amount differs);
- ``missing_in_ledger``: a successful row no payment names (extra in the report);
- ``missing_in_report``: a payment (money through the provider) of a CST day of the report's
  period that no row names;
- ``status_mismatch``: a row not successful whose reference the ledger records as paid;
- ``not_settled``: a row not successful the ledger does not record as paid either (shown, not a
  discrepancy).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

OUTCOMES = (
    "matched",
    "amount_mismatch",
    "missing_in_ledger",
    "missing_in_report",
    "status_mismatch",
    "not_settled",
)
DISCREPANCIES = frozenset(
    {"amount_mismatch", "missing_in_ledger", "missing_in_report", "status_mismatch"}
)
SUCCESS = frozenset({"SUCCESS", "退款成功"})


@dataclass(frozen=True)
class LedgerPayment:
    """A payment the ledger records (``ledger_payments``), as matching needs it."""

    case_no: str
    event_version: int
    kind: str
    psp_reference: str
    merchant_id: str
    currency: str
    psp_amount_fen: int
    paid_at: str
    paid_day: str
    tender: str | None = None


def is_settled(row: Mapping[str, Any]) -> bool:
    return str(row["status"]) in SUCCESS


def match(
    rows: Sequence[Mapping[str, Any]],
    payments: Sequence[LedgerPayment],
    period: tuple[date, date],
) -> list[dict[str, Any]]:
    """One item per row, then one per payment of the period no row named (see the module doc).
    ``rows`` are the settlement's normalised rows (``domain.settlement.ROW_FIELDS``)."""
    by_reference: dict[str, list[LedgerPayment]] = {}
    for p in payments:
        by_reference.setdefault(p.psp_reference, []).append(p)
    used: set[tuple[str, int]] = set()
    items: list[dict[str, Any]] = []

    def add(**values: Any) -> None:
        items.append({"item_no": len(items) + 1, "note": "", **values})

    for row in rows:
        ref, refund_id = str(row["psp_reference"]), str(row.get("refund_id") or "")
        found = by_reference.get(ref) or by_reference.get(refund_id or "\0") or []
        found = [p for p in found if (p.case_no, p.event_version) not in used]
        report = {
            "psp_reference": ref,
            "refund_id": refund_id or None,
            "report_row": int(row["line"]),
            "report_amount_fen": int(row["amount_fen"]),
            "report_currency": str(row["currency"]),
            "report_status": str(row["status"]),
            "report_at": row.get("settled_at") or row.get("requested_at"),
        }
        settled = is_settled(row)
        if not found:
            add(outcome="missing_in_ledger" if settled else "not_settled", **report)
            continue
        used.update((p.case_no, p.event_version) for p in found)
        first = found[0]
        ledger = {
            "case_no": first.case_no,
            "merchant_id": first.merchant_id,
            "payment_kind": first.kind,
            "tender": first.tender,
            "ledger_amount_fen": sum(p.psp_amount_fen for p in found),
            "ledger_currency": first.currency,
            "ledger_at": first.paid_at,
        }
        notes = []
        if len(found) > 1:
            others = ", ".join(f"{p.case_no} ({p.kind})" for p in found[1:])
            notes.append(f"the reference is recorded on {len(found)} payments; also {others}")
        if not settled:
            notes.insert(0, f"the ledger records it paid; the report says {row['status']}")
            add(outcome="status_mismatch", note="; ".join(notes), **report, **ledger)
            continue
        currencies = {p.currency for p in found}
        if currencies != {row["currency"]}:
            notes.insert(
                0, f"currency {row['currency']} in the report, {first.currency} in the ledger"
            )
        same = ledger["ledger_amount_fen"] == int(row["amount_fen"]) and currencies == {
            row["currency"]
        }
        add(
            outcome="matched" if same else "amount_mismatch",
            note="; ".join(notes),
            **report,
            **ledger,
        )

    start, end = period[0].isoformat(), period[1].isoformat()
    for p in payments:
        if (p.case_no, p.event_version) in used or p.psp_amount_fen == 0:
            continue
        if not start <= p.paid_day <= end:
            continue
        add(
            outcome="missing_in_report",
            psp_reference=p.psp_reference,
            case_no=p.case_no,
            merchant_id=p.merchant_id,
            payment_kind=p.kind,
            tender=p.tender,
            ledger_amount_fen=p.psp_amount_fen,
            ledger_currency=p.currency,
            ledger_at=p.paid_at,
        )
    return items
