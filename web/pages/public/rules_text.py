"""The platform's after-sales rules (policy.md) as the public reads them on ``/rules``."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

#: The platform's after-sales rules (policy.md) as the public reads them, by id: every rule id a
#: page shows links here (``web.common.casepage.rule_url`` -> ``/rules#R12``). Groups in the order
#: of the platform's document.
RULE_GROUPS: tuple[tuple[Any, tuple[tuple[str, Any, Any], ...]], ...] = (
    (
        _l("Principles"),
        (
            (
                "P1",
                _l("Consumer protection first"),
                _l("Every step is transparent and fair to the consumer."),
            ),
            (
                "P2",
                _l("Clear responsibility"),
                _l(
                    "The duties of merchant, platform and consumer are explicit at each step; "
                    "only the party a step belongs to may take it."
                ),
            ),
            ("P3", _l("Efficient"), _l("Short flows, short deadlines, measured.")),
            (
                "P4",
                _l("Honest and transparent"),
                _l(
                    "The policy in force is public; nothing about a case is hidden from its "
                    "consumer except notes marked internal."
                ),
            ),
        ),
    ),
    (
        _l("Returns and refunds"),
        (
            (
                "R1",
                _l("Seven-day no-reason return"),
                _l(
                    "Goods can be returned without a reason within 7 days (or the store's longer "
                    "window), counted from the day after delivery was signed for, if goods and "
                    "packaging are intact and resale is not affected; the store may refuse one "
                    "that fails this, with evidence."
                ),
            ),
            (
                "R1.a",
                _l("Special goods"),
                _l(
                    "Fresh or perishable goods, custom-made goods, digital goods once delivered "
                    "and consumables once opened are never returned without a reason; each "
                    "exclusion is shown with its reason."
                ),
            ),
            (
                "R1.b",
                _l("Confirmed at purchase"),
                _l(
                    "Goods excluded only when the consumer confirmed it at purchase can be "
                    "returned without a reason unless the order records that confirmation."
                ),
            ),
            (
                "R1.c",
                _l("Quality problems"),
                _l(
                    "A defective item can be returned, exchanged or repaired whatever its "
                    "category and after the 7-day window, within warranty."
                ),
            ),
            (
                "R2",
                _l("Return shipping"),
                _l(
                    "No-reason return: the consumer pays the return of a first return to the "
                    "store; the store pays it for later returns by a consumer who bought again. "
                    "Fault of the store or the carrier: the store pays both legs. Exchange: the "
                    "same, leg by leg."
                ),
            ),
            (
                "R3",
                _l("Refund timeline"),
                _l(
                    "The store confirms receipt of returned goods within 24 hours of their "
                    "delivery; the platform then reviews; after approval the money arrives within "
                    "3 to 7 working days, and by law within 7 days of the store receiving the "
                    "goods."
                ),
            ),
            (
                "R3.a",
                _l("Where the money goes"),
                _l(
                    "Refunds go back to the original payment methods in proportion; points and "
                    "coupons come back as they were; a refund never exceeds what was paid plus "
                    "the shipping owed."
                ),
            ),
            (
                "R4",
                _l("Repair for quality problems"),
                _l("Quality problems are repaired free or at a discount by the store."),
            ),
        ),
    ),
    (
        _l("Repair and maintenance"),
        (
            (
                "R5",
                _l("Warranty"),
                _l(
                    "1 year for the whole unit and 3 months for listed parts and consumables (or "
                    "the store's longer terms), counted from delivery."
                ),
            ),
            (
                "R5.a",
                _l("Repair response"),
                _l(
                    "The store responds to a repair request within 48 hours (or faster, as its "
                    "policy says)."
                ),
            ),
            (
                "R6",
                _l("Repair costs"),
                _l(
                    "In warranty and not caused by the user: free. Out of warranty or caused by "
                    "the user: the user pays a quoted fee, accepted or declined before work "
                    "starts."
                ),
            ),
            (
                "R7",
                _l("Repair flow"),
                _l(
                    "Request, send back for inspection, fault confirmed, repaired and shipped "
                    "back (or repaired on site)."
                ),
            ),
            (
                "R8",
                _l("Exchange"),
                _l("Like a return, then the replacement is shipped; shipping as R2 for each leg."),
            ),
        ),
    ),
    (
        _l("Complaints and disputes"),
        (
            (
                "R9",
                _l("Complaint channels"),
                _l("Platform customer service, or the complaint entry in the store."),
            ),
            (
                "R9.a",
                _l("Complaint deadlines"),
                _l(
                    "The platform responds within 24 hours and gives its handling opinion within "
                    "72 hours."
                ),
            ),
            (
                "R10",
                _l("Arbitration"),
                _l(
                    "When negotiation fails either party may apply for arbitration; the ruling is "
                    "final: afterwards the outcome can only be carried out, never changed."
                ),
            ),
        ),
    ),
    (
        _l("Store duties"),
        (
            (
                "R11",
                _l("Published policy"),
                _l(
                    "Each store publishes its after-sales policy, item by item and in plain "
                    "language, on its page and with each product."
                ),
            ),
            (
                "R12",
                _l("Accept or reject"),
                _l(
                    "The store accepts or rejects an application within 2 hours (or faster), and "
                    "always gives a reason for a rejection."
                ),
            ),
            (
                "R12.a",
                _l("Service level"),
                _l(
                    "A first response to a first application within 24 hours; a missed deadline "
                    "is recorded on the case, and the platform may then act in the store's place."
                ),
            ),
            (
                "R13",
                _l("Returns by carrier"),
                _l(
                    "Goods come back through a carrier with a tracking number, protected in "
                    "transit."
                ),
            ),
            (
                "R14",
                _l("Inspection and responsibility"),
                _l(
                    "Returned or repaired goods are inspected and the responsibility recorded "
                    "(product defect, transport damage, user damage, no fault); refund, repair, "
                    "or repair plus compensation follows."
                ),
            ),
        ),
    ),
    (
        _l("Platform duties"),
        (
            (
                "R15",
                _l("Monitoring"),
                _l(
                    "After-sales rate, refund rate and response times per store; stores with "
                    "frequent problems are flagged."
                ),
            ),
            (
                "R16",
                _l("Smart customer service"),
                _l(
                    "Common questions are answered automatically from the store's policy and the "
                    "order's facts."
                ),
            ),
            (
                "R17",
                _l("Application management"),
                _l("Stores handle applications in queues with deadlines and in bulk."),
            ),
            (
                "R18",
                _l("Satisfaction"),
                _l("Consumers rate a closed case; results per store each quarter."),
            ),
            (
                "R19",
                _l("Policy versions"),
                _l(
                    "A policy is published as numbered versions; a case follows the version in "
                    "force when the order was placed, unless a later one is more generous to the "
                    "consumer. No version may be less generous than the platform's floor."
                ),
            ),
            (
                "R20",
                _l("Automatic triage"),
                _l("Applications are classified and routed to a handler automatically."),
            ),
            (
                "R21",
                _l("Transparency"),
                _l("Every step of a case is recorded and the consumer sees each step's details."),
            ),
            (
                "R22",
                _l("Reputation"),
                _l(
                    "Stores earn a Gold after-sales badge from response speed and dispute "
                    "resolution."
                ),
            ),
            (
                "R23",
                _l("Pre-sale information"),
                _l(
                    "A product's limits (material, use restrictions) are shown with its "
                    "after-sales policy."
                ),
            ),
            (
                "R24",
                _l("Risk warning"),
                _l("Products whose return rate moves abnormally are flagged to their store."),
            ),
            (
                "R25",
                _l("Logistics"),
                _l(
                    "Return shipments carry carrier and tracking number; a store may name a "
                    "dedicated after-sales carrier."
                ),
            ),
        ),
    ),
)
