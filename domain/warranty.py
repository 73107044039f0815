"""R5 warranty per component: what a consumer may name as the broken part of an order line.

The parts come from the policy version that judges the case (its parts for the line's category,
``PolicyTerms.parts_for``) and the line's delivery: each offer carries its warranty's end, so the
site offers a choice (the whole unit first) instead of a free-text field. A case still stores the
chosen name as ``component``; a name the policy does not list gets the unit's warranty, as cases
stored before the list existed did.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.calendar import require_aware
from domain.lines import OrderLine
from domain.rules import warranty_end
from domain.terms import PolicyTerms

UNIT = "unit"  # the component that means the whole unit (R5)


@dataclass(frozen=True)
class PartOffer:
    """One choice for ``component``: its warranty in months and when that ends (R5).

    ``warranty_end`` is the exclusive end (24:00 CST of the last day); None before delivery.
    """

    component: str
    months: int
    warranty_end: datetime | None
    is_unit: bool
    rule: str = "R5"

    def in_warranty(self, now: datetime) -> bool:
        return self.warranty_end is not None and require_aware(now, "now") < self.warranty_end


def parts_offered(
    line: OrderLine, terms: PolicyTerms, delivered_at: datetime | None
) -> tuple[PartOffer, ...]:
    """R5: the whole unit, then each part listed for ``line``'s category, with its warranty end."""

    def offer(component: str, months: int, is_unit: bool) -> PartOffer:
        end = warranty_end(delivered_at, months) if delivered_at is not None else None
        return PartOffer(component, months, end, is_unit)

    offers = [offer(UNIT, terms.warranty_months, True)]
    offers.extend(offer(name, months, False) for name, months in terms.parts_for(line.category))
    return tuple(offers)


def offer_for(
    component: str, line: OrderLine, terms: PolicyTerms, delivered_at: datetime | None
) -> PartOffer:
    """The offer ``component`` names; an unlisted name (free text stored before the list
    existed) has the unit's warranty (R5)."""
    offers = parts_offered(line, terms, delivered_at)
    for item in offers:
        if item.component == component:
            return item
    unit = offers[0]
    return PartOffer(component, unit.months, unit.warranty_end, False)
