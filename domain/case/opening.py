"""Opening a case: eligibility (R1, R1.a, R1.b, R1.c, R5), the first clocks (R12, R5.a, R12.a,
R9.a) and the ``Opened`` event, which sets the whole starting state."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any
from uuid import UUID

from domain import rules
from domain.calendar import add_hours
from domain.case.events import CaseEvent
from domain.case.guards import CaseGuards, text_input
from domain.case_values import CaseLine, Evidence, Status
from domain.chain import ChainedAggregate
from domain.deadlines import Clock, Deadline
from domain.errors import InvalidInput, NotFound
from domain.terms import COMPLAINT_OPINION_HOURS, COMPLAINT_RESPONSE_HOURS, PolicyTerms
from domain.values import Actor, CaseKind, Channel, Reason, Role


def opening_rule(kind: CaseKind, reason: Reason) -> str:
    """The rule an application is opened under."""
    if kind is CaseKind.COMPLAINT:
        return "R9"
    if kind is CaseKind.REPAIR:
        return "R5"
    if reason is Reason.NO_REASON:
        return "R1"
    if reason.is_quality:
        return "R1.c"  # quality problems are never "no reason"
    return "R12"


class Opened(CaseEvent, ChainedAggregate.Created):
    case_no: str
    kind: CaseKind
    reason_code: Reason
    description: str
    evidence: tuple[Evidence, ...]
    order_id: UUID
    order_no: str
    consumer_id: str
    merchant_id: str
    placed_at: datetime
    delivered_at: datetime | None
    lines: tuple[CaseLine, ...]
    policy_version: int
    terms: PolicyTerms
    prior_returns_to_merchant: int
    bought_again_since_first_return: bool
    first_application: bool
    channel: Channel
    component: str

    @classmethod
    def upcast_v1_v2(cls, state: dict[str, Any]) -> None:
        complaint = CaseKind(state["kind"]) is CaseKind.COMPLAINT
        state["status"] = (Status.COMPLAINT_OPEN if complaint else Status.REQUESTED).value
        state["reason"] = ""
        state["rule"] = opening_rule(CaseKind(state["kind"]), Reason(state["reason_code"]))
        state["allowed"] = None

    def change(self, case: Any) -> None:
        state: CaseGuards = case
        state.case_no = self.case_no
        state.kind = CaseKind(self.kind)
        state.reason_code = Reason(self.reason_code)
        state.description = self.description
        state.evidence = list(self.evidence)
        state.order_id = self.order_id
        state.order_no = self.order_no
        state.consumer_id = self.consumer_id
        state.merchant_id = self.merchant_id
        state.placed_at = self.placed_at
        state.delivered_at = self.delivered_at
        state.lines = tuple(self.lines)
        state.policy_version = self.policy_version
        state.terms = self.terms
        state.prior_returns_to_merchant = self.prior_returns_to_merchant
        state.bought_again_since_first_return = self.bought_again_since_first_return
        state.first_application = self.first_application
        state.channel = Channel(self.channel)
        state.component = self.component
        state.opened_at = self.at
        complaint = state.kind is CaseKind.COMPLAINT
        state.status = Status.COMPLAINT_OPEN if complaint else Status.REQUESTED
        state.complaint_open = complaint
        state.return_shipment = None
        state.return_shipped_at = None
        state.return_delivered_at = None
        state.received_at = None
        state.responsibility = None
        state.repair_fee_fen = 0
        state.quote_accepted_fen = 0
        state.refund = None
        state.refund_paid = False
        state.refund_attempts = 0
        state.compensation_fen = 0
        state.compensation_paid = False
        state.ruling = None
        state.rating = None
        state.breaches = []
        state.outcome = ""
        state.goods_outcome = ""
        state.queue = ""


def opening_deadlines(
    kind: CaseKind, terms: PolicyTerms, first_application: bool, at: datetime
) -> tuple[Deadline, ...]:
    if kind is CaseKind.COMPLAINT:
        return (
            Deadline.of(Clock.PLATFORM_RESPONSE, add_hours(at, COMPLAINT_RESPONSE_HOURS)),
            Deadline.of(Clock.PLATFORM_OPINION, add_hours(at, COMPLAINT_OPINION_HOURS)),
        )
    rule = "R5.a" if kind is CaseKind.REPAIR else "R12"
    decision = Deadline.of(
        Clock.MERCHANT_DECISION, add_hours(at, terms.decision_hours(kind)), rule=rule
    )
    if not first_application:
        return (decision,)
    # R12.a: each kind its own SLA (a repair's is R5.a's 48 hours: no false 24-hour breach).
    first = Deadline.of(Clock.FIRST_RESPONSE, add_hours(at, terms.first_response_hours_for(kind)))
    return (decision, first)


def check_opening(
    *,
    kind: CaseKind,
    reason_code: Reason,
    description: str,
    consumer_id: str,
    order_no: str,
    delivered_at: datetime | None,
    lines: tuple[CaseLine, ...],
    terms: PolicyTerms,
    component: str,
    actor: Actor,
    at: datetime,
    eligibility_lines: Iterable[Any],
) -> None:
    """Who may open (R9, R12) and whether every line is eligible (R1, R1.a, R1.b, R1.c, R5)."""
    if actor.role is not Role.CONSUMER and not (
        kind is CaseKind.COMPLAINT and actor.role is Role.PLATFORM_AGENT
    ):
        raise InvalidInput(
            "R9/R12: a case is opened by its consumer (a complaint may also be taken by "
            "platform customer service)",
            rule="R9",
            field="actor",
        )
    if actor.role is Role.CONSUMER and actor.id != consumer_id:
        raise NotFound(f"order {order_no} is not one of yours", field="order_no")
    if kind is not CaseKind.COMPLAINT and not lines:
        raise InvalidInput("name at least one line of the order", field="lines")
    if kind is CaseKind.COMPLAINT:
        text_input(description, "description", "R9", "a complaint says what went wrong")
    opened = {case_line.line_no: case_line.opened for case_line in lines}  # R1.a
    for line in eligibility_lines:
        verdict = rules.eligibility(
            kind,
            reason_code,
            line,
            terms,
            delivered_at,
            at,
            component=component,
            opened=opened.get(line.line_no, False),
        )
        verdict.raise_if_refused()
