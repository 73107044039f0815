"""The merchant's policy form (R11, R19, R23): what the page shows, and the posted form parsed
into :class:`domain.terms.PolicyTerms`.

Input names follow ``PolicyTerms`` field names, so a refusal from the domain (``InvalidInput`` /
``PolicyBelowFloor`` carry ``.field``) lands next to the input it is about. Exceptions: the
repair fee cap is typed in yuan (``repair_fee_cap``, stored as ``repair_fee_cap_fen``); the
exclusion / note / part rows are repeated inputs (``exclusion_category`` ... zipped by position)
and the R12.a table one input per kind (``first_response_<kind>``), parsed in ``policy_rows``.
Each whole-number term's platform bound comes from ``domain.terms.TERM_BOUNDS``.

Nothing here decides whether terms are generous enough: the domain's ``check_terms`` does (R19).
This module only turns text into values and words every refusal for the person who typed it,
keeping what they typed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from domain.terms import PLATFORM_FLOOR, TERM_BOUNDS, CategoryNote, Exclusion, PolicyTerms
from domain.values import ExclusionKind
from web.common.formats import yuan_text
from web.pages.merchant.policy_money import MONEY_LABELS, money_values, parse_money
from web.pages.merchant.policy_rows import (
    kind_values,
    parse_kind_rows,
    parse_parts,
    part_rows,
    platform_refusal,
)

__all__ = [
    "AT_LEAST",
    "AT_MOST",
    "FIELD_LABELS",
    "INT_FIELDS",
    "PolicyForm",
    "form_from_terms",
    "parse_policy_form",
    "parse_yuan",
]

#: Whole-number terms, in the order the form shows them.
INT_FIELDS: tuple[str, ...] = (
    "return_window_days",
    "consumer_ship_days",
    "warranty_months",
    "parts_warranty_months",
    "accept_hours",
    "repair_response_hours",
    "first_response_hours",
    "confirm_receipt_hours",
    "refund_working_days",
    # the complete process (issue 7)
    "return_transit_days",
    "inspection_hours",
    "refund_review_hours",
    "replacement_ship_hours",
    "repair_days",
    "quote_answer_days",
    "ship_back_hours",
    "confirm_goods_days",
    "dispute_days",
    "post_close_days",
)

#: Terms where the platform sets a floor (a store may give more, never less) and the rule;
#: from the domain's ``TERM_BOUNDS`` (R19).
AT_LEAST: dict[str, str] = {
    name: rule for name, (bound, rule) in TERM_BOUNDS.items() if bound == "at_least"
}
#: Terms where the platform sets a ceiling (a store may be faster, never slower) and the rule.
AT_MOST: dict[str, str] = {
    name: rule for name, (bound, rule) in TERM_BOUNDS.items() if bound == "at_most"
}

FIELD_LABELS: dict[str, Any] = {
    "categories": _l("Product categories"),
    "return_window_days": _l("No-reason return window (days)"),
    "consumer_ship_days": _l("Days the consumer has to ship an accepted return"),
    "exclusions": _l("Categories excluded from no-reason returns"),
    "warranty_months": _l("Warranty of the whole unit (months)"),
    "parts_warranty_months": _l("Warranty of listed parts and consumables (months)"),
    "warranty_parts": _l("Listed parts and consumables"),
    "accept_hours": _l("Accept or reject a return, refund or exchange within (hours)"),
    "repair_response_hours": _l("Respond to a repair request within (hours)"),
    "first_response_hours": _l("First response to a first application within (hours)"),
    "confirm_receipt_hours": _l("Confirm receipt of returned goods within (hours)"),
    "refund_working_days": _l("Refund reaches the consumer within (working days)"),
    "return_transit_days": _l("A return's transit when the carrier gives no estimate (days)"),
    "inspection_hours": _l("Inspect returned goods within (hours)"),
    "refund_review_hours": _l("The platform reviews a refund within (hours)"),
    "replacement_ship_hours": _l("Ship a replacement within (hours)"),
    "repair_days": _l("Repair within (days of receiving the goods)"),
    "quote_answer_days": _l("Days the consumer has to answer a repair quote"),
    "ship_back_hours": _l("Ship goods back to the consumer within (hours)"),
    "confirm_goods_days": _l("Days the consumer has to confirm goods sent back"),
    "dispute_days": _l("Days the consumer has to dispute a rejection or an opinion"),
    "post_close_days": _l("Days after closing to complain or escalate"),
    "first_response_by_kind": _l("First response per kind of case (hours)"),
    "parts": _l("Parts with their own warranty"),
    "free_return_shipping": _l("The store pays the return shipping of every return"),
    "repair_fee_cap": _l("Highest repair fee the store may quote (¥)"),
    "after_sales_carrier": _l("After-sales carrier"),
    "return_address": _l("Return address"),
    "store_name": _l("Store name"),
    "notes": _l("Product limits per category"),
    "summary": _l("What changed in this version"),
    "currency": _l("Currency"),
    **MONEY_LABELS,  # issue 8: R2 unproven leg fee, R3.a deduction kinds
}

#: Blank rows offered under the filled ones for new exclusions and notes.
SPARE_ROWS = 2
_SPLIT = re.compile(r"[\n\r,，、;；]+")
_YUAN = re.compile(r"^(\d{1,9})(?:\.(\d{1,2}))?$")


@dataclass
class PolicyForm:
    """What the form shows: the typed (or current) text of every input, and an error per field."""

    values: dict[str, str] = field(default_factory=dict)
    free_return_shipping: bool = False
    exclusions: list[dict[str, str]] = field(default_factory=list)
    notes: list[dict[str, str]] = field(default_factory=list)
    parts: list[dict[str, str]] = field(default_factory=list)
    deductions: list[str] = field(default_factory=list)  # R3.a kinds checked
    errors: dict[str, str] = field(default_factory=dict)

    def value(self, name: str) -> str:
        return self.values.get(name, "")

    def error(self, name: str) -> str | None:
        return self.errors.get(name)

    @property
    def exclusion_rows(self) -> list[dict[str, str]]:
        return [*self.exclusions, *({"category": "", "kind": "", "reason": ""},) * SPARE_ROWS]

    @property
    def part_rows(self) -> list[dict[str, str]]:
        return [*self.parts, *({"name": "", "months": "", "category": ""},) * SPARE_ROWS]

    @property
    def categories(self) -> tuple[str, ...]:
        return _items(self.value("categories"))

    @property
    def note_rows(self) -> list[dict[str, str]]:
        return [*self.notes, *({"category": "", "text": ""},) * SPARE_ROWS]

    def add_error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)


def parse_yuan(text: str) -> int | None:
    """``500``, ``500.5``, ``¥500.50`` → fen; "" → None; anything else raises ValueError."""
    cleaned = text.strip().replace(",", "").replace("，", "").lstrip("¥￥").strip()
    if not cleaned:
        return None
    match = _YUAN.match(cleaned)
    if match is None:
        raise ValueError(text)
    whole, decimals = match.group(1), (match.group(2) or "").ljust(2, "0")
    return int(whole) * 100 + int(decimals)


def form_from_terms(terms: PolicyTerms | None, summary: str = "") -> PolicyForm:
    """The form pre-filled with ``terms`` (the current version), or the platform's defaults."""
    base = terms or PLATFORM_FLOOR
    values = {name: str(getattr(base, name)) for name in INT_FIELDS}
    values["categories"] = "\n".join(base.categories)
    values["warranty_parts"] = "\n".join(base.warranty_parts)
    values["repair_fee_cap"] = yuan_text(base.repair_fee_cap_fen)
    values["after_sales_carrier"] = base.after_sales_carrier
    values["return_address"] = base.return_address
    values["store_name"] = base.store_name
    values["currency"] = base.currency
    values["summary"] = summary
    values.update(kind_values(base))
    values.update(money_values(base))
    return PolicyForm(
        values=values,
        deductions=list(base.deduction_kinds),
        free_return_shipping=base.free_return_shipping,
        exclusions=[
            {"category": e.category, "kind": e.kind.value, "reason": e.reason}
            for e in base.exclusions
        ],
        notes=[{"category": n.category, "text": n.text} for n in base.notes],
        parts=part_rows(base),
    )


def _items(text: str) -> tuple[str, ...]:
    seen: list[str] = []
    for part in _SPLIT.split(text):
        item = part.strip()
        if item and item not in seen:
            seen.append(item)
    return tuple(seen)


def _label(name: str) -> str:
    return str(FIELD_LABELS.get(name, name))


def parse_policy_form(data: MultiDict[str, str]) -> tuple[PolicyForm, PolicyTerms | None]:
    """The posted form → (the form as typed, with errors) and the ``PolicyTerms`` it describes, or
    None when a field could not be read (then ``form.errors`` says which and why)."""
    get = data.get
    form = PolicyForm()
    for name in (*INT_FIELDS, "categories", "warranty_parts", "repair_fee_cap"):
        form.values[name] = str(get(name, "") or "").strip()
    for name in ("after_sales_carrier", "return_address", "store_name", "summary", "currency"):
        form.values[name] = str(get(name, "") or "").strip()
    form.free_return_shipping = str(get("free_return_shipping", "")) in ("1", "on", "true", "yes")

    categories = _items(form.values["categories"])
    if not categories:
        form.add_error("categories", gettext("List at least one product category (R11)."))
    numbers = _numbers(form)
    cap = _cap(form)
    money, form.deductions = parse_money(form.values, data, parse_yuan, form.add_error)
    exclusions = _exclusions(form, data, categories)
    notes = _notes(form, data, categories)
    by_kind, kind_error = parse_kind_rows(data, form.values)
    if kind_error:
        form.add_error("first_response_by_kind", kind_error)
    form.parts, parts, parts_error = parse_parts(
        data, categories, PLATFORM_FLOOR.parts_warranty_months
    )
    if parts_error:
        form.add_error("parts", parts_error)
    if form.errors:
        return form, None
    terms = PolicyTerms(
        categories=categories,
        exclusions=tuple(exclusions),
        warranty_parts=_items(form.values["warranty_parts"]),
        free_return_shipping=form.free_return_shipping,
        repair_fee_cap_fen=cap,
        after_sales_carrier=form.values["after_sales_carrier"],
        return_address=form.values["return_address"],
        store_name=form.values["store_name"],
        notes=tuple(notes),
        currency=form.values["currency"] or "CNY",
        first_response_by_kind=by_kind,
        parts=parts,
        **money,
        **numbers,
    )
    return form, terms


def _numbers(form: PolicyForm) -> dict[str, Any]:
    """The whole-number terms (days, hours, months), each above 0."""
    numbers: dict[str, Any] = {}  # whole-number terms by name (INT_FIELDS)
    for name in INT_FIELDS:
        text = form.values[name]
        if not text.isdigit() or int(text) <= 0:
            form.add_error(
                name,
                gettext("%(field)s: enter a whole number above 0.", field=_label(name)),
            )
        else:
            numbers[name] = int(text)
    return numbers


def _cap(form: PolicyForm) -> int | None:
    """R6: the highest repair fee in fen, or None for no cap."""
    try:
        cap = parse_yuan(form.values["repair_fee_cap"])
    except ValueError:
        cap = None
        form.add_error(
            "repair_fee_cap",
            gettext(
                "%(field)s: enter an amount in yuan such as 300 or 299.50, or leave it empty "
                "for no cap (R6).",
                field=_label("repair_fee_cap"),
            ),
        )
    return cap


def _exclusions(
    form: PolicyForm, data: MultiDict[str, str], categories: tuple[str, ...]
) -> list[Exclusion]:
    """R1.a: the excluded categories, each one of the store's, with its kind and reason."""
    getlist = data.getlist
    exclusions: list[Exclusion] = []
    kinds = {k.value for k in ExclusionKind}
    for category, kind, reason in zip(
        getlist("exclusion_category"),
        getlist("exclusion_kind"),
        getlist("exclusion_reason"),
        strict=False,
    ):
        row = {"category": category.strip(), "kind": kind.strip(), "reason": reason.strip()}
        if not any(row.values()) or (not row["category"] and not row["reason"]):
            continue  # a blank spare row (its kind select may still carry a value)
        form.exclusions.append(row)
        if not row["category"] or row["category"] not in categories:
            form.add_error(
                "exclusions",
                gettext(
                    "An excluded category must be one of the product categories listed above "
                    "(%(category)s) (R1.a).",
                    category=row["category"] or "—",
                ),
            )
        elif row["kind"] not in kinds:
            form.add_error(
                "exclusions",
                gettext("Say which kind of special goods %(category)s are (R1.a).", **row),
            )
        elif refusal := platform_refusal(row["category"], row["kind"]):
            form.add_error("exclusions", refusal)
        elif not row["reason"]:
            form.add_error(
                "exclusions",
                gettext("Excluding %(category)s needs a reason shown to consumers (R1.a).", **row),
            )
        elif any(e.category == row["category"] for e in exclusions):
            form.add_error(
                "exclusions",
                gettext("%(category)s is excluded twice; keep one row.", **row),
            )
        else:
            exclusions.append(Exclusion(row["category"], ExclusionKind(row["kind"]), row["reason"]))
    return exclusions


def _notes(
    form: PolicyForm, data: MultiDict[str, str], categories: tuple[str, ...]
) -> list[CategoryNote]:
    """R23: product limits shown before purchase, per category."""
    getlist = data.getlist
    notes: list[CategoryNote] = []
    for category, text in zip(getlist("note_category"), getlist("note_text"), strict=False):
        row = {"category": category.strip(), "text": text.strip()}
        if not any(row.values()):
            continue
        form.notes.append(row)
        if row["category"] not in categories:
            form.add_error(
                "notes",
                gettext(
                    "A product limit belongs to one of the product categories listed above "
                    "(%(category)s) (R23).",
                    category=row["category"] or "—",
                ),
            )
        elif not row["text"]:
            form.add_error(
                "notes",
                gettext("Write the limits of %(category)s, or empty the row (R23).", **row),
            )
        else:
            notes.append(CategoryNote(row["category"], row["text"]))
    return notes
