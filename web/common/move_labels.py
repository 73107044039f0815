"""The process declaration's English labels (``domain.process``: each move's and each input's),
marked for translation: the domain stays free of the web's languages, the pages show these in
the viewer's. ``tests/web/test_move_forms.py`` fails when the declaration gains a label that is
not listed here."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

LABELS: dict[str, Any] = {
    "Confirm the goods arrived": _l("Confirm the goods arrived"),
    "Carrier's expected delivery": _l("Carrier's expected delivery"),
    "Send the goods back": _l("Send the goods back"),
    "Accept": _l("Accept"),
    "Reason": _l("Reason"),
    "Reject": _l("Reject"),
    "Ship the goods back": _l("Ship the goods back"),
    "Carrier and tracking number": _l("Carrier and tracking number"),
    "Record the return's delivery": _l("Record the return's delivery"),
    "Delivered at": _l("Delivered at"),
    "Confirm receipt": _l("Confirm receipt"),
    "Record the inspection": _l("Record the inspection"),
    "Responsibility": _l("Responsibility"),
    "Findings": _l("Findings"),
    "Evidence": _l("Evidence"),
    "Inspected on site (repairs)": _l("Inspected on site (repairs)"),
    "Quote the repair": _l("Quote the repair"),
    "Fee": _l("Fee"),
    "Answer the quote": _l("Answer the quote"),
    "Accept the fee": _l("Accept the fee"),
    "Complete the repair": _l("Complete the repair"),
    "What was done": _l("What was done"),
    "Ship the replacement": _l("Ship the replacement"),
    "Approve the refund": _l("Approve the refund"),
    "Amount": _l("Amount"),
    "Deduction": _l("Deduction"),
    "Deduction amount": _l("Deduction amount"),
    "Deduction evidence": _l("Deduction evidence"),
    "Record the refund paid": _l("Record the refund paid"),
    "Payment reference": _l("Payment reference"),
    "Record a failed payment": _l("Record a failed payment"),
    "Tender": _l("Tender"),
    "Retry a failed payment": _l("Retry a failed payment"),
    "Pay a failed payment to the wallet instead": _l("Pay a failed payment to the wallet instead"),
    "The consumer's consent (how and when given)": _l(
        "The consumer's consent (how and when given)"
    ),
    "Reopen a payment": _l("Reopen a payment"),
    "Grant compensation": _l("Grant compensation"),
    "Record the compensation paid": _l("Record the compensation paid"),
    "File a complaint": _l("File a complaint"),
    "Channel": _l("Channel"),
    "Complaint": _l("Complaint"),
    "Respond to the complaint": _l("Respond to the complaint"),
    "Response": _l("Response"),
    "Give the handling opinion": _l("Give the handling opinion"),
    "Handling opinion": _l("Handling opinion"),
    "Apply for arbitration": _l("Apply for arbitration"),
    "Why negotiation failed": _l("Why negotiation failed"),
    "Submit evidence": _l("Submit evidence"),
    "Rule": _l("Rule"),
    "Ruling": _l("Ruling"),
    "Reasoning": _l("Reasoning"),
    "Route to a queue": _l("Route to a queue"),
    "Queue": _l("Queue"),
    "Kind": _l("Kind"),
    "Confidence (%)": _l("Confidence (%)"),
    "Add a note": _l("Add a note"),
    "Note": _l("Note"),
    "Internal (staff only)": _l("Internal (staff only)"),
    "Withdraw": _l("Withdraw"),
    "Close": _l("Close"),
    "Rate": _l("Rate"),
    "Score": _l("Score"),
    "Comment": _l("Comment"),
}


def move_label(text: str) -> str:
    """A label of the declaration in the viewer's language (the English text when unknown)."""
    label = LABELS.get(text)
    return str(label) if label is not None else text
