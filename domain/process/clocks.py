"""The clocks of the process (policy.md "Clocks"): for each, its rule, the party that must act,
its unit, its length (a policy term, R19, or a platform constant) and the fact it starts from.
``due`` computes a deadline from the start; every deadline a case stores is computed here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType

from domain.calendar import WorkingCalendar, add_hours, add_working_days, end_of_natural_days
from domain.deadlines import CLOCK_PARTY, CLOCK_RULES, Clock, Deadline
from domain.terms import (
    COMPLAINT_OPINION_HOURS,
    COMPLAINT_RESPONSE_HOURS,
    STATUTORY_REFUND_DAYS,
    PolicyTerms,
)
from domain.values import CaseKind, Role

ARBITRATION_WORKING_DAYS = 10  # R10 reading: the arbitrator rules within 10 working days


class Unit(StrEnum):
    HOURS = "hours"
    NATURAL_DAYS = "natural_days"  # end at 24:00 CST of the last day
    WORKING_DAYS = "working_days"  # PRC calendar, make-up working days count


@dataclass(frozen=True)
class ClockSpec:
    clock: Clock
    rule: str
    party: Role
    unit: Unit
    starts: str  # the fact it starts from, in words
    term: str = ""  # the PolicyTerms field giving its length ...
    constant: int = 0  # ... or the platform's constant

    def length(self, terms: PolicyTerms, kind: CaseKind | None = None) -> int:
        if self.clock is Clock.MERCHANT_DECISION and kind is not None:
            return terms.decision_hours(kind)
        if self.clock is Clock.FIRST_RESPONSE and kind is not None:
            return terms.first_response_hours_for(kind)
        if self.term:
            value: int = getattr(terms, self.term)
            return value
        return self.constant

    def length_in_words(self, kind: CaseKind | None = None) -> str:
        """The term (or constant) giving the length, as docs/process.md names it."""
        if self.clock is Clock.MERCHANT_DECISION and kind is CaseKind.REPAIR:
            return "repair_response_hours (R5.a)"
        if self.clock is Clock.FIRST_RESPONSE:
            return "first_response_hours_for(kind) (R12.a per kind)"
        return self.term or f"{self.constant} (platform)"

    def due(
        self,
        start: datetime,
        terms: PolicyTerms,
        calendar: WorkingCalendar,
        kind: CaseKind | None = None,
    ) -> datetime:
        n = self.length(terms, kind)
        if self.unit is Unit.HOURS:
            return add_hours(start, n)
        if self.unit is Unit.NATURAL_DAYS:
            return end_of_natural_days(start, n)
        return add_working_days(start, n, calendar)

    def deadline(
        self,
        start: datetime,
        terms: PolicyTerms,
        calendar: WorkingCalendar,
        kind: CaseKind | None = None,
        rule: str | None = None,
    ) -> Deadline:
        return Deadline.of(self.clock, self.due(start, terms, calendar, kind), rule=rule)


def _c(clock: Clock, unit: Unit, starts: str, term: str = "", constant: int = 0) -> ClockSpec:
    return ClockSpec(clock, CLOCK_RULES[clock], CLOCK_PARTY[clock], unit, starts, term, constant)


H, N, W = Unit.HOURS, Unit.NATURAL_DAYS, Unit.WORKING_DAYS
_SPECS = (
    _c(Clock.MERCHANT_DECISION, H, "the application", "accept_hours"),
    _c(Clock.FIRST_RESPONSE, H, "a first application", "first_response_hours"),
    _c(Clock.PLATFORM_RESPONSE, H, "the complaint", constant=COMPLAINT_RESPONSE_HOURS),
    _c(Clock.PLATFORM_OPINION, H, "the complaint", constant=COMPLAINT_OPINION_HOURS),
    _c(Clock.CONSUMER_SHIP, N, "the acceptance", "consumer_ship_days"),
    _c(
        Clock.RETURN_DELIVERY,
        N,
        "the return's shipping (or the carrier's estimate)",
        "return_transit_days",
    ),
    _c(Clock.CONFIRM_RECEIPT, H, "the return's delivery", "confirm_receipt_hours"),
    _c(Clock.STATUTORY_REFUND, N, "the return's delivery", constant=STATUTORY_REFUND_DAYS),
    _c(Clock.INSPECTION, H, "the confirmed receipt", "inspection_hours"),
    _c(Clock.SHIP_BACK, H, "the failed inspection or declined quote", "ship_back_hours"),
    _c(Clock.CONSUMER_CONFIRM, N, "the goods' dispatch back", "confirm_goods_days"),
    _c(Clock.REPLACEMENT_SHIP, H, "the passed inspection", "replacement_ship_hours"),
    _c(Clock.REPAIR_WORK, N, "the inspection (or accepted quote)", "repair_days"),
    _c(Clock.QUOTE_ANSWER, N, "the quote", "quote_answer_days"),
    _c(Clock.REFUND_APPROVAL, H, "the case reaching refund review", "refund_review_hours"),
    _c(
        Clock.REFUND_PAYMENT,
        W,
        "the approval (never after the statutory end)",
        "refund_working_days",
    ),
    _c(Clock.CONSUMER_DISPUTE, N, "the rejection or opinion", "dispute_days"),
    _c(Clock.ARBITRATION, W, "the escalation", constant=ARBITRATION_WORKING_DAYS),
    _c(Clock.COMPENSATION_PAYMENT, W, "the ruling or grant", "refund_working_days"),
    _c(Clock.POST_CLOSE, N, "the closing", "post_close_days"),
)

CLOCKS: MappingProxyType[Clock, ClockSpec] = MappingProxyType({s.clock: s for s in _SPECS})
