"""A merchant's published after-sales terms (R11), the platform floor under them (R19) and the
per-term "most generous" reading used when a later version beats the one in force at order time.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

from domain.chain import added_later
from domain.errors import InvalidInput, PolicyBelowFloor
from domain.exclusions import check_exclusion
from domain.money_terms import check_money_terms, most_generous_money
from domain.values import CaseKind, ExclusionKind

COMPLAINT_RESPONSE_HOURS = 24  # R9.a platform responds within 24 h
COMPLAINT_OPINION_HOURS = 72  # R9.a handling opinion within 72 h
STATUTORY_REFUND_DAYS = 7  # R3, Law art. 13: refund within 7 days of the merchant receiving goods


@dataclass(frozen=True)
class Exclusion:
    """R1.a: a category never eligible for no-reason return, with the reason shown to consumers."""

    category: str
    kind: ExclusionKind
    reason: str

    def __post_init__(self) -> None:
        if not isinstance(self.kind, ExclusionKind):
            object.__setattr__(self, "kind", ExclusionKind(self.kind))


@dataclass(frozen=True)
class KindHours:
    """R12.a: one row of a policy version's per-kind SLA table (first response within ``hours``)."""

    kind: CaseKind
    hours: int

    def __post_init__(self) -> None:
        if not isinstance(self.kind, CaseKind):
            object.__setattr__(self, "kind", CaseKind(self.kind))


# R12.a: the platform's SLA table, the slowest first response a version may promise per case kind:
# return, refund and exchange 24 h (R12.a), repair 48 h (R5.a), complaint 24 h (R9.a).
PLATFORM_FIRST_RESPONSE_HOURS: dict[CaseKind, int] = {
    CaseKind.RETURN_REFUND: 24,
    CaseKind.REFUND_ONLY: 24,
    CaseKind.EXCHANGE: 24,
    CaseKind.REPAIR: 48,
    CaseKind.COMPLAINT: COMPLAINT_RESPONSE_HOURS,
}


@dataclass(frozen=True)
class WarrantyPart:
    """R5: a listed part or consumable with its own (short) warranty, for one product category
    (``category`` empty: every category). The consumer picks it from the parts of their line."""

    name: str
    months: int
    category: str = ""


@dataclass(frozen=True)
class CategoryNote:
    """R23: a product category's limits (material, use restrictions) shown with its policy."""

    category: str
    text: str


@dataclass(frozen=True)
class PolicyTerms:
    """One version of a merchant's policy. Defaults are policy.md's numbers (*default* marks)."""

    categories: tuple[str, ...]
    return_window_days: int = 7  # R1
    exclusions: tuple[Exclusion, ...] = ()  # R1.a
    warranty_months: int = 12  # R5 whole unit
    parts_warranty_months: int = 3  # R5 listed parts and consumables
    warranty_parts: tuple[str, ...] = ()  # R5 the listed parts
    accept_hours: int = 2  # R12 accept or reject a return/refund/exchange
    repair_response_hours: int = 48  # R5.a respond to a repair request
    first_response_hours: int = 24  # R12.a first response to a first application
    confirm_receipt_hours: int = 24  # R3 confirm the returned goods arrived
    consumer_ship_days: int = 7  # reading: the consumer ships an accepted return within N days
    refund_working_days: int = 7  # R3 money reaches the consumer within 3-7 working days
    free_return_shipping: bool = False  # R2: merchant pays every return leg (more generous)
    repair_fee_cap_fen: int | None = None  # R6: a quoted repair fee never exceeds this
    after_sales_carrier: str = ""  # R25 a dedicated after-sales carrier channel
    store_name: str = ""  # R11 the store's name as its policy is published (empty: its id)
    notes: tuple[CategoryNote, ...] = field(default=())  # R23
    currency: str = "CNY"
    # The complete process (issue 7). Versions stored before these terms existed decode with
    # these defaults, which are also the platform's floors / ceilings (R19); ``added_later`` keeps
    # their events' hashes (domain.chain).
    return_transit_days: int = added_later(7)  # R13/R25: transit when no carrier estimate
    inspection_hours: int = added_later(48)  # R14: inspect returned goods within N h
    refund_review_hours: int = added_later(24)  # R3: the platform reviews a refund within N h
    replacement_ship_hours: int = added_later(48)  # R8: ship a replacement within N h
    confirm_goods_days: int = added_later(10)  # R7/R8: consumer confirms goods sent back
    repair_days: int = added_later(7)  # R7: the merchant repairs within N days of receipt
    quote_answer_days: int = added_later(3)  # R6: the consumer answers a repair quote
    ship_back_hours: int = added_later(48)  # R14: the merchant ships goods back within N h
    dispute_days: int = added_later(7)  # R10: dispute a rejection / an opinion within N days
    post_close_days: int = added_later(15)  # R9/R10: complain or escalate after closing
    first_response_by_kind: tuple[KindHours, ...] = added_later(())  # R12.a per-kind rows
    parts: tuple[WarrantyPart, ...] = added_later(())  # R5 listed parts per category
    # Issue 8 (domain.money_terms, docs/money.md): R2 most a leg costs without a receipt; R3.a
    # the deduction kinds this version publishes.
    unproven_leg_fee_fen: int = added_later(1200)
    deduction_kinds: tuple[str, ...] = added_later(("user_damage",))
    # R13: where returned goods go, shown with the shipping form; a case keeps it with its terms.
    return_address: str = added_later("")

    def decision_hours(self, kind: CaseKind) -> int:
        """R12 / R5.a / R9.a: hours the handler has to accept or reject (respond to) a new case."""
        if kind is CaseKind.REPAIR:
            return self.repair_response_hours
        if kind is CaseKind.COMPLAINT:
            return COMPLAINT_RESPONSE_HOURS
        return self.accept_hours

    def first_response_hours_for(self, kind: CaseKind) -> int:
        """R12.a: hours for the first response to a first application of ``kind``.

        A row of ``first_response_by_kind`` wins; otherwise repair answers within its R5.a
        response time, a complaint within the platform's R9.a 24 h, and every other kind within
        ``first_response_hours`` (the R12.a term versions published before the table had).
        """
        for row in self.first_response_by_kind:
            if row.kind is kind:
                return row.hours
        if kind is CaseKind.REPAIR:
            return self.repair_response_hours
        if kind is CaseKind.COMPLAINT:
            return COMPLAINT_RESPONSE_HOURS
        return self.first_response_hours

    def exclusion_for(self, category: str) -> Exclusion | None:
        for exclusion in self.exclusions:
            if exclusion.category == category:
                return exclusion
        return None

    def parts_for(self, category: str = "") -> tuple[tuple[str, int], ...]:
        """R5: the listed parts of a line of ``category`` and each one's warranty in months:
        this version's parts of that category or of every category, then the older
        ``warranty_parts`` list (every category, ``parts_warranty_months``)."""
        offered: dict[str, int] = {}
        for part in self.parts:
            if part.category in ("", category) and part.name not in offered:
                offered[part.name] = part.months
        for name in self.warranty_parts:
            offered.setdefault(name, self.parts_warranty_months)
        return tuple(offered.items())

    def warranty_months_for(self, component: str, category: str = "") -> int:
        """R5: a listed part of the line's category has its own warranty, anything else (the
        whole unit, or a part the policy does not list) the unit's."""
        return dict(self.parts_for(category)).get(component, self.warranty_months)


PLATFORM_FLOOR = PolicyTerms(categories=())

# Fields where a larger number is more generous to the consumer, and where a smaller one is.
# The consumer's own time is "at least" (more is generous); merchant's and platform's "at most".
_AT_LEAST = (
    "return_window_days",
    "warranty_months",
    "parts_warranty_months",
    "consumer_ship_days",
    "confirm_goods_days",
    "quote_answer_days",
    "dispute_days",
    "post_close_days",
)
_AT_MOST = (
    "accept_hours",
    "repair_response_hours",
    "first_response_hours",
    "confirm_receipt_hours",
    "refund_working_days",
    "return_transit_days",
    "inspection_hours",
    "refund_review_hours",
    "replacement_ship_hours",
    "repair_days",
    "ship_back_hours",
)
_RULE_OF = {
    "return_window_days": "R1",
    "warranty_months": "R5",
    "parts_warranty_months": "R5",
    "consumer_ship_days": "R13",
    "confirm_goods_days": "R8",
    "quote_answer_days": "R6",
    "dispute_days": "R10",
    "post_close_days": "R9",
    "accept_hours": "R12",
    "repair_response_hours": "R5.a",
    "first_response_hours": "R12.a",
    "confirm_receipt_hours": "R3",
    "refund_working_days": "R3",
    "return_transit_days": "R13",
    "inspection_hours": "R14",
    "refund_review_hours": "R3",
    "replacement_ship_hours": "R8",
    "repair_days": "R7",
    "ship_back_hours": "R14",
}
#: Every whole-number term with its platform bound: "at least" (floor) or "at most" (ceiling).
TERM_BOUNDS: dict[str, tuple[str, str]] = {
    **{name: ("at_least", _RULE_OF[name]) for name in _AT_LEAST},
    **{name: ("at_most", _RULE_OF[name]) for name in _AT_MOST},
}


def check_terms(terms: PolicyTerms) -> None:
    """Refuse a policy version that is malformed or less generous than the platform floor (R19)."""
    if not terms.categories:
        raise InvalidInput("a policy lists at least one product category", field="categories")
    if len(set(terms.categories)) != len(terms.categories):
        raise InvalidInput("categories must be distinct", field="categories")
    for category in terms.categories:
        if not category or not category.strip():
            raise InvalidInput("a category needs a name", field="categories")
    for name in _AT_LEAST + _AT_MOST:
        value = getattr(terms, name)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise InvalidInput(f"{name} must be a positive whole number", field=name)
    for name in _AT_LEAST:
        floor = getattr(PLATFORM_FLOOR, name)
        if getattr(terms, name) < floor:
            raise PolicyBelowFloor(
                f"{name}={getattr(terms, name)} is below the platform floor of {floor} "
                f"({_RULE_OF[name]}); a merchant may be more generous, never less",
                field=name,
            )
    for name in _AT_MOST:
        ceiling = getattr(PLATFORM_FLOOR, name)
        if getattr(terms, name) > ceiling:
            raise PolicyBelowFloor(
                f"{name}={getattr(terms, name)} exceeds the platform's limit of {ceiling} "
                f"({_RULE_OF[name]}); a merchant may be faster, never slower",
                field=name,
            )
    _check_first_response_table(terms)
    seen: set[str] = set()
    for exclusion in terms.exclusions:
        if exclusion.category not in terms.categories:
            raise InvalidInput(
                f"excluded category {exclusion.category!r} is not one of the policy's categories "
                f"{list(terms.categories)} (R1.a)",
                field="exclusions",
            )
        if exclusion.category in seen:
            raise InvalidInput(
                f"category {exclusion.category!r} excluded twice", field="exclusions"
            )
        seen.add(exclusion.category)
        if not exclusion.reason.strip():
            raise InvalidInput(
                f"R1.a: excluding {exclusion.category!r} needs a reason shown to consumers",
                field="exclusions",
            )
        check_exclusion(exclusion.category, exclusion.kind)  # the platform's list (R1.a, R19)
    for part in terms.warranty_parts:
        if not part.strip():
            raise InvalidInput("a listed warranty part needs a name", field="warranty_parts")
    _check_parts(terms)
    if len(terms.store_name) > 60:
        raise InvalidInput("the store's name is at most 60 characters (R11)", field="store_name")
    if len(terms.return_address) > 200:
        raise InvalidInput(
            "the return address is at most 200 characters (R13)", field="return_address"
        )
    if terms.repair_fee_cap_fen is not None and terms.repair_fee_cap_fen < 0:
        raise InvalidInput(
            "repair_fee_cap_fen must not be negative (R6)", field="repair_fee_cap_fen"
        )
    if terms.currency != "CNY" and (len(terms.currency) != 3 or not terms.currency.isupper()):
        raise InvalidInput("currency must be an ISO 4217 code", field="currency")
    check_money_terms(terms)  # R2, R3.a


def _check_parts(terms: PolicyTerms) -> None:
    """R5 / R19: each listed part names a part of one of the policy's categories (or of all), at
    most once, with a warranty no shorter than the platform's parts warranty."""
    floor = PLATFORM_FLOOR.parts_warranty_months
    seen: set[tuple[str, str]] = set()
    for part in terms.parts:
        if not part.name.strip() or len(part.name) > 64 or part.name == "unit":
            raise InvalidInput(
                "a listed part needs a name of at most 64 characters, not 'unit' (R5)",
                field="parts",
            )
        if part.category and part.category not in terms.categories:
            raise InvalidInput(
                f"part {part.name!r} is listed for {part.category!r}, which is not one of the "
                f"policy's categories {list(terms.categories)} (R5)",
                field="parts",
            )
        if (part.category, part.name) in seen:
            raise InvalidInput(
                f"part {part.name!r} is listed twice for {part.category or 'every category'}",
                field="parts",
            )
        seen.add((part.category, part.name))
        months = part.months
        if isinstance(months, bool) or not isinstance(months, int) or months <= 0:
            raise InvalidInput(
                f"the warranty of part {part.name!r} must be a positive whole number of months",
                field="parts",
            )
        if months < floor:
            raise PolicyBelowFloor(
                f"part {part.name!r} has a {months}-month warranty, below the platform floor of "
                f"{floor} months (R5); a merchant may be more generous, never less",
                field="parts",
            )


def _check_first_response_table(terms: PolicyTerms) -> None:
    """R12.a / R19: one row per kind, each no slower than the platform's hours for that kind."""
    seen: set[CaseKind] = set()
    for row in terms.first_response_by_kind:
        if row.kind in seen:
            raise InvalidInput(
                f"the first-response table lists {row.kind.value} twice (R12.a)",
                field="first_response_by_kind",
            )
        seen.add(row.kind)
        hours = row.hours
        if isinstance(hours, bool) or not isinstance(hours, int) or hours <= 0:
            raise InvalidInput(
                f"first response hours for {row.kind.value} must be a positive whole number",
                field="first_response_by_kind",
            )
        ceiling = PLATFORM_FIRST_RESPONSE_HOURS[row.kind]
        if hours > ceiling:
            raise PolicyBelowFloor(
                f"first response for {row.kind.value} within {hours} h exceeds the platform's "
                f"limit of {ceiling} h (R12.a); a merchant may be faster, never slower",
                field="first_response_by_kind",
            )


def most_generous(versions: list[PolicyTerms]) -> PolicyTerms:
    """R19 reading: a case is judged by the version in force when its order was placed unless a
    later one is more generous; taken term by term over ``versions`` (that one and all later ones).
    """
    if not versions:
        raise ValueError("no policy versions to choose from")
    base = versions[0]
    if len(versions) == 1:
        return base
    changes: dict[str, object] = {}
    for name in _AT_LEAST:
        changes[name] = max(getattr(v, name) for v in versions)
    for name in _AT_MOST:
        changes[name] = min(getattr(v, name) for v in versions)
    changes["free_return_shipping"] = any(v.free_return_shipping for v in versions)
    # Fewer exclusions is more generous: a category stays excluded only if every version does.
    excluded_everywhere = set.intersection(*({e.category for e in v.exclusions} for v in versions))
    changes["exclusions"] = tuple(e for e in base.exclusions if e.category in excluded_everywhere)
    # A shorter list of short-warranty parts is more generous.
    parts_everywhere = set.intersection(*(set(v.warranty_parts) for v in versions))
    changes["warranty_parts"] = tuple(p for p in base.warranty_parts if p in parts_everywhere)
    changes["first_response_by_kind"] = tuple(
        KindHours(kind, min(v.first_response_hours_for(kind) for v in versions))
        for kind in CaseKind
    )
    changes["parts"] = _most_generous_parts(versions, max(v.warranty_months for v in versions))
    caps = [v.repair_fee_cap_fen for v in versions if v.repair_fee_cap_fen is not None]
    changes["repair_fee_cap_fen"] = min(caps) if caps else None
    categories = list(base.categories)
    for v in versions[1:]:
        categories.extend(c for c in v.categories if c not in categories)
    changes["categories"] = tuple(categories)
    changes["store_name"] = versions[-1].store_name  # a name, not a term: the latest one
    changes.update(most_generous_money(versions))  # R2, R3.a
    changes["return_address"] = versions[-1].return_address  # R13: where returns go now
    return replace(base, **changes)  # type: ignore[arg-type]


def _most_generous_parts(versions: list[PolicyTerms], unit_months: int) -> tuple[WarrantyPart, ...]:
    """R5 / R19: a part of the base version keeps the longest warranty any version gives it (a
    version that does not list it gives it the unit's); a part as long as the unit is unlisted."""
    kept: list[WarrantyPart] = []
    for part in versions[0].parts:
        months = max(v.warranty_months_for(part.name, part.category) for v in versions)
        if months < unit_months:
            kept.append(WarrantyPart(part.name, months, part.category))
    return tuple(kept)


TERM_NAMES = tuple(f.name for f in fields(PolicyTerms))
