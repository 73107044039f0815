"""Codes in words, in the viewer's language: case kinds, reasons, statuses, responsibilities,
rulings, close outcomes, parties, tenders, clocks and queues. One table per code family, shared by
every audience's pages and the case view (the read models store codes; ``projections/labels.py``
holds the step, clock, awaiting and queue texts)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l

from domain.values import ExclusionKind, Role
from projections.labels import AWAITING_LABELS, CLOCK_LABELS, queue_label
from web.common.auth import role_label

KIND_LABELS: dict[str, Any] = {
    "return_refund": _l("Return and refund"),
    "refund_only": _l("Refund only"),
    "exchange": _l("Exchange"),
    "repair": _l("Repair"),
    "complaint": _l("Complaint"),
}

REASON_LABELS: dict[str, Any] = {
    "no_reason": _l("No reason needed (7-day return)"),
    "quality_defect": _l("Quality problem"),
    "wrong_item": _l("Wrong item sent"),
    "transport_damage": _l("Damaged in transit"),
    "not_delivered": _l("Not delivered"),
    "missing_item": _l("Item missing from the parcel"),
    "user_damage": _l("Damage I caused (paid repair)"),
    "service": _l("The merchant's service"),
}

STATUS_LABELS: dict[str, Any] = {
    "requested": _l("Waiting for the merchant's decision"),
    "rejected": _l("Rejected"),
    "awaiting_return": _l("Waiting for the goods to be shipped back"),
    "return_in_transit": _l("Goods on their way back"),
    "return_delivered": _l("Returned goods delivered to the merchant"),
    "received": _l("Merchant received the goods"),
    "inspection_failed": _l("Inspection found damage"),
    "awaiting_refund": _l("Waiting for refund approval"),
    "refund_approved": _l("Refund on its way"),
    "refund_failed": _l("Refund payment failed"),
    "awaiting_exchange": _l("Waiting for the replacement"),
    "awaiting_quote_answer": _l("Waiting for your answer to the repair quote"),
    "repairing": _l("Being repaired"),
    "returning_unrepaired": _l("Goods being returned unrepaired"),
    "complaint_open": _l("Complaint waiting for the platform"),
    "complaint_answered": _l("Complaint answered, handling opinion due"),
    "opinion_given": _l("Handling opinion given"),
    "in_arbitration": _l("In arbitration"),
    "ruled": _l("Ruled: the ruling is being carried out"),
    "closed": _l("Closed"),
    "withdrawn": _l("Withdrawn"),
}

RESPONSIBILITY_LABELS: dict[str, Any] = {
    "product_defect": _l("product defect"),
    "transport_damage": _l("damaged in transport"),
    "user_damage": _l("damage caused by the user"),
    "no_fault": _l("no fault found"),
}

# R3.a (issue 8): the kinds of refund deduction (domain.entitlement.DeductionKind) and the items
# of an entitlement (EntitlementItemKind).
DEDUCTION_LABELS: dict[str, Any] = {
    "user_damage": _l("damage caused by the user, found at inspection (R14)"),
    "arbitration_ruling": _l("fixed by the arbitration ruling (R10)"),
    "unstated_legacy": _l("approved before deductions were itemised (no stated reason)"),
}

ENTITLEMENT_LABELS: dict[str, Any] = {
    "goods": _l("paid for the goods"),
    "return_leg": _l("return shipping owed (R2)"),
    "outbound_leg": _l("original delivery owed (R2)"),
    "legacy_cap": _l("cap at approval (before itemising)"),
}

RULING_LABELS: dict[str, Any] = {
    "refund": _l("refund"),
    "exchange": _l("exchange"),
    "repair": _l("repair"),
    "compensation": _l("compensation"),
    "dismissed": _l("dismissed"),
}

CLOSE_OUTCOME_LABELS: dict[str, Any] = {
    "refunded": _l("refunded"),
    "repaired": _l("repaired"),
    "returned_unrepaired": _l("returned unrepaired"),
    "exchanged": _l("exchanged"),
    "not_shipped": _l("goods not shipped back in time"),
    "dismissed": _l("dismissed"),
    "compensated": _l("compensated"),
    "rejected": _l("rejected"),
    "withdrawn": _l("withdrawn"),
    "inspection_failed": _l("inspection found damage"),
}

PARTY_LABELS: dict[str, Any] = {
    "consumer": _l("the consumer"),
    "merchant": _l("the merchant"),
    "platform_agent": _l("the platform"),
    "platform": _l("the platform"),
    "arbitrator": _l("the arbitrator"),
    "finance": _l("platform finance"),
    "system": _l("the system"),
}

#: R1.a / R1.b: why a category is excluded from no-reason return.
EXCLUSION_KIND_LABELS: dict[str, Any] = {
    ExclusionKind.FRESH.value: _l("Fresh or perishable goods"),
    ExclusionKind.CUSTOM.value: _l("Custom-made goods"),
    ExclusionKind.DIGITAL.value: _l("Digital goods, once delivered"),
    ExclusionKind.CONSUMABLE.value: _l("Consumables once opened (e.g. cosmetics samples)"),
    ExclusionKind.HYGIENE.value: _l("Hygiene goods, when confirmed at purchase (e.g. underwear)"),
}

SYSTEM_LABEL = _l("System")

TENDER_LABELS: dict[str, Any] = {
    "card": _l("bank card"),
    "wallet": _l("wallet balance"),
    "points": _l("points"),
    "coupon": _l("coupon"),
}


def _label(table: Mapping[str, Any], code: str | None) -> str:
    if code is None:
        return ""
    text = table.get(code)
    return str(text) if text is not None else code


def kind_label(code: str) -> str:
    return _label(KIND_LABELS, code)


def reason_label(code: str) -> str:
    return _label(REASON_LABELS, code)


def status_label(code: str) -> str:
    return _label(STATUS_LABELS, code)


def party_label(code: str | None) -> str:
    return _label(PARTY_LABELS, code)


def clock_label(code: str | None) -> str:
    if code is None:
        return ""
    text = CLOCK_LABELS.get(code)
    return gettext(text) if text is not None else code


def queue_text(queue: str) -> str:
    """A queue's name in words: a store's queue by the store's published name (issue 11 item 4),
    the others by their labels (``{name}`` fields)."""
    prefix, _sep, merchant_id = queue.partition(":")
    if prefix == "merchant" and merchant_id:
        from web.common.stores import store_name

        return store_name(merchant_id)
    text, values = queue_label(queue)
    return str(gettext(text)).format_map(Missing(values))


def actor_role_label(role: str) -> str:
    if role == Role.SYSTEM.value:
        return str(SYSTEM_LABEL)
    return str(role_label(role))


def tender_label(code: str) -> str:
    """How a line was paid (R3.a), in words."""
    return _label(TENDER_LABELS, code)


def awaiting_label(code: str) -> str:
    """What a queue item waits for, in words."""
    text = AWAITING_LABELS.get(code)
    return gettext(text) if text is not None else code


def label_of(table: Mapping[str, Any], code: str | None) -> str:
    """``code`` in words from ``table``; the code itself when the table has none."""
    return _label(table, code)


class Missing(dict[str, Any]):
    """Format values that leave an unknown ``{field}`` as it is."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def exclusion_kind_label(kind: Any) -> str:
    """An exclusion kind (R1.a, R1.b) in words; accepts the enum or its value."""
    return _label(EXCLUSION_KIND_LABELS, str(getattr(kind, "value", kind)))


#: Product categories and listed parts as people name them (issue 11 item 4). A store names its
#: categories and parts in its policy; the usual ones are translated here, any other is shown as
#: the store wrote it.
CATEGORY_LABELS: dict[str, Any] = {
    "phone": _l("Mobile phones"),
    "phones": _l("Mobile phones"),
    "earphones": _l("Earphones"),
    "accessory": _l("Accessories"),
    "accessories": _l("Accessories"),
    "fruit": _l("Fresh fruit"),
    "fresh": _l("Fresh food"),
    "cosmetics": _l("Cosmetics"),
    "gift_box": _l("Gift boxes"),
    "apparel": _l("Clothing"),
    "custom": _l("Custom-made goods"),
    "underwear": _l("Underwear"),
    "laptop": _l("Laptops"),
    "tablet": _l("Tablets"),
    "appliance": _l("Home appliances"),
}

PART_LABELS: dict[str, Any] = {
    "unit": _l("The whole unit"),
    "battery": _l("Battery"),
    "charger": _l("Charger"),
    "cable": _l("Cable"),
    "screen": _l("Screen"),
    "earphones": _l("Earphones"),
    "remote": _l("Remote control"),
    "filter": _l("Filter"),
}


def category_name(code: str) -> str:
    """A product category in the viewer's language (a store's own word stays as it is)."""
    return _label(CATEGORY_LABELS, code)


def part_name(code: str) -> str:
    """A listed part (R5) in the viewer's language (a store's own word stays as it is)."""
    return _label(PART_LABELS, code)


def category_names(codes: Any) -> str:
    """Several categories or parts, joined as the language writes lists."""
    return str(gettext(", ")).join(category_name(c) for c in codes)


def part_names(codes: Any) -> str:
    return str(gettext(", ")).join(part_name(c) for c in codes)
