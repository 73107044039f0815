"""The policy form's rows beyond single numbers (issue 7): the per-kind first-response table
(R12.a), the listed parts with their own warranty (R5), and the exclusions, offered only from the
platform's list of excludable categories with their allowed kinds (R1.a, R1.b, R19,
``domain.exclusions``).

Posted as repeated or per-kind inputs: ``first_response_<kind>`` (empty: the kind keeps the
version's default), ``part_name`` / ``part_months`` / ``part_category`` zipped by position. The
domain's ``check_terms`` has the last word; these checks only word a mistake for the merchant
next to its rows before the domain is asked.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext
from werkzeug.datastructures import MultiDict

from domain.exclusions import PLATFORM_EXCLUDABLE, excludable
from domain.terms import PLATFORM_FIRST_RESPONSE_HOURS, KindHours, PolicyTerms, WarrantyPart
from domain.values import CaseKind, ExclusionKind
from web.common.labels import exclusion_kind_label, kind_label
from web.common.platform import FIRST_RESPONSE_RULES

KIND_RULES = FIRST_RESPONSE_RULES


def first_response_input(kind: CaseKind) -> str:
    return f"first_response_{kind.value}"


@dataclass(frozen=True)
class KindRow:
    """One row of the R12.a table as the form shows it."""

    kind: str
    label: str
    name: str  # the input's name
    ceiling: int  # the platform's slowest first response for the kind, in hours
    rule: str


def kind_rows() -> list[KindRow]:
    return [
        KindRow(
            kind.value,
            kind_label(kind.value),
            first_response_input(kind),
            PLATFORM_FIRST_RESPONSE_HOURS[kind],
            KIND_RULES[kind],
        )
        for kind in CaseKind
    ]


def kind_values(terms: PolicyTerms) -> dict[str, str]:
    """The per-kind inputs pre-filled with ``terms``' own rows (other kinds stay empty)."""
    return {first_response_input(row.kind): str(row.hours) for row in terms.first_response_by_kind}


def parse_kind_rows(
    data: MultiDict[str, str], values: dict[str, str]
) -> tuple[tuple[KindHours, ...], str]:
    """R12.a: the rows typed (an empty input leaves the kind to the version's default) and the
    first mistake, worded for the merchant ("" when none)."""
    rows: list[KindHours] = []
    error = ""
    for kind in CaseKind:
        name = first_response_input(kind)
        text = str(data.get(name, "") or "").strip()
        values[name] = text
        if not text:
            continue
        ceiling = PLATFORM_FIRST_RESPONSE_HOURS[kind]
        if not text.isdigit() or int(text) <= 0:
            error = error or gettext(
                "First response for %(kind)s: enter a whole number of hours above 0, or leave "
                "it empty.",
                kind=kind_label(kind.value),
            )
        elif int(text) > ceiling:
            error = error or gettext(
                "First response for %(kind)s must be at most %(hours)s hours (%(rule)s, R19): a "
                "store may be faster than the platform's limit, never slower.",
                kind=kind_label(kind.value),
                hours=ceiling,
                rule=KIND_RULES[kind],
            )
        else:
            rows.append(KindHours(kind, int(text)))
    return tuple(rows), error


# --- listed parts (R5) ---------------------------------------------------------------------------


def part_rows(terms: PolicyTerms) -> list[dict[str, str]]:
    return [{"name": p.name, "months": str(p.months), "category": p.category} for p in terms.parts]


def parse_parts(
    data: MultiDict[str, str], categories: tuple[str, ...], floor_months: int
) -> tuple[list[dict[str, str]], tuple[WarrantyPart, ...], str]:
    """R5: the typed rows (kept to show again), the parts they describe and the first mistake."""
    typed: list[dict[str, str]] = []
    parts: list[WarrantyPart] = []
    error = ""
    for name, months, category in zip(
        data.getlist("part_name"),
        data.getlist("part_months"),
        data.getlist("part_category"),
        strict=False,
    ):
        row = {"name": name.strip(), "months": months.strip(), "category": category.strip()}
        if not row["name"] and not row["months"]:
            continue  # a blank spare row (its category select may still carry a value)
        typed.append(row)
        if not row["name"] or len(row["name"]) > 64 or row["name"] == "unit":
            error = error or gettext("A listed part needs a name of at most 64 characters (R5).")
        elif row["category"] and row["category"] not in categories:
            error = error or gettext(
                "Part %(name)s: choose one of the product categories listed above, or every "
                "category (R5).",
                name=row["name"],
            )
        elif not row["months"].isdigit() or int(row["months"]) < floor_months:
            error = error or gettext(
                "Part %(name)s: its warranty is a whole number of months, at least %(n)s (R5, "
                "R19).",
                name=row["name"],
                n=floor_months,
            )
        elif any(p.name == row["name"] and p.category == row["category"] for p in parts):
            error = error or gettext("Part %(name)s is listed twice; keep one row.", **row)
        else:
            parts.append(WarrantyPart(row["name"], int(row["months"]), row["category"]))
    return typed, tuple(parts), error


# --- exclusions from the platform's list (R1.a, R1.b, R19) ---------------------------------------


@dataclass(frozen=True)
class ExclusionOption:
    """One category the form offers for exclusion, with the kinds the platform allows for it."""

    value: str  # the store's own name for it when the store lists it, else the platform's
    label: str
    kinds: tuple[str, ...]
    listed: bool  # on the platform's list (an old row that is not stays shown, marked)


def exclusion_options(
    categories: tuple[str, ...], chosen: list[str] | tuple[str, ...] = ()
) -> list[ExclusionOption]:
    """Every category on the platform's list, named as the store names it when it does; then
    any chosen category that is not on the list (so the merchant sees why it is refused)."""
    options: list[ExclusionOption] = []
    for entry in PLATFORM_EXCLUDABLE:
        own = next((c for c in categories if excludable(c) is entry), entry.category)
        label = " / ".join(dict.fromkeys((own, *entry.names)))
        options.append(ExclusionOption(own, label, tuple(k.value for k in entry.kinds), True))
    offered = {o.value for o in options}
    for name in chosen:
        if name and name not in offered and excludable(name) is None:
            options.append(ExclusionOption(name, name, (), False))
            offered.add(name)
    return options


def kind_options() -> list[tuple[str, str]]:
    """The exclusion kinds, each with its label (R1.a: fresh, custom, digital, consumable once
    opened; R1.b: hygiene when confirmed at purchase)."""
    return [(k.value, exclusion_kind_label(k.value)) for k in ExclusionKind]


def platform_refusal(category: str, kind: str) -> str:
    """Why the platform's list refuses excluding ``category`` as ``kind`` ("" when it allows)."""
    entry = excludable(category)
    if entry is None:
        return str(
            gettext(
                "%(category)s is not on the platform's list of goods that may be excluded from "
                "no-reason returns (R1.a, R19).",
                category=category,
            )
        )
    if kind not in {k.value for k in entry.kinds}:
        return str(
            gettext(
                "%(category)s may be excluded only as: %(kinds)s (%(rule)s, R19).",
                category=category,
                # TRANSLATORS: the separator between items of a list
                kinds=gettext(", ").join(exclusion_kind_label(k.value) for k in entry.kinds),
                rule=entry.rule,
            )
        )
    return ""
