"""What a refund is owed (R3.a, R2) and the only ways it may come out lower (issue 8).

A case's *entitlement* is derived, item by item: what was paid for the units under the case
(each line, R3.a) plus every shipping leg the merchant owes under R2 that the consumer paid. The
approval may subtract *deductions*, but only of a kind the published policy version names
(``PolicyTerms.deduction_kinds``, from the platform's list ``DEDUCTION_RULES``), each with its
amount, rule and evidence. Any other shortfall is refused (:class:`UnstatedDeduction`, R3.a:
"less nothing that is not stated in the published policy") and nothing is stored.

The platform's list (docs/money.md):

- ``user_damage`` (R14, R6): an inspection found the damage caused by the user (人为损坏); the user
  pays for it. Allowed only after an R14 inspection recorded ``user_damage``; the evidence names
  the inspection report or photos.
- ``arbitration_ruling`` (R10): an arbitrator's final ruling fixed the refund below the
  entitlement; recorded by the approval itself, citing the ruling. Never entered by hand.

Pure functions: no clock, no store.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from domain.errors import DomainError, InvalidInput, RefundExceedsPaid
from domain.values import Responsibility


class DeductionKind(StrEnum):
    USER_DAMAGE = "user_damage"
    ARBITRATION_RULING = "arbitration_ruling"
    UNSTATED_LEGACY = "unstated_legacy"  # only in refunds approved before issue 8 (upcast)


class HandDeduction(StrEnum):
    """The deductions an agent may enter (the approve form's choices)."""

    USER_DAMAGE = "user_damage"


@dataclass(frozen=True)
class DeductionRule:
    """A kind of deduction the platform allows a policy to publish: its rule and precondition."""

    kind: DeductionKind
    rule: str
    needs_responsibility: Responsibility | None
    entered_by_hand: bool


DEDUCTION_RULES: dict[DeductionKind, DeductionRule] = {
    DeductionKind.USER_DAMAGE: DeductionRule(
        DeductionKind.USER_DAMAGE, "R14", Responsibility.USER_DAMAGE, True
    ),
    DeductionKind.ARBITRATION_RULING: DeductionRule(
        DeductionKind.ARBITRATION_RULING, "R10", None, False
    ),
    DeductionKind.UNSTATED_LEGACY: DeductionRule(
        DeductionKind.UNSTATED_LEGACY, "R3.a", None, False
    ),
}

# What a policy version publishes when it says nothing (versions stored before issue 8).
DEFAULT_DEDUCTION_KINDS: tuple[str, ...] = (DeductionKind.USER_DAMAGE.value,)


class EntitlementItemKind(StrEnum):
    GOODS = "goods"  # paid for the units of one line (R3.a)
    RETURN_LEG = "return_leg"  # the consumer's return shipment, owed by the merchant (R2)
    OUTBOUND_LEG = "outbound_leg"  # the original delivery's share, owed by the merchant (R2)
    LEGACY_CAP = "legacy_cap"  # a refund approved before issue 8: its stored cap, not itemised


@dataclass(frozen=True)
class EntitlementItem:
    item: EntitlementItemKind
    amount_fen: int
    rule: str
    line_no: int = 0  # the order line of a goods item
    declared_fen: int = 0  # a leg: what the consumer declared (above ``amount_fen`` when capped)
    note: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.item, EntitlementItemKind):
            object.__setattr__(self, "item", EntitlementItemKind(self.item))


@dataclass(frozen=True)
class Entitlement:
    """R3.a + R2, itemised: the most a case's refund may be."""

    items: tuple[EntitlementItem, ...]
    currency: str

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "items",
            tuple(
                i if isinstance(i, EntitlementItem) else EntitlementItem(**i) for i in self.items
            ),
        )

    @property
    def total_fen(self) -> int:
        return sum(i.amount_fen for i in self.items)

    @property
    def goods_fen(self) -> int:
        return sum(i.amount_fen for i in self.items if i.item is EntitlementItemKind.GOODS)

    @property
    def shipping_fen(self) -> int:
        legs = (EntitlementItemKind.RETURN_LEG, EntitlementItemKind.OUTBOUND_LEG)
        return sum(i.amount_fen for i in self.items if i.item in legs)


@dataclass(frozen=True)
class Deduction:
    """One published deduction from the entitlement: kind, amount, the rule that allows it and
    the evidence it rests on (an evidence file's SHA-256, an inspection report, the ruling)."""

    kind: DeductionKind
    amount_fen: int
    rule: str
    evidence: str
    reason: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.kind, DeductionKind):
            try:
                object.__setattr__(self, "kind", DeductionKind(self.kind))
            except ValueError:
                raise UnstatedDeduction(
                    f"{self.kind!r} is not a kind of deduction the platform publishes "
                    f"(one of {', '.join(k.value for k in DeductionKind)})",
                    field="deduction_kind",
                ) from None
        fen = self.amount_fen
        if isinstance(fen, bool) or not isinstance(fen, int) or fen <= 0:
            raise InvalidInput(
                "a deduction is a positive whole number of fen", field="deduction_fen", rule="R3.a"
            )


class UnstatedDeduction(DomainError):
    """A refund below the entitlement whose shortfall is not a deduction the published policy
    names, with its amount, rule and evidence (R3.a)."""

    rule = "R3.a"
    default_code = "unstated_deduction"


@dataclass(frozen=True)
class Leg:
    """One shipping leg the consumer paid and the merchant owes (R2), before its R8/R2 cap."""

    item: EntitlementItemKind
    declared_fen: int
    proven: bool  # a receipt was accepted: the declared fee is owed in full


def entitlement_of(
    *,
    lines: Iterable[tuple[int, int]],
    legs: Sequence[Leg],
    unproven_leg_fee_fen: int,
    currency: str,
) -> Entitlement:
    """R3.a: each line's paid amount for its units; R2: each leg the merchant owes, at most
    ``unproven_leg_fee_fen`` unless its receipt was accepted (docs/money.md)."""
    items = [
        EntitlementItem(EntitlementItemKind.GOODS, paid, "R3.a", line_no=line_no)
        for line_no, paid in lines
    ]
    for leg in legs:
        owed = leg.declared_fen if leg.proven else min(leg.declared_fen, unproven_leg_fee_fen)
        if leg.declared_fen == 0:
            continue
        note = "" if owed == leg.declared_fen else "capped_unproven"
        items.append(
            EntitlementItem(leg.item, owed, "R2", declared_fen=leg.declared_fen, note=note)
        )
    return Entitlement(tuple(items), currency)


def check_deductions(
    entitlement: Entitlement,
    deductions: Sequence[Deduction],
    *,
    published: Iterable[str],
    responsibility: Responsibility | None,
) -> int:
    """The refund after ``deductions``: each of a kind ``published`` names, its precondition
    met, with its evidence; together below the entitlement. Raises :class:`UnstatedDeduction`."""
    names = set(published)
    for d in deductions:
        spec = DEDUCTION_RULES[d.kind]
        if d.kind.value not in names:
            raise UnstatedDeduction(
                f"the published policy names no {d.kind.value} deduction; "
                f"it names {', '.join(sorted(names)) or 'none'}",
                field="deduction_kind",
            )
        if (
            spec.needs_responsibility is not None
            and responsibility is not spec.needs_responsibility
        ):
            found = responsibility.value if responsibility is not None else "none"
            raise UnstatedDeduction(
                f"a {d.kind.value} deduction needs an {spec.rule} inspection finding of "
                f"{spec.needs_responsibility.value} (the case's finding: {found})",
                field="deduction_kind",
                code="deduction_needs_finding",
            )
        if d.rule != spec.rule:
            raise UnstatedDeduction(
                f"a {d.kind.value} deduction applies {spec.rule}, not {d.rule}",
                field="deduction_kind",
            )
        if not d.evidence.strip():
            raise UnstatedDeduction(
                f"a {d.kind.value} deduction names its evidence",
                field="deduction_evidence",
                code="deduction_needs_evidence",
            )
    taken = sum(d.amount_fen for d in deductions)
    if taken >= entitlement.total_fen:
        raise UnstatedDeduction(
            f"deductions of {taken} fen leave nothing of the entitlement of "
            f"{entitlement.total_fen} fen; that is a rejection, not a refund",
            field="deduction_fen",
        )
    return entitlement.total_fen - taken


def check_amount(
    entitlement: Entitlement, deductions: Sequence[Deduction], amount_fen: int
) -> None:
    """A stated amount must be exactly the entitlement less the stated deductions (R3.a)."""
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
        raise InvalidInput("a refund is a whole number of fen", field="amount_fen")
    if amount_fen <= 0:
        raise InvalidInput(
            f"a refund must be positive, got {amount_fen} fen", field="amount_fen", rule="R3.a"
        )
    owed = entitlement.total_fen - sum(d.amount_fen for d in deductions)
    if amount_fen > entitlement.total_fen:
        raise RefundExceedsPaid(
            f"a refund of {amount_fen} fen exceeds the entitlement of {entitlement.total_fen} "
            f"fen (goods {entitlement.goods_fen} fen, shipping owed under R2 "
            f"{entitlement.shipping_fen} fen)",
            field="amount_fen",
        )
    if amount_fen != owed:
        raise UnstatedDeduction(
            f"a refund of {amount_fen} fen is {entitlement.total_fen - amount_fen} fen below the "
            f"entitlement of {entitlement.total_fen} fen, and the stated deductions explain "
            f"{entitlement.total_fen - owed} fen; a refund is the entitlement less deductions "
            "the published policy names",
            field="amount_fen",
        )


def legacy(plan: Any) -> tuple[Entitlement, tuple[Deduction, ...]]:
    """A refund approved before issue 8 (``RefundApproved`` v2): its stored cap as one item; a
    total below it as an ``unstated_legacy`` deduction (the approval gave no published reason)."""

    def get(name: str) -> Any:
        return plan[name] if isinstance(plan, dict) else getattr(plan, name)

    cap, total = int(get("cap_fen")), int(get("total_fen"))
    currency = str(get("currency"))
    items = (EntitlementItem(EntitlementItemKind.LEGACY_CAP, cap, "R3.a"),)
    short = cap - total
    deductions = (
        (Deduction(DeductionKind.UNSTATED_LEGACY, short, "R3.a", "", "approved before issue 8"),)
        if short > 0
        else ()
    )
    return Entitlement(items, currency), deductions
