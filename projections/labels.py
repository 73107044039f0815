"""Stable codes the read models store, and their default (English) wording for the web.

Projections store codes and parameters, never sentences: a timeline row says ``step =
"return_shipped"`` with ``details = {"carrier": "SF", "tracking_no": "SF123", ...}``; the web
translates ``STEP_LABELS[step]`` with gettext and fills in the parameters (``str.format`` names).
Codes are part of the read model's schema: renaming one needs a migration of stored rows (or a
rebuild), so add codes, never rename them.

Every text is wrapped in :func:`N_`, a no-op marker, so message extraction can find it
(``pybabel extract -k N_``; ``babel.cfg`` must list ``projections/labels.py``).
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "AWAITING_LABELS",
    "CLOCK_LABELS",
    "DEADLINE_OUTCOME_LABELS",
    "N_",
    "QUEUE_LABELS",
    "STEP_BY_EVENT",
    "STEP_LABELS",
    "queue_label",
    "step_code",
]


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it (the web translates later)."""
    return message


# Case event class name -> timeline step code. One entry per ``@event`` of ``domain.case.Case``
# (tests/integration/test_timeline.py checks that none is missing).
STEP_BY_EVENT: Final[dict[str, str]] = {
    "Opened": "opened",
    "Accepted": "accepted",
    "Rejected": "rejected",
    "ReturnShipped": "return_shipped",
    "ReturnDelivered": "return_delivered",
    "ReceiptConfirmed": "receipt_confirmed",
    "Inspected": "inspected",
    "RepairQuoted": "repair_quoted",
    "QuoteAccepted": "quote_accepted",
    "QuoteDeclined": "quote_declined",
    "RepairCompleted": "repair_completed",
    "ExchangeShipped": "exchange_shipped",
    "RefundApproved": "refund_approved",
    "RefundPaid": "refund_paid",
    "RefundFailed": "refund_failed",
    "ShippingOwed": "shipping_owed",  # issue 8: fees around the process
    "ShippingRepaid": "shipping_repaid",
    "RepairFeePaid": "repair_fee_paid",
    "RepairFeeWaived": "repair_fee_waived",
    "ReturnReceiptAccepted": "return_receipt_accepted",
    "RefundRetried": "refund_retried",
    "RefundRerouted": "refund_rerouted",
    "PaymentReopened": "payment_reopened",
    "CompensationGranted": "compensation_granted",
    "CompensationPaid": "compensation_paid",
    "ComplaintFiled": "complaint_filed",
    "ComplaintResponded": "complaint_responded",
    "OpinionGiven": "opinion_given",
    "EscalatedToArbitration": "escalated",
    "EvidenceSubmitted": "evidence_submitted",
    "Ruled": "ruled",
    "SlaBreached": "sla_breached",
    "Routed": "routed",
    "NoteAdded": "note_added",
    "Withdrawn": "withdrawn",
    "Closed": "closed",
    "Rated": "rated",
    "GoodsShippedBack": "goods_shipped_back",
    "GoodsReceived": "goods_received",
    "TurnedIntoRefund": "turned_into_refund",
}


def step_code(event_name: str) -> str:
    """The step code of a Case event; an event this table does not know yet gets its name in
    snake_case, so a new event shows up (untranslated) instead of breaking the projection."""
    known = STEP_BY_EVENT.get(event_name)
    if known is not None:
        return known
    out: list[str] = []
    for i, ch in enumerate(event_name):
        if ch.isupper() and i:
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


# Amount parameters (``*_fen``) are filled in by the web as money (``¥12.34``), never as raw fen.
# Parameters available to each text are the keys of the row's ``details`` plus ``actor_role``,
# ``actor_id`` and ``rule``.
STEP_LABELS: Final[dict[str, str]] = {
    "opened": N_("Application submitted"),
    "accepted": N_("Application accepted"),
    "rejected": N_("Application rejected"),
    "return_shipped": N_("Goods shipped back with {carrier}, tracking number {tracking_no}"),
    "return_delivered": N_("Returned goods delivered to the merchant"),
    "receipt_confirmed": N_("Merchant confirmed receipt of the returned goods"),
    "inspected": N_("Inspected: {responsibility}"),
    "repair_quoted": N_("Repair quoted: {fee_fen}"),
    "quote_accepted": N_("Repair quote accepted"),
    "quote_declined": N_("Repair quote declined"),
    "repair_completed": N_("Repair completed"),
    "exchange_shipped": N_("Replacement shipped with {carrier}, tracking number {tracking_no}"),
    "refund_approved": N_("Refund of {total_fen} approved"),
    "refund_paid": N_("Refund of {amount_fen} paid"),
    "shipping_owed": N_("Shipping of {amount_fen} owed to the consumer ({rule})"),
    "shipping_repaid": N_("Shipping of {amount_fen} paid back to the consumer"),
    "repair_fee_paid": N_("Repair fee of {amount_fen} paid"),
    "repair_fee_waived": N_("Repair fee of {amount_fen} waived"),
    "return_receipt_accepted": N_("Return shipping receipt of {fee_fen} accepted (R2)"),
    "refund_failed": N_("Refund payment failed"),
    "refund_retried": N_("Failed refund payment sent again: {amount_fen}"),
    "refund_rerouted": N_(
        "Refund payment of {amount_fen} rerouted to the wallet (consent: {consent})"
    ),
    "payment_reopened": N_(
        "Refund payment of {amount_fen} reopened: it did not reach the consumer"
    ),
    "compensation_granted": N_("Compensation of {amount_fen} granted"),
    "compensation_paid": N_("Compensation of {amount_fen} paid"),
    "complaint_filed": N_("Complaint filed"),
    "complaint_responded": N_("Platform responded to the complaint"),
    "opinion_given": N_("Platform gave its handling opinion"),
    "escalated": N_("Escalated to arbitration"),
    "evidence_submitted": N_("Evidence submitted ({count} item(s))"),
    "ruled": N_("Arbitration ruling: {outcome}"),
    "sla_breached": N_("Deadline missed: {clock}"),
    "routed": N_("Routed to queue {queue}"),
    "note_added": N_("Note added"),
    "withdrawn": N_("Application withdrawn"),
    "closed": N_("Case closed: {outcome}"),
    "rated": N_("Rated {score}/5"),
    "goods_shipped_back": N_("Goods sent back with {carrier}, tracking number {tracking_no}"),
    "goods_received": N_("Consumer received the goods back"),
    "turned_into_refund": N_("No replacement shipped in time: the exchange is refunded"),
}

CLOCK_LABELS: Final[dict[str, str]] = {
    "merchant_decision": N_("Merchant accepts or rejects"),
    "first_response": N_("First response to the application"),
    "platform_response": N_("Platform responds to the complaint"),
    "platform_opinion": N_("Platform gives its handling opinion"),
    "consumer_ship": N_("Consumer ships the goods back"),
    "confirm_receipt": N_("Merchant confirms receipt of the returned goods"),
    "refund_approval": N_("Platform reviews the refund"),
    "refund_payment": N_("Refund reaches the consumer"),
    "return_delivery": N_("Returned goods arrive at the merchant"),
    "statutory_refund": N_("Refund within 7 days of the goods' return (statutory)"),
    "inspection": N_("Merchant inspects the returned goods"),
    "ship_back": N_("Merchant sends the goods back"),
    "consumer_confirm": N_("Consumer confirms the goods arrived"),
    "replacement_ship": N_("Merchant ships the replacement"),
    "repair_work": N_("Merchant completes the repair"),
    "quote_answer": N_("Consumer answers the repair quote"),
    "consumer_dispute": N_("Consumer may dispute the answer"),
    "arbitration": N_("Arbitrator rules"),
    "compensation_payment": N_("Compensation reaches the consumer"),
    "post_close": N_("Complaints and escalation after closing"),
}

# What a queue item waits for (``queue_items.awaiting``).
AWAITING_LABELS: Final[dict[str, str]] = {
    "decide": N_("Accept or reject"),
    "respond": N_("Respond to the application"),
    "respond_complaint": N_("Respond to the complaint"),
    "give_opinion": N_("Give the handling opinion"),
    "ship_return": N_("Ship the goods back"),
    "confirm_receipt": N_("Confirm receipt"),
    "approve_refund": N_("Approve the refund"),
    "pay_refund": N_("Pay the refund"),
    "inspect": N_("Inspect the returned goods"),
    "complete_repair": N_("Complete the repair"),
    "answer_quote": N_("Accept or decline the repair quote"),
    "ship_exchange": N_("Ship the replacement"),
    "rule": N_("Rule on the dispute"),
    "carry_out_ruling": N_("Carry out the ruling"),
    "handle_routed": N_("Handle the routed case"),
    "handle_case": N_("Look at the case (a state the process does not declare)"),
    "record_delivery": N_("Record the return's arrival"),
    "ship_back": N_("Send the goods back"),
    "confirm_goods": N_("Confirm the goods arrived"),
    "dispute": N_("Accept the answer or dispute it"),
    "pay_compensation": N_("Pay the compensation"),
    "refund_by_statutory_end": N_("See the refund paid by the statutory end"),
    "complain_or_escalate": N_("Complain or apply for arbitration, if need be"),
}

# ``timeline_steps.deadlines_closed[].outcome``
DEADLINE_OUTCOME_LABELS: Final[dict[str, str]] = {
    "met": N_("met"),
    "late": N_("late"),
    "missed": N_("missed"),
    "cancelled": N_("no longer needed"),
    "superseded": N_("replaced by a new deadline"),
}

QUEUE_LABELS: Final[dict[str, str]] = {
    "platform": N_("Platform customer service"),
    "platform_supervisor": N_("Platform supervisors"),
    "arbitration": N_("Arbitration"),
    "finance": N_("Finance"),
    "merchant": N_("Store {merchant_id}"),
    "consumer": N_("Consumer {consumer_id}"),
}


def queue_label(queue: str) -> tuple[str, dict[str, str]]:
    """The label key and parameters of a queue name (``merchant:m1`` -> ``("merchant",
    {"merchant_id": "m1"})``); unknown names label as themselves."""
    prefix, sep, rest = queue.partition(":")
    if sep and prefix == "merchant":
        return QUEUE_LABELS["merchant"], {"merchant_id": rest}
    if sep and prefix == "consumer":
        return QUEUE_LABELS["consumer"], {"consumer_id": rest}
    return QUEUE_LABELS.get(queue, queue), {}
