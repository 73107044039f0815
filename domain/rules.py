"""The after-sales rules as pure functions over plain values (policy.md R1-R6, R3.a).

Nothing here reads a clock: ``now`` and every instant are passed in as aware datetimes. Each
function names its rule; every refusal message cites the rule id and, when a deadline decided, shows
it in China Standard Time as people read policy.md's clocks: a period of days ends at
``YYYY-MM-DD 24:00 CST`` of its last day (never the next day's 00:00), any other instant as
``YYYY-MM-DD HH:MM CST`` (``calendar.format_deadline_cst``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.calendar import (
    WorkingCalendar,
    add_months,
    add_working_days,
    cst_date,
    end_of_natural_days,
    format_cst,
    format_deadline_cst,
    require_aware,
    start_of_cst_day,
)
from domain.errors import DeadlinePassed, InvalidInput, NotEligible, RefundExceedsPaid
from domain.lines import OrderLine, Tender, TenderRefund
from domain.money import allocate
from domain.terms import STATUTORY_REFUND_DAYS, PolicyTerms
from domain.values import CaseKind, Party, Reason, Responsibility

# ---------------------------------------------------------------------------------------------
# Eligibility (R1, R1.a, R1.b, R1.c, R5)


@dataclass(frozen=True)
class Verdict:
    """The answer to "may this case be opened?".

    ``deadline`` is the window end (R1) or warranty end (R5) that applied. On a refusal it is set
    only when that deadline is what refused (the window had closed); ``raise_if_refused`` relies on
    that to raise ``DeadlinePassed`` rather than ``NotEligible``.
    """

    allowed: bool
    rule: str
    message: str
    deadline: datetime | None = None

    def raise_if_refused(self) -> None:
        if self.allowed:
            return
        if self.deadline is not None:
            raise DeadlinePassed(self.message, rule=self.rule)
        raise NotEligible(self.message, rule=self.rule)


def no_reason_window_end(delivered_at: datetime, terms: PolicyTerms) -> datetime:
    """R1: ``terms.return_window_days`` natural days from the day after delivery was signed for,
    ending 24:00 CST of the last day (Law art. 10). Holidays do not extend it."""
    return end_of_natural_days(delivered_at, terms.return_window_days)


def warranty_end(delivered_at: datetime, months: int) -> datetime:
    """R5: warranty counted from delivery; ends at 24:00 CST of the day ``months`` months after the
    delivery's CST date, clamped to that month's end (delivered 31 Jan, 1 month: ends with 28/29
    Feb).
    """
    last_day = add_months(cst_date(require_aware(delivered_at, "delivered_at")), months)
    return end_of_natural_days(start_of_cst_day(last_day), 0)


_RETURN_REASONS = frozenset({Reason.NO_REASON}) | frozenset(r for r in Reason if r.is_quality)
_COMPATIBLE: dict[CaseKind, frozenset[Reason]] = {
    CaseKind.RETURN_REFUND: _RETURN_REASONS,
    CaseKind.EXCHANGE: _RETURN_REASONS,
    CaseKind.REFUND_ONLY: frozenset(
        {
            Reason.NOT_DELIVERED,
            Reason.MISSING_ITEM,
            Reason.QUALITY_DEFECT,
            Reason.WRONG_ITEM,
            Reason.TRANSPORT_DAMAGE,
        }
    ),
    CaseKind.REPAIR: frozenset(
        {Reason.QUALITY_DEFECT, Reason.TRANSPORT_DAMAGE, Reason.USER_DAMAGE}
    ),
    CaseKind.COMPLAINT: frozenset(Reason),
}
# The rule that says which reasons a kind takes: a return or refund is "no reason" (R1) or a
# quality problem (R1.c); an exchange is like a return (R8); a repair is R4/R6.
_KIND_RULE = {
    CaseKind.RETURN_REFUND: "R1.c",
    CaseKind.EXCHANGE: "R8",
    CaseKind.REFUND_ONLY: "R1.c",
    CaseKind.REPAIR: "R6",
    CaseKind.COMPLAINT: "R9",
}


def _refuse(rule: str, message: str, deadline: datetime | None = None) -> Verdict:
    return Verdict(False, rule, message, deadline)


def exclusion_refusal(line: OrderLine, terms: PolicyTerms, *, opened: bool) -> Verdict | None:
    """R1.a / R1.b: the refusal a no-reason return of ``line`` meets for its category, or None.

    ``opened``: the consumer opened the goods (recorded on the case line at application)."""
    exclusion = terms.exclusion_for(line.category)
    if exclusion is None:
        return None
    kind = exclusion.kind
    if kind.requires_confirmation:
        if not line.non_returnable_confirmed:
            return None
        return _refuse(
            "R1.b",
            f"{line.category} is excluded from no-reason returns once confirmed at purchase, "
            f"and this order line records that confirmation: {exclusion.reason} (R1.b)",
        )
    if kind.opened_bites:
        if not opened:
            return None
        return _refuse(
            "R1.a",
            f"{line.category} is excluded from no-reason returns once opened, and it was "
            f"opened: {exclusion.reason} (R1.a)",
        )
    return _refuse(
        "R1.a", f"{line.category} is excluded from no-reason returns: {exclusion.reason} (R1.a)"
    )


def eligibility(
    kind: CaseKind,
    reason: Reason,
    line: OrderLine,
    terms: PolicyTerms,
    delivered_at: datetime | None,
    now: datetime,
    component: str = "unit",
    *,
    opened: bool = False,
) -> Verdict:
    """May a ``kind`` case for ``reason`` be opened on ``line`` at ``now``? (R1, R1.a-c, R5, R6, R9)

    - complaint (R9): any reason, always.
    - no_reason (R1): a signed delivery, ``now`` before the window end, and the line's category not
      excluded (``exclusion_refusal``): fresh, custom-made and digital goods never (R1.a);
      consumables once ``opened`` (the consumer says so when applying, R1.a); hygiene goods when
      the order line records the buyer's confirmation at purchase (R1.b).
    - quality reasons (R1.c): whatever the category and after the R1 window, but delivered and
      within warranty (R5, ``terms.warranty_months_for(component, line.category)``: a part
      listed for the line's category has its own warranty, anything else the unit's).
    - refund_only for not_delivered (reading of R3): only while the order is NOT delivered.
    - repair (R6): any time once delivered; out of warranty or user damage it is at the user's cost.

    A window is open until one microsecond before its end and closed at its end.
    """
    require_aware(now, "now")
    if delivered_at is not None:
        require_aware(delivered_at, "delivered_at")
    kind = CaseKind(kind)
    reason = Reason(reason)

    if kind is CaseKind.COMPLAINT:
        return Verdict(True, "R9", "a complaint can be raised about any order line (R9)")

    if reason not in _COMPATIBLE[kind]:
        allowed = ", ".join(sorted(r.value for r in _COMPATIBLE[kind]))
        return _refuse(
            _KIND_RULE[kind],
            f"a {kind.value} case cannot be opened for reason {reason.value}; "
            f"it takes: {allowed} ({_KIND_RULE[kind]})",
        )

    if reason is Reason.NOT_DELIVERED:
        if delivered_at is not None:
            return _refuse(
                "R3",
                f"the order was signed for at {format_cst(delivered_at)}; a refund for goods "
                "never delivered is only possible before delivery (R3)",
            )
        return Verdict(True, "R3", "refund for goods not delivered (R3)")

    if delivered_at is None:
        rule = "R1" if reason is Reason.NO_REASON else ("R6" if kind is CaseKind.REPAIR else "R1.c")
        return _refuse(rule, f"the order has not been signed for yet ({rule})")

    months = terms.warranty_months_for(component, line.category)
    warranty = warranty_end(delivered_at, months)

    if kind is CaseKind.REPAIR:
        if now < warranty and reason is not Reason.USER_DAMAGE:
            return Verdict(
                True,
                "R6",
                f"repair in warranty until {format_deadline_cst(warranty)}: free of charge (R6)",
                warranty,
            )
        why = (
            "damage caused by the user"
            if reason is Reason.USER_DAMAGE
            else f"warranty ended at {format_deadline_cst(warranty)}"
        )
        return Verdict(
            True, "R6", f"repair possible at the user's cost, on a quote ({why}) (R6)", warranty
        )

    if reason.is_quality:
        if now < warranty:
            return Verdict(
                True,
                "R1.c",
                f"quality problem within the {months}-month warranty, open until "
                f"{format_deadline_cst(warranty)} (R1.c, R5)",
                warranty,
            )
        return _refuse(
            "R5",
            f"the {months}-month warranty ended at {format_deadline_cst(warranty)} (R5)",
            warranty,
        )

    # Reason.NO_REASON: return_refund or exchange.
    excluded = exclusion_refusal(line, terms, opened=opened)
    if excluded is not None:
        return excluded
    window = no_reason_window_end(delivered_at, terms)
    if now < window:
        return Verdict(
            True,
            "R1",
            f"{terms.return_window_days}-day no-reason return open until "
            f"{format_deadline_cst(window)} (R1)",
            window,
        )
    return _refuse(
        "R1",
        f"the {terms.return_window_days}-day no-reason return window closed at "
        f"{format_deadline_cst(window)} (R1)",
        window,
    )


# ---------------------------------------------------------------------------------------------
# Shipping (R2, R8)


@dataclass(frozen=True)
class ShippingLiability:
    """Who pays each shipping leg (R2; R8 for an exchange, leg by leg)."""

    return_leg: Party
    outbound_leg: Party
    rule: str


_FAULT_REASONS = frozenset(r for r in Reason if r.is_quality) | {Reason.NOT_DELIVERED}


def shipping_liability(
    reason: Reason,
    responsibility: Responsibility | None,
    *,
    prior_returns_to_merchant: int,
    bought_again_since_first_return: bool,
    free_return_shipping: bool,
) -> ShippingLiability:
    """R2: who pays the return leg and the outbound leg (the original delivery, or for an exchange
    the replacement's shipment, R8).

    - Fault of the merchant or carrier (a quality reason, or inspection found ``product_defect`` /
      ``transport_damage``, R14): the merchant pays both legs.
    - An inspection finding of ``user_damage`` or ``no_fault`` overrides a claimed fault reason:
      the case is treated as a no-reason return.
    - No-reason: the merchant pays the return leg if its policy offers free return shipping, or if
      the consumer has returned to this merchant before and bought again since the first return
      (*reading*); otherwise (first return, or a later one without buying again) the consumer pays
      it. The outbound leg stays the consumer's.
    """
    if (
        isinstance(prior_returns_to_merchant, bool)
        or not isinstance(prior_returns_to_merchant, int)
        or prior_returns_to_merchant < 0
    ):
        raise InvalidInput(
            f"prior_returns_to_merchant must be a whole number >= 0 (R2), "
            f"got {prior_returns_to_merchant!r}",
            rule="R2",
            field="prior_returns_to_merchant",
        )
    reason = Reason(reason)
    if responsibility is not None:
        responsibility = Responsibility(responsibility)
    if responsibility in (Responsibility.PRODUCT_DEFECT, Responsibility.TRANSPORT_DAMAGE):
        at_fault = True
    elif responsibility in (Responsibility.USER_DAMAGE, Responsibility.NO_FAULT):
        at_fault = False
    else:
        at_fault = reason in _FAULT_REASONS
    if at_fault:
        return ShippingLiability(Party.MERCHANT, Party.MERCHANT, "R2")
    merchant_pays_return = free_return_shipping or (
        prior_returns_to_merchant > 0 and bought_again_since_first_return
    )
    return ShippingLiability(
        Party.MERCHANT if merchant_pays_return else Party.CONSUMER, Party.CONSUMER, "R2"
    )


def _fen(value: int, name: str, rule: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"{name} is whole fen, got {value!r} ({rule})", rule=rule, field=name)
    if value < 0:
        raise InvalidInput(
            f"{name} must not be negative, got {value} ({rule})", rule=rule, field=name
        )
    return value


def shipping_refund_fen(
    liability: ShippingLiability, *, return_leg_fee_fen: int, outbound_fee_share_fen: int
) -> int:
    """R2 / R3.a: the shipping the refund adds: each leg the consumer paid but the merchant owes.

    The consumer pays the carrier for the return leg up front (*reading*);
    ``outbound_fee_share_fen`` is the part of the original delivery fee for the returned units.
    """
    total = 0
    if liability.return_leg is Party.MERCHANT:
        total += _fen(return_leg_fee_fen, "return_leg_fee_fen", "R2")
    else:
        _fen(return_leg_fee_fen, "return_leg_fee_fen", "R2")
    if liability.outbound_leg is Party.MERCHANT:
        total += _fen(outbound_fee_share_fen, "outbound_fee_share_fen", "R2")
    else:
        _fen(outbound_fee_share_fen, "outbound_fee_share_fen", "R2")
    return total


# ---------------------------------------------------------------------------------------------
# Repair cost (R6)


@dataclass(frozen=True)
class RepairCharge:
    """Who pays a repair and how much (R6); ``needs_consent``: the user accepts the quote first."""

    payer: Party
    fee_fen: int
    needs_consent: bool
    rule: str


def repair_charge(
    *,
    in_warranty: bool,
    responsibility: Responsibility,
    quoted_fee_fen: int | None,
    fee_cap_fen: int | None,
) -> RepairCharge:
    """R6: in warranty and not user-caused, the merchant repairs free and no consent is needed;
    out of warranty or user-caused, the user pays the quoted fee and accepts it before work starts
    (*reading*). Transport damage is the carrier's, never the user's: always free to the user.
    A user-paid repair needs a quote, not negative and not above the policy's cap.
    """
    responsibility = Responsibility(responsibility)
    if responsibility is Responsibility.TRANSPORT_DAMAGE or (
        in_warranty and responsibility is not Responsibility.USER_DAMAGE
    ):
        return RepairCharge(Party.MERCHANT, 0, False, "R6")
    if quoted_fee_fen is None:
        user = responsibility is Responsibility.USER_DAMAGE
        why = "damage caused by the user" if user else "out of warranty"
        raise InvalidInput(
            f"a repair at the user's cost ({why}) needs a quoted fee (R6)",
            rule="R6",
            field="quoted_fee_fen",
        )
    fee = _fen(quoted_fee_fen, "quoted_fee_fen", "R6")
    if fee_cap_fen is not None and fee > _fen(fee_cap_fen, "fee_cap_fen", "R6"):
        raise InvalidInput(
            f"the quoted repair fee {fee} fen exceeds the policy's cap of {fee_cap_fen} fen (R6)",
            rule="R6",
            field="quoted_fee_fen",
        )
    return RepairCharge(Party.CONSUMER, fee, True, "R6")


# ---------------------------------------------------------------------------------------------
# Refund amount and timeline (R3, R3.a)


def refund_cap_fen(line: OrderLine, quantity: int, shipping_owed_fen: int) -> int:
    """R3.a: a refund never exceeds what was paid for ``quantity`` of the line plus the shipping
    owed under R2."""
    return line.paid_for(quantity) + _fen(shipping_owed_fen, "shipping_owed_fen", "R3.a")


def split_refund(amount_fen: int, tenders: tuple[Tender, ...]) -> tuple[TenderRefund, ...]:
    """R3.a (Law art. 14-15): split a refund over the original tenders in proportion to what each
    paid; one part per tender, in order. Largest remainder with ties to the earlier tender, so the
    split is deterministic, sums exactly to ``amount_fen`` and no part exceeds its tender.
    """
    amount = _fen(amount_fen, "amount_fen", "R3.a")
    paid = sum(t.amount_fen for t in tenders)
    if amount > paid:
        raise RefundExceedsPaid(
            f"a refund of {amount} fen exceeds the {paid} fen paid by the tenders (R3.a)",
            field="amount_fen",
        )
    parts = allocate(amount, [t.amount_fen for t in tenders])
    return tuple(TenderRefund(t.kind, part) for t, part in zip(tenders, parts, strict=True))


def refund_deadline(
    approved_at: datetime, terms: PolicyTerms, calendar: WorkingCalendar
) -> datetime:
    """R3: the money reaches the consumer by the end (24:00 CST) of the
    ``terms.refund_working_days``-th PRC working day after approval (holidays skipped, make-up
    working days counted)."""
    return add_working_days(approved_at, terms.refund_working_days, calendar)


def statutory_refund_deadline(received_at: datetime) -> datetime:
    """R3 / Law art. 13: refund within 7 natural days of the merchant receiving the goods, counted
    from the next day and ending 24:00 CST (``terms.STATUTORY_REFUND_DAYS``)."""
    return end_of_natural_days(received_at, STATUTORY_REFUND_DAYS)
