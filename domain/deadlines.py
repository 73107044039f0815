"""The clocks a case runs (policy.md "Clocks"): each open deadline names the rule, who must act and
when. A case stores the ones for its next step so projections and timers never recompute policy."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from domain.values import Role


class Clock(StrEnum):
    MERCHANT_DECISION = "merchant_decision"  # R12 accept/reject (R5.a repair response)
    FIRST_RESPONSE = "first_response"  # R12.a first response to a first application
    PLATFORM_RESPONSE = "platform_response"  # R9.a complaint answered within 24 h
    PLATFORM_OPINION = "platform_opinion"  # R9.a handling opinion within 72 h
    CONSUMER_SHIP = "consumer_ship"  # R13 reading: ship an accepted return
    CONFIRM_RECEIPT = "confirm_receipt"  # R3 merchant confirms returned goods within 24 h
    REFUND_APPROVAL = "refund_approval"  # R3 / Law art. 13: refund within 7 days of receipt
    REFUND_PAYMENT = "refund_payment"  # R3 money reaches the consumer in 3-7 working days
    RETURN_DELIVERY = "return_delivery"  # R13/R25 the return arrives (carrier estimate)
    STATUTORY_REFUND = "statutory_refund"  # R3 / Law art. 13: 7 natural days from delivery back
    INSPECTION = "inspection"  # R14 the returned goods are inspected
    SHIP_BACK = "ship_back"  # R14/R6 reading: goods that stay the consumer's are sent back
    CONSUMER_CONFIRM = "consumer_confirm"  # R7/R8 reading: the consumer confirms goods arrived
    REPLACEMENT_SHIP = "replacement_ship"  # R8 reading: the replacement is shipped
    REPAIR_WORK = "repair_work"  # R7 reading: the repair is done
    QUOTE_ANSWER = "quote_answer"  # R6 reading: the consumer answers a quote
    CONSUMER_DISPUTE = "consumer_dispute"  # R10 reading: dispute a rejection or an opinion
    ARBITRATION = "arbitration"  # R10 reading: the arbitrator rules
    COMPENSATION_PAYMENT = "compensation_payment"  # R14/R10 ruled compensation is paid
    POST_CLOSE = "post_close"  # R9/R10 reading: complain or escalate after closing


CLOCK_RULES: dict[Clock, str] = {
    Clock.MERCHANT_DECISION: "R12",
    Clock.FIRST_RESPONSE: "R12.a",
    Clock.PLATFORM_RESPONSE: "R9.a",
    Clock.PLATFORM_OPINION: "R9.a",
    Clock.CONSUMER_SHIP: "R13",
    Clock.CONFIRM_RECEIPT: "R3",
    Clock.REFUND_APPROVAL: "R3",
    Clock.REFUND_PAYMENT: "R3",
    Clock.RETURN_DELIVERY: "R13",
    Clock.STATUTORY_REFUND: "R3",
    Clock.INSPECTION: "R14",
    Clock.SHIP_BACK: "R14",
    Clock.CONSUMER_CONFIRM: "R8",
    Clock.REPLACEMENT_SHIP: "R8",
    Clock.REPAIR_WORK: "R7",
    Clock.QUOTE_ANSWER: "R6",
    Clock.CONSUMER_DISPUTE: "R10",
    Clock.ARBITRATION: "R10",
    Clock.COMPENSATION_PAYMENT: "R14",
    Clock.POST_CLOSE: "R9",
}

CLOCK_PARTY: dict[Clock, Role] = {
    Clock.MERCHANT_DECISION: Role.MERCHANT,
    Clock.FIRST_RESPONSE: Role.MERCHANT,
    Clock.PLATFORM_RESPONSE: Role.PLATFORM_AGENT,
    Clock.PLATFORM_OPINION: Role.PLATFORM_AGENT,
    Clock.CONSUMER_SHIP: Role.CONSUMER,
    Clock.CONFIRM_RECEIPT: Role.MERCHANT,
    Clock.REFUND_APPROVAL: Role.PLATFORM_AGENT,
    Clock.REFUND_PAYMENT: Role.FINANCE,
    Clock.RETURN_DELIVERY: Role.MERCHANT,
    Clock.STATUTORY_REFUND: Role.PLATFORM_AGENT,
    Clock.INSPECTION: Role.MERCHANT,
    Clock.SHIP_BACK: Role.MERCHANT,
    Clock.CONSUMER_CONFIRM: Role.CONSUMER,
    Clock.REPLACEMENT_SHIP: Role.MERCHANT,
    Clock.REPAIR_WORK: Role.MERCHANT,
    Clock.QUOTE_ANSWER: Role.CONSUMER,
    Clock.CONSUMER_DISPUTE: Role.CONSUMER,
    Clock.ARBITRATION: Role.ARBITRATOR,
    Clock.COMPENSATION_PAYMENT: Role.FINANCE,
    Clock.POST_CLOSE: Role.CONSUMER,
}


@dataclass(frozen=True)
class Deadline:
    name: Clock
    due_at: datetime
    rule: str
    party: Role
    breached: bool = False
    provisional: bool = False  # computed past the holiday calendar's known years

    def __post_init__(self) -> None:
        if not isinstance(self.name, Clock):
            object.__setattr__(self, "name", Clock(self.name))
        if not isinstance(self.party, Role):
            object.__setattr__(self, "party", Role(self.party))

    @classmethod
    def of(
        cls, name: Clock, due_at: datetime, *, rule: str | None = None, provisional: bool = False
    ) -> Deadline:
        return cls(name, due_at, rule or CLOCK_RULES[name], CLOCK_PARTY[name], False, provisional)

    def as_breached(self) -> Deadline:
        return replace(self, breached=True)
