"""The money terms of a policy version (issue 8): the most a shipping leg may cost without a
receipt (R2, R8, R3.a) and the kinds of refund deduction it publishes (R3.a). docs/money.md.

*Reading* for ``unproven_leg_fee_fen``: the first-weight (首重) rate of a domestic courier for a
parcel up to 1 kg, which is 10-12 yuan on the large networks; the platform floor is 12 yuan (a
merchant may pay more without proof, never less, R19) and its ceiling 20 yuan (above that a fee
is not "a first-weight rate" and needs its receipt whoever publishes what).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from domain.entitlement import DEDUCTION_RULES, DeductionKind
from domain.errors import InvalidInput, PolicyBelowFloor

if TYPE_CHECKING:
    from domain.terms import PolicyTerms

UNPROVEN_LEG_FEE_FLOOR_FEN = 1200  # R2 reading: 12 yuan, a first-weight domestic courier rate
UNPROVEN_LEG_FEE_CEILING_FEN = 2000  # the platform's ceiling: above it, a receipt always


_HAND = ", ".join(k.value for k in DeductionKind if DEDUCTION_RULES[k].entered_by_hand)


def check_money_terms(terms: PolicyTerms) -> None:
    """R19 / R3.a: the unproven-leg fee within the platform's band; known deduction kinds."""
    fee = terms.unproven_leg_fee_fen
    if isinstance(fee, bool) or not isinstance(fee, int):
        raise InvalidInput("unproven_leg_fee_fen is whole fen", field="unproven_leg_fee_fen")
    if fee < UNPROVEN_LEG_FEE_FLOOR_FEN:
        raise PolicyBelowFloor(
            f"unproven_leg_fee_fen={fee} is below the platform floor of "
            f"{UNPROVEN_LEG_FEE_FLOOR_FEN} fen (R2); a merchant may be more generous, never less",
            field="unproven_leg_fee_fen",
        )
    if fee > UNPROVEN_LEG_FEE_CEILING_FEN:
        raise InvalidInput(
            f"unproven_leg_fee_fen={fee} exceeds the platform's ceiling of "
            f"{UNPROVEN_LEG_FEE_CEILING_FEN} fen: above it a fee is proven by its receipt (R2)",
            field="unproven_leg_fee_fen",
            rule="R2",
        )
    for name in terms.deduction_kinds:
        try:
            kind = DeductionKind(name)
        except ValueError:
            raise InvalidInput(
                f"{name!r} is not a deduction the platform allows (R3.a); one of {_HAND}",
                field="deduction_kinds",
                rule="R3.a",
                code="deduction_kind_unknown",
            ) from None
        if not DEDUCTION_RULES[kind].entered_by_hand:
            raise InvalidInput(
                f"{name} is recorded by the platform, not published by a merchant (R3.a)",
                field="deduction_kinds",
                rule="R3.a",
                code="deduction_kind_platform_only",
            )
    if len(set(terms.deduction_kinds)) != len(terms.deduction_kinds):
        raise InvalidInput("a deduction kind is named once", field="deduction_kinds")


def most_generous_money(versions: Sequence[PolicyTerms]) -> dict[str, object]:
    """R19 reading: the highest unproven-leg fee, and only the deductions every version names."""
    common = set.intersection(*(set(v.deduction_kinds) for v in versions))
    return {
        "unproven_leg_fee_fen": max(v.unproven_leg_fee_fen for v in versions),
        "deduction_kinds": tuple(k for k in versions[0].deduction_kinds if k in common),
    }
