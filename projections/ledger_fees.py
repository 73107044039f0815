"""Ledger postings of the fees around a case (issue 8): shipping the merchant owes back for an
exchange or repair leg (R2, R8, R6) and the repair fee receivable settled (R6). Registered in
:mod:`projections.ledger` by name; each entry balances and cites its event (``<case>#<version>``,
whose ``rule`` says why).

==================  ==========================================================================
ShippingOwed        ``shipping_owed``: Dr shipping_refund:<m> / Cr consumer_shipping_payable
ShippingRepaid      ``shipping_repaid``: Dr consumer_shipping_payable / Cr psp_clearing
RepairFeePaid       ``repair_fee_paid``: Dr psp_clearing / Cr repair_fee_receivable:<m>
RepairFeeWaived     ``repair_fee_waived``: Dr repair_fee_waived:<m> / Cr repair_fee_receivable:<m>
==================  ==========================================================================
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

FEE_EVENTS = ("ShippingOwed", "ShippingRepaid", "RepairFeePaid", "RepairFeeWaived")

CONSUMER_SHIPPING_PAYABLE = "consumer_shipping_payable"
REPAIR_FEE_WAIVED = "repair_fee_waived"

Handler = Callable[[Any, Any, Any], None]


def fee_handlers() -> dict[str, Handler]:
    """{event name: handler(tx, event, case row)} for ``projections.ledger.LedgerProjection``."""
    from projections import ledger as books

    def owed(tx: Any, event: Any, case: Any) -> None:
        fen = int(event.amount_fen)
        postings = [
            books._dr(f"{books.SHIPPING_REFUND}:{case.merchant_id}", fen),
            books._cr(CONSUMER_SHIPPING_PAYABLE, fen),
        ]
        books._post(tx, case, event, "shipping_owed", postings, currency=case.currency)

    def repaid(tx: Any, event: Any, case: Any) -> None:
        fen = int(event.amount_fen)
        postings = [books._dr(CONSUMER_SHIPPING_PAYABLE, fen), books._cr(books.PSP_CLEARING, fen)]
        books._post(tx, case, event, "shipping_repaid", postings, currency=case.currency)

    def fee_paid(tx: Any, event: Any, case: Any) -> None:
        fen = int(event.amount_fen)
        postings = [
            books._dr(books.PSP_CLEARING, fen),
            books._cr(f"{books.REPAIR_FEE_RECEIVABLE}:{case.merchant_id}", fen),
        ]
        books._post(tx, case, event, "repair_fee_paid", postings, currency=case.currency)

    def fee_waived(tx: Any, event: Any, case: Any) -> None:
        fen = int(event.amount_fen)
        m = case.merchant_id
        postings = [
            books._dr(f"{REPAIR_FEE_WAIVED}:{m}", fen),
            books._cr(f"{books.REPAIR_FEE_RECEIVABLE}:{m}", fen),
        ]
        books._post(tx, case, event, "repair_fee_waived", postings, currency=case.currency)

    return {
        "ShippingOwed": owed,
        "ShippingRepaid": repaid,
        "RepairFeePaid": fee_paid,
        "RepairFeeWaived": fee_waived,
    }
