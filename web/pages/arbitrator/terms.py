"""The policy a case is judged by (R19), term by term, as the replay viewer shows it."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

from flask_babel import lazy_gettext as _l

from domain.terms import PolicyTerms
from web.common.casepage import rule_url
from web.common.formats import money
from web.common.labels import category_name, category_names, part_names
from web.common.translate import gettext, ngettext

# --- the policy a case is judged by (R19), term by term ------------------------------------

#: (term, label, rule) in the order policy.md presents them.
TERM_ROWS: tuple[tuple[str, Any, str], ...] = (
    ("categories", _l("Product categories covered"), "R11"),
    ("return_window_days", _l("No-reason return window"), "R1"),
    ("exclusions", _l("Goods excluded from no-reason return"), "R1.a"),
    ("free_return_shipping", _l("Return shipping"), "R2"),
    ("accept_hours", _l("Merchant accepts or rejects within"), "R12"),
    ("first_response_hours", _l("First response to a first application within"), "R12.a"),
    ("confirm_receipt_hours", _l("Merchant confirms receipt of returned goods within"), "R3"),
    ("refund_working_days", _l("Refund reaches the consumer within"), "R3"),
    ("consumer_ship_days", _l("Consumer ships an accepted return within"), "R13"),
    ("warranty_months", _l("Warranty of the whole unit"), "R5"),
    ("parts_warranty_months", _l("Warranty of listed parts and consumables"), "R5"),
    ("warranty_parts", _l("Parts with the short warranty"), "R5"),
    ("repair_response_hours", _l("Merchant responds to a repair request within"), "R5.a"),
    ("repair_fee_cap_fen", _l("Highest repair fee"), "R6"),
    ("after_sales_carrier", _l("After-sales carrier channel"), "R25"),
    ("notes", _l("Product limits shown before purchase"), "R23"),
    ("currency", _l("Currency"), "R3.a"),
)


@dataclass(frozen=True)
class TermRow:
    name: str
    label: str
    rule: str
    rule_url: str | None
    value: str
    from_later_version: bool  # R19: a later, more generous version set this term


def term_value(name: str, terms: PolicyTerms) -> str:
    value = getattr(terms, name)
    if name == "categories":
        return category_names(value) or "—"
    if name == "exclusions":
        if not value:
            return gettext("none")
        return gettext("; ").join(f"{category_name(e.category)}：{e.reason}" for e in value)
    if name == "warranty_parts":
        return part_names(value) if value else gettext("none")
    if name == "notes":
        notes = (f"{category_name(n.category)}：{n.text}" for n in value)
        return gettext("; ").join(notes) if value else gettext("none")
    if name == "free_return_shipping":
        if value:
            return gettext("the merchant pays every return leg")
        return gettext("first no-reason return: the consumer pays the return leg")
    if name == "repair_fee_cap_fen":
        return money(value, terms.currency) if value is not None else gettext("no cap")
    if name == "after_sales_carrier":
        return str(value) or gettext("none named")
    if name.endswith("_hours"):
        return ngettext("%(num)s hour", "%(num)s hours", int(value))
    if name == "refund_working_days":
        return ngettext("%(num)s working day", "%(num)s working days", int(value))
    if name.endswith("_days"):
        return ngettext("%(num)s day", "%(num)s days", int(value))
    if name.endswith("_months"):
        return ngettext("%(num)s month", "%(num)s months", int(value))
    return str(value)


def term_rows(terms: PolicyTerms, published: PolicyTerms | None) -> list[TermRow]:
    """The terms a case is judged by; ``published`` is the version in force at order time, to
    mark the terms a later, more generous version improved (R19 reading)."""
    known = {f.name for f in fields(PolicyTerms)}
    rows = []
    for name, label, rule in TERM_ROWS:
        if name not in known:
            continue
        rows.append(
            TermRow(
                name=name,
                label=str(label),
                rule=rule,
                rule_url=rule_url(rule),
                value=term_value(name, terms),
                from_later_version=published is not None
                and getattr(published, name) != getattr(terms, name),
            )
        )
    return rows
