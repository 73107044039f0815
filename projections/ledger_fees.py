"""Ledger postings of the fees around a case (issue 8): shipping the merchant owes back for an
exchange or repair leg (R2, R8, R6) and the repair fee receivable settled (R6). Registered in
:mod:`projections.ledger.projection` through its hook (``HANDLERS``); each entry balances and
cites its event (``<case>#<version>``, whose ``rule`` says why).

==================  ==========================================================================
ShippingOwed        ``shipping_owed``: Dr shipping_refund:<m> / Cr consumer_shipping_payable
ShippingRepaid      ``shipping_repaid``: Dr consumer_shipping_payable / Cr psp_clearing
RepairFeePaid       ``repair_fee_paid``: Dr psp_clearing / Cr repair_fee_receivable:<m>
RepairFeeWaived     ``repair_fee_waived``: Dr repair_fee_waived:<m> / Cr repair_fee_receivable:<m>
==================  ==========================================================================
"""

from __future__ import annotations

from typing import Any

from projections.ledger.accounts import (
    PSP_CLEARING,
    REPAIR_FEE_RECEIVABLE,
    SHIPPING_REFUND,
    cr,
    dr,
)
from projections.ledger.booking import post

CONSUMER_SHIPPING_PAYABLE = "consumer_shipping_payable"
REPAIR_FEE_WAIVED = "repair_fee_waived"


def _owed(tx: Any, event: Any, case: Any) -> None:
    fen = int(event.amount_fen)
    postings = [
        dr(f"{SHIPPING_REFUND}:{case.merchant_id}", fen),
        cr(CONSUMER_SHIPPING_PAYABLE, fen),
    ]
    post(tx, case, event, "shipping_owed", postings, currency=case.currency)


def _repaid(tx: Any, event: Any, case: Any) -> None:
    fen = int(event.amount_fen)
    postings = [dr(CONSUMER_SHIPPING_PAYABLE, fen), cr(PSP_CLEARING, fen)]
    post(tx, case, event, "shipping_repaid", postings, currency=case.currency)


def _fee_paid(tx: Any, event: Any, case: Any) -> None:
    fen = int(event.amount_fen)
    postings = [dr(PSP_CLEARING, fen), cr(f"{REPAIR_FEE_RECEIVABLE}:{case.merchant_id}", fen)]
    post(tx, case, event, "repair_fee_paid", postings, currency=case.currency)


def _fee_waived(tx: Any, event: Any, case: Any) -> None:
    fen = int(event.amount_fen)
    m = case.merchant_id
    postings = [dr(f"{REPAIR_FEE_WAIVED}:{m}", fen), cr(f"{REPAIR_FEE_RECEIVABLE}:{m}", fen)]
    post(tx, case, event, "repair_fee_waived", postings, currency=case.currency)


#: {event name: handler(tx, event, case row)}, run by ``projections.ledger.projection`` after
#: the built-in handler of the event (if any), in the same transaction.
HANDLERS = {
    "ShippingOwed": _owed,
    "ShippingRepaid": _repaid,
    "RepairFeePaid": _fee_paid,
    "RepairFeeWaived": _fee_waived,
}
