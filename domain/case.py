"""Case aggregate: one after-sales case and its whole flow (policy.md R1-R22).

One public method per move. Each checks who may make it and whether the case's state allows it
(``_check_*`` guards raising named errors that cite the rule), then records one or more past-tense
events. Every event carries the actor, the business time ``at``, the reason where there is one and
the deadlines open after it (``deadlines``), so the read side never recomputes policy.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any, cast
from uuid import UUID

from eventsourcing.domain import Snapshot as LibrarySnapshot
from eventsourcing.domain import event

from domain import ids, rules
from domain.calendar import (
    WorkingCalendar,
    add_hours,
    cst_date,
    end_of_natural_days,
    format_cst,
    require_aware,
)
from domain.case_values import (
    CaseLine,
    Evidence,
    RefundPlan,
    Ruling,
    RulingOutcome,
    Shipment,
    Status,
)
from domain.chain import ChainedAggregate
from domain.deadlines import Clock, Deadline
from domain.errors import (
    CaseRuledFinal,
    IllegalTransition,
    InvalidInput,
    NotFound,
    RatingNotAllowed,
    RefundExceedsPaid,
)
from domain.lines import Tender, TenderRefund
from domain.money import allocate
from domain.terms import COMPLAINT_OPINION_HOURS, COMPLAINT_RESPONSE_HOURS, PolicyTerms
from domain.values import (
    Actor,
    CaseKind,
    Channel,
    Party,
    Reason,
    Responsibility,
    Role,
    TenderKind,
)

Deadlines = tuple[Deadline, ...]

# Which moves remain after a final ruling (R10): only those that carry the ruling out.
_CARRY_OUT: dict[RulingOutcome, frozenset[str]] = {
    RulingOutcome.REFUND: frozenset(
        {"ship_return", "record_return_delivered", "confirm_receipt", "approve_refund", "refund"}
    ),
    RulingOutcome.EXCHANGE: frozenset(
        {"ship_return", "record_return_delivered", "confirm_receipt", "ship_exchange"}
    ),
    RulingOutcome.REPAIR: frozenset(
        {"ship_return", "record_return_delivered", "confirm_receipt", "repair"}
    ),
    RulingOutcome.COMPENSATION: frozenset({"compensation"}),
    RulingOutcome.DISMISSED: frozenset(),
}
_ALWAYS_ALLOWED = frozenset({"note", "rate", "close", "evidence", "expire"})


def _text(value: str, field: str, rule: str, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{rule}: {what}", rule=rule, field=field)
    return value.strip()


class Case(ChainedAggregate):
    """One after-sales case of one order (one or several of its lines)."""

    class Snapshot(LibrarySnapshot):
        """A snapshot's state comes back from JSON with enums as plain strings and tuples as
        lists; restore them so a case loaded from a snapshot is the case its events build."""

        def mutate(self, _: None) -> Case:
            case = cast("Case", super().mutate(_))
            case._restore_value_types()
            return case

    @staticmethod
    def create_id(case_no: str) -> UUID:
        return ids.case_id(case_no)

    # ------------------------------------------------------------------ opening
    @classmethod
    def open(
        cls,
        *,
        case_no: str,
        kind: CaseKind,
        reason_code: Reason,
        description: str,
        evidence: tuple[Evidence, ...],
        order_id: UUID,
        order_no: str,
        consumer_id: str,
        merchant_id: str,
        placed_at: datetime,
        delivered_at: datetime | None,
        lines: tuple[CaseLine, ...],
        policy_version: int,
        terms: PolicyTerms,
        prior_returns_to_merchant: int,
        bought_again_since_first_return: bool,
        first_application: bool,
        channel: Channel,
        component: str,
        actor: Actor,
        at: datetime,
        eligibility_lines: Iterable[Any] = (),
    ) -> Case:
        """Open a case after checking eligibility (R1, R1.a, R1.b, R1.c, R5) for every line.

        ``eligibility_lines`` are the ``OrderLine`` facts of ``lines`` (same order)."""
        if not case_no or not case_no.strip():
            raise InvalidInput("case_no is required", field="case_no")
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
            _text(description, "description", "R9", "a complaint says what went wrong")
        order_lines = list(eligibility_lines)
        opened = {case_line.line_no: case_line.opened for case_line in lines}  # R1.a
        for line in order_lines:
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
        deadlines = cls._opening_deadlines(kind, terms, first_application, at)
        return cls(  # type: ignore[no-any-return]
            case_no=case_no,
            kind=kind,
            reason_code=reason_code,
            description=description.strip(),
            evidence=evidence,
            order_id=order_id,
            order_no=order_no,
            consumer_id=consumer_id,
            merchant_id=merchant_id,
            placed_at=placed_at,
            delivered_at=delivered_at,
            lines=lines,
            policy_version=policy_version,
            terms=terms,
            prior_returns_to_merchant=prior_returns_to_merchant,
            bought_again_since_first_return=bought_again_since_first_return,
            first_application=first_application,
            channel=channel,
            component=component,
            actor=actor,
            at=at,
            deadlines=deadlines,
        )

    @staticmethod
    def _opening_deadlines(
        kind: CaseKind, terms: PolicyTerms, first_application: bool, at: datetime
    ) -> Deadlines:
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
        first = Deadline.of(Clock.FIRST_RESPONSE, add_hours(at, terms.first_response_hours))
        return (decision, first)

    @event("Opened")
    def __init__(
        self,
        case_no: str,
        kind: CaseKind,
        reason_code: Reason,
        description: str,
        evidence: tuple[Evidence, ...],
        order_id: UUID,
        order_no: str,
        consumer_id: str,
        merchant_id: str,
        placed_at: datetime,
        delivered_at: datetime | None,
        lines: tuple[CaseLine, ...],
        policy_version: int,
        terms: PolicyTerms,
        prior_returns_to_merchant: int,
        bought_again_since_first_return: bool,
        first_application: bool,
        channel: Channel,
        component: str,
        actor: Actor,
        at: datetime,
        deadlines: Deadlines,
    ) -> None:
        self.case_no = case_no
        self.kind = CaseKind(kind)
        self.reason_code = Reason(reason_code)
        self.description = description
        self.evidence = list(evidence)
        self.order_id = order_id
        self.order_no = order_no
        self.consumer_id = consumer_id
        self.merchant_id = merchant_id
        self.placed_at = placed_at
        self.delivered_at = delivered_at
        self.lines = tuple(lines)
        self.policy_version = policy_version
        self.terms = terms
        self.prior_returns_to_merchant = prior_returns_to_merchant
        self.bought_again_since_first_return = bought_again_since_first_return
        self.first_application = first_application
        self.channel = Channel(channel)
        self.component = component
        self.opened_at = at
        self.status = Status.COMPLAINT_OPEN if self.kind is CaseKind.COMPLAINT else Status.REQUESTED
        self.complaint_open = self.kind is CaseKind.COMPLAINT
        self.return_shipment: Shipment | None = None
        self.received_at: datetime | None = None
        self.responsibility: Responsibility | None = None
        self.repair_fee_fen = 0
        self.quote_accepted_fen = 0
        self.refund: RefundPlan | None = None
        self.refund_paid = False
        self.refund_attempts = 0
        self.compensation_fen = 0
        self.compensation_paid = False
        self.ruling: Ruling | None = None
        self.rating: int | None = None
        self.breaches: list[str] = []
        self.outcome = ""
        self._set(at, deadlines)

    def _set(self, at: datetime, deadlines: Deadlines, status: Status | None = None) -> None:
        self.updated_at = at
        self.deadlines = {d.name: d for d in deadlines}
        if status is not None:
            self.status = status

    def _restore_value_types(self) -> None:
        self.kind = CaseKind(self.kind)
        self.reason_code = Reason(self.reason_code)
        self.channel = Channel(self.channel)
        self.status = Status(self.status)
        if self.responsibility is not None:
            self.responsibility = Responsibility(self.responsibility)
        state = vars(self)
        if "status_before_arbitration" in state:
            state["status_before_arbitration"] = Status(state["status_before_arbitration"])
        self.lines = tuple(self.lines)
        self.deadlines = {Clock(name): d for name, d in self.deadlines.items()}

    # ------------------------------------------------------------------ guards
    def _check_time(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise InvalidInput("times must carry a time zone", field="at")
        if at < self.updated_at:
            raise InvalidInput(
                f"the case's last step is at {format_cst(self.updated_at)}; "
                f"a new one cannot be earlier ({format_cst(at)})",
                field="at",
            )

    def _check_party(self, actor: Actor, *roles: Role, move: str) -> None:
        """Only the case's own consumer / merchant, or the named platform roles, may move."""
        if actor.role is Role.CONSUMER and actor.id != self.consumer_id:
            raise NotFound(f"no case {self.case_no} of yours")
        if actor.role is Role.MERCHANT and actor.merchant_id != self.merchant_id:
            raise NotFound(f"no case {self.case_no} in your store")
        if actor.role not in roles:
            allowed = ", ".join(r.value for r in roles)
            raise IllegalTransition(
                f"a {actor.role.value} cannot {move.replace('_', ' ')} (who may: {allowed})",
                rule="P2",
                field="actor",
            )

    def _check_status(self, move: str, rule: str, *allowed: Status) -> None:
        if self.status not in allowed:
            raise IllegalTransition(
                f"cannot {move.replace('_', ' ')} case {self.case_no} while it is "
                f"{self.status.value} (possible when {', '.join(s.value for s in allowed)})",
                rule=rule,
            )

    def _check_not_final(self, move: str) -> None:
        """R10: after a final ruling only moves that carry the ruling out are possible."""
        if self.ruling is None or move in _ALWAYS_ALLOWED:
            return
        allowed = _CARRY_OUT[self.ruling.outcome]
        if self.ruling.compensation_fen:  # R14 repair (refund, exchange) plus compensation
            allowed = allowed | {"compensation"}
        if move not in allowed:
            raise CaseRuledFinal(
                f"case {self.case_no} was ruled ({self.ruling.outcome.value}) by arbitration; "
                f"the ruling is final and '{move.replace('_', ' ')}' would change its outcome"
            )

    def _check_ruled_compensation_granted(self) -> None:
        """R10: a move that closes a ruled case waits until the ruled compensation is granted
        (it may be paid after the case closed)."""
        if self.ruling is not None and self.ruling.compensation_fen and not self.compensation_fen:
            raise CaseRuledFinal(
                f"the ruling also grants compensation of {self.ruling.compensation_fen} fen: "
                "grant it before the case closes"
            )

    def _check_open(self, move: str) -> None:
        if self.status.is_terminal:
            raise IllegalTransition(
                f"case {self.case_no} is {self.status.value}; nothing more can be done but rating",
                rule="R21",
            )
        self._check_not_final(move)

    def _carry_out(self, *statuses: Status) -> tuple[Status, ...]:
        """Statuses a move is possible in; after a ruling (R10) also the ruled state, and once a
        return the ruling required has been received, the received state."""
        if self.ruling is None:
            return statuses
        if self.ruling.return_required and statuses == (Status.AWAITING_RETURN,):
            return (*statuses, Status.RULED)
        if self.ruling.return_required:
            return (*statuses, Status.RECEIVED)
        return (*statuses, Status.RULED, Status.RECEIVED)

    def _merchant_may_act(self, actor: Actor, clock: Clock) -> None:
        """R12.a reading: the platform may act in the merchant's place once a clock was breached."""
        if actor.role is Role.PLATFORM_AGENT and clock.value not in self.breaches:
            raise IllegalTransition(
                f"the platform acts in the merchant's place only after the merchant missed "
                f"its deadline ({clock.value})",
                rule="R12.a",
                field="actor",
            )

    def _keep(self, *drop: Clock) -> list[Deadline]:
        return [d for d in self.deadlines.values() if d.name not in drop]

    @property
    def is_no_reason(self) -> bool:
        return self.reason_code is Reason.NO_REASON

    @property
    def currency(self) -> str:
        return self.terms.currency

    # ------------------------------------------------------------------ R12 acceptance
    def accept(self, *, actor: Actor, at: datetime, reason: str = "") -> None:
        """R12: the merchant accepts (or, R12.a, the platform / system in its place)."""
        self._check_party(actor, Role.MERCHANT, Role.PLATFORM_AGENT, Role.SYSTEM, move="accept")
        self._check_open("accept")
        self._check_time(at)
        self._check_status("accept", "R12", Status.REQUESTED)
        self._merchant_may_act(actor, Clock.MERCHANT_DECISION)
        if actor.role is Role.SYSTEM and Clock.MERCHANT_DECISION.value not in self.breaches:
            raise IllegalTransition("the system accepts only after the R12 deadline", rule="R12.a")
        nxt: list[Deadline] = self._keep(Clock.MERCHANT_DECISION, Clock.FIRST_RESPONSE)
        if self.kind is CaseKind.REFUND_ONLY:
            status = Status.AWAITING_REFUND
            due = end_of_natural_days(at, 7)
            nxt.append(Deadline.of(Clock.REFUND_APPROVAL, due))
        else:
            status = Status.AWAITING_RETURN
            due = end_of_natural_days(at, self.terms.consumer_ship_days)
            nxt.append(Deadline.of(Clock.CONSUMER_SHIP, due))
        self._accepted(
            actor=actor, at=at, reason=reason.strip(), status=status, deadlines=tuple(nxt)
        )

    @event("Accepted")
    def _accepted(
        self, actor: Actor, at: datetime, reason: str, status: Status, deadlines: Deadlines
    ) -> None:
        self._set(at, deadlines, Status(status))

    def reject(self, *, actor: Actor, at: datetime, reason: str) -> None:
        """R12: a rejection always carries a reason."""
        self._check_party(actor, Role.MERCHANT, Role.PLATFORM_AGENT, move="reject")
        self._check_open("reject")
        self._check_time(at)
        self._check_status("reject", "R12", Status.REQUESTED)
        self._merchant_may_act(actor, Clock.MERCHANT_DECISION)
        why = _text(reason, "reason", "R12", "a rejection always gives its reason (拒绝须说明理由)")
        nxt = tuple(self._keep(Clock.MERCHANT_DECISION, Clock.FIRST_RESPONSE))
        self._rejected(actor=actor, at=at, reason=why, deadlines=nxt)

    @event("Rejected")
    def _rejected(self, actor: Actor, at: datetime, reason: str, deadlines: Deadlines) -> None:
        self._set(at, deadlines, Status.REJECTED)
        self.outcome = "rejected"

    # ------------------------------------------------------------------ R13 return leg
    def ship_return(self, *, actor: Actor, at: datetime, shipment: Shipment) -> None:
        """R13/R25: the consumer ships the goods back with carrier and tracking number."""
        self._check_party(actor, Role.CONSUMER, move="ship_return")
        self._check_open("ship_return")
        self._check_time(at)
        self._check_status("ship_return", "R13", *self._carry_out(Status.AWAITING_RETURN))
        nxt = tuple(self._keep(Clock.CONSUMER_SHIP))
        self._return_shipped(actor=actor, at=at, shipment=shipment, reason="", deadlines=nxt)

    @event("ReturnShipped")
    def _return_shipped(
        self, actor: Actor, at: datetime, shipment: Shipment, reason: str, deadlines: Deadlines
    ) -> None:
        self.return_shipment = shipment
        self._set(at, deadlines, Status.RETURN_IN_TRANSIT)

    def record_return_delivered(
        self, *, actor: Actor, at: datetime, delivered_at: datetime
    ) -> None:
        """The carrier delivered the return to the merchant: the R3 24-hour clock starts."""
        self._check_party(
            actor, Role.SYSTEM, Role.MERCHANT, Role.PLATFORM_AGENT, move="record_return_delivered"
        )
        self._check_open("record_return_delivered")
        self._check_time(at)
        self._check_status("record_return_delivered", "R3", Status.RETURN_IN_TRANSIT)
        require_aware(delivered_at, "delivered_at")
        if delivered_at > at:
            raise InvalidInput(
                "a delivery cannot be recorded before it happens", field="delivered_at"
            )
        due = add_hours(delivered_at, self.terms.confirm_receipt_hours)
        nxt = (*self._keep(), Deadline.of(Clock.CONFIRM_RECEIPT, due))
        self._return_delivered(
            actor=actor, at=at, delivered_at=delivered_at, reason="", deadlines=nxt
        )

    @event("ReturnDelivered")
    def _return_delivered(
        self, actor: Actor, at: datetime, delivered_at: datetime, reason: str, deadlines: Deadlines
    ) -> None:
        self._set(at, deadlines, Status.RETURN_DELIVERED)

    def confirm_receipt(self, *, actor: Actor, at: datetime, reason: str = "") -> None:
        """R3: the merchant confirms receipt within 24 hours of delivery back to it."""
        self._check_party(
            actor, Role.MERCHANT, Role.PLATFORM_AGENT, Role.SYSTEM, move="confirm_receipt"
        )
        self._check_open("confirm_receipt")
        self._check_time(at)
        self._check_status("confirm_receipt", "R3", Status.RETURN_DELIVERED)
        if actor.role is not Role.MERCHANT and Clock.CONFIRM_RECEIPT.value not in self.breaches:
            raise IllegalTransition(
                "only the merchant confirms receipt until its 24-hour deadline has passed",
                rule="R3",
            )
        nxt = [*self._keep(Clock.CONFIRM_RECEIPT)]
        if self.kind is CaseKind.RETURN_REFUND or (
            self.ruling is not None and self.ruling.outcome is RulingOutcome.REFUND
        ):
            nxt.append(Deadline.of(Clock.REFUND_APPROVAL, rules.statutory_refund_deadline(at)))
        self._receipt_confirmed(actor=actor, at=at, reason=reason.strip(), deadlines=tuple(nxt))

    @event("ReceiptConfirmed")
    def _receipt_confirmed(
        self, actor: Actor, at: datetime, reason: str, deadlines: Deadlines
    ) -> None:
        self.received_at = at
        self._set(at, deadlines, Status.RECEIVED)

    # ------------------------------------------------------------------ R14 inspection
    def inspect(
        self,
        *,
        actor: Actor,
        at: datetime,
        responsibility: Responsibility,
        findings: str,
        evidence: tuple[Evidence, ...] = (),
        on_site: bool = False,
    ) -> None:
        """R14: inspect the returned (or, for repairs on site, visited) item and record who is
        responsible. The outcome follows: refund, exchange, repair, or repair plus compensation."""
        self._check_party(actor, Role.MERCHANT, Role.PLATFORM_AGENT, move="inspect")
        self._check_open("inspect")
        self._check_time(at)
        if on_site:
            if self.kind is not CaseKind.REPAIR:
                raise IllegalTransition("only repairs can be inspected on site", rule="R7")
            self._check_status("inspect", "R7", Status.AWAITING_RETURN)
        else:
            self._check_status("inspect", "R14", Status.RECEIVED)
        responsibility = Responsibility(responsibility)
        why = _text(findings, "findings", "R14", "an inspection records its findings")
        if (
            responsibility is Responsibility.USER_DAMAGE
            and not (evidence or self.evidence)
            and self.kind is not CaseKind.REPAIR
        ):
            raise InvalidInput(
                "R1: refusing a return for user damage needs evidence (photos, report)",
                rule="R1",
                field="evidence",
            )
        nxt = self._keep(Clock.CONSUMER_SHIP)
        status = self._status_after_inspection(responsibility)
        if status is Status.AWAITING_REFUND and not any(
            d.name is Clock.REFUND_APPROVAL for d in nxt
        ):
            nxt.append(Deadline.of(Clock.REFUND_APPROVAL, rules.statutory_refund_deadline(at)))
        if status is not Status.AWAITING_REFUND:
            nxt = [d for d in nxt if d.name is not Clock.REFUND_APPROVAL]
        self._inspected(
            actor=actor,
            at=at,
            responsibility=responsibility,
            reason=why,
            evidence=tuple(evidence),
            on_site=on_site,
            status=status,
            deadlines=tuple(nxt),
        )

    def _status_after_inspection(self, responsibility: Responsibility) -> Status:
        if self.ruling is not None:
            return {
                RulingOutcome.REFUND: Status.AWAITING_REFUND,
                RulingOutcome.EXCHANGE: Status.AWAITING_EXCHANGE,
                RulingOutcome.REPAIR: Status.REPAIRING,
            }.get(self.ruling.outcome, Status.RULED)
        if self.kind is CaseKind.REPAIR:
            return Status.REPAIRING
        if responsibility is Responsibility.USER_DAMAGE:
            return Status.INSPECTION_FAILED
        if self.kind is CaseKind.EXCHANGE:
            return Status.AWAITING_EXCHANGE
        return Status.AWAITING_REFUND

    @event("Inspected")
    def _inspected(
        self,
        actor: Actor,
        at: datetime,
        responsibility: Responsibility,
        reason: str,
        evidence: tuple[Evidence, ...],
        on_site: bool,
        status: Status,
        deadlines: Deadlines,
    ) -> None:
        self.responsibility = Responsibility(responsibility)
        self.evidence.extend(evidence)
        self._set(at, deadlines, Status(status))
        if self.status is Status.INSPECTION_FAILED:
            self.outcome = "inspection_failed"

    # ------------------------------------------------------------------ R6 / R7 repair
    def in_warranty(self, at: datetime) -> bool:
        if self.delivered_at is None:
            return False
        category = self.lines[0].category if self.lines else ""  # R5 the line's parts
        months = self.terms.warranty_months_for(self.component, category)
        return at < rules.warranty_end(self.delivered_at, months)

    def quote_repair(
        self, *, actor: Actor, at: datetime, fee_fen: int | None, reason: str = ""
    ) -> None:
        """R6: after inspection, the repair is free (in warranty, not user-caused) or the user is
        quoted a fee to accept or decline before work starts."""
        self._check_party(actor, Role.MERCHANT, move="quote_repair")
        self._check_open("repair")
        self._check_time(at)
        if self.kind is not CaseKind.REPAIR:
            raise IllegalTransition("only repair cases are quoted", rule="R6")
        self._check_status("quote_repair", "R6", Status.REPAIRING)
        if self.responsibility is None:
            raise IllegalTransition("inspect the item before quoting", rule="R7")
        if self.repair_fee_fen:
            raise IllegalTransition("this repair has been quoted already", rule="R6")
        # R5/R6: the warranty is judged when the repair was requested, not when the work is done.
        in_warranty = self.in_warranty(self.opened_at)
        charge = rules.repair_charge(
            in_warranty=in_warranty,
            responsibility=self.responsibility,
            quoted_fee_fen=fee_fen,
            fee_cap_fen=self.terms.repair_fee_cap_fen,
        )
        if not charge.needs_consent:
            raise IllegalTransition(
                "this repair is free (in warranty and not user-caused): nothing to quote",
                rule="R6",
            )
        self._repair_quoted(
            actor=actor,
            at=at,
            fee_fen=charge.fee_fen,
            in_warranty=in_warranty,
            reason=reason.strip() or charge.rule,
            deadlines=tuple(self._keep()),
        )

    @event("RepairQuoted")
    def _repair_quoted(
        self,
        actor: Actor,
        at: datetime,
        fee_fen: int,
        in_warranty: bool,
        reason: str,
        deadlines: Deadlines,
    ) -> None:
        self.repair_fee_fen = fee_fen
        self._set(at, deadlines, Status.AWAITING_QUOTE_ANSWER)

    def answer_quote(self, *, actor: Actor, at: datetime, accepted: bool, reason: str = "") -> None:
        """R6 reading: the consumer accepts or declines the quoted fee before work starts."""
        self._check_party(actor, Role.CONSUMER, move="answer_quote")
        self._check_open("repair")
        self._check_time(at)
        self._check_status("answer_quote", "R6", Status.AWAITING_QUOTE_ANSWER)
        if accepted:
            self._quote_accepted(
                actor=actor,
                at=at,
                fee_fen=self.repair_fee_fen,
                reason=reason,
                deadlines=tuple(self._keep()),
            )
        else:
            self._quote_declined(actor=actor, at=at, reason=reason, deadlines=tuple(self._keep()))

    @event("QuoteAccepted")
    def _quote_accepted(
        self, actor: Actor, at: datetime, fee_fen: int, reason: str, deadlines: Deadlines
    ) -> None:
        self.quote_accepted_fen = fee_fen
        self._set(at, deadlines, Status.REPAIRING)

    @event("QuoteDeclined")
    def _quote_declined(
        self, actor: Actor, at: datetime, reason: str, deadlines: Deadlines
    ) -> None:
        self.repair_fee_fen = 0
        self.quote_accepted_fen = 0
        self._set(at, deadlines, Status.RETURNING_UNREPAIRED)

    def _needs_quote_answer(self, at: datetime) -> bool:
        if self.responsibility is None:
            return True
        charge = rules.repair_charge(
            in_warranty=self.in_warranty(self.opened_at),
            responsibility=self.responsibility,
            quoted_fee_fen=self.repair_fee_fen or 0,
            fee_cap_fen=None,
        )
        return charge.needs_consent and self.repair_fee_fen == 0

    def complete_repair(
        self, *, actor: Actor, at: datetime, notes: str, shipment: Shipment | None
    ) -> None:
        """R7: repaired and shipped back (with carrier and tracking) or repaired on site; a declined
        quote ships the item back unrepaired. Either way the case closes."""
        self._check_party(actor, Role.MERCHANT, move="complete_repair")
        self._check_open("repair")
        self._check_time(at)
        if self.kind is not CaseKind.REPAIR and not (
            self.ruling is not None and self.ruling.outcome is RulingOutcome.REPAIR
        ):
            raise IllegalTransition("only repair cases are repaired", rule="R7")
        self._check_status(
            "complete_repair",
            "R7",
            *self._carry_out(Status.REPAIRING, Status.RETURNING_UNREPAIRED),
        )
        self._check_ruled_compensation_granted()
        repaired = self.status is not Status.RETURNING_UNREPAIRED
        if repaired and self.ruling is None and self._needs_quote_answer(at):
            raise IllegalTransition(
                "R6: this repair is paid by the user: quote it and wait for the user to accept "
                "before starting work",
                rule="R6",
            )
        why = _text(notes, "notes", "R7", "say what was done")
        self._repair_completed(
            actor=actor,
            at=at,
            repaired=repaired,
            shipment=shipment,
            # R6: the user pays only a fee they accepted before work started.
            fee_fen=getattr(self, "quote_accepted_fen", 0) if repaired else 0,
            reason=why,
            deadlines=(),
        )
        self._close_now(actor, at, "repaired" if repaired else "returned_unrepaired")

    @event("RepairCompleted")
    def _repair_completed(
        self,
        actor: Actor,
        at: datetime,
        repaired: bool,
        shipment: Shipment | None,
        fee_fen: int,
        reason: str,
        deadlines: Deadlines,
    ) -> None:
        self._set(at, deadlines)

    # ------------------------------------------------------------------ R8 exchange
    def ship_exchange(self, *, actor: Actor, at: datetime, shipment: Shipment) -> None:
        """R8: the replacement is shipped with carrier and tracking; the case closes."""
        self._check_party(actor, Role.MERCHANT, move="ship_exchange")
        self._check_open("ship_exchange")
        self._check_time(at)
        self._check_status("ship_exchange", "R8", *self._carry_out(Status.AWAITING_EXCHANGE))
        self._check_ruled_compensation_granted()
        self._exchange_shipped(actor=actor, at=at, shipment=shipment, reason="", deadlines=())
        self._close_now(actor, at, "exchanged")

    @event("ExchangeShipped")
    def _exchange_shipped(
        self, actor: Actor, at: datetime, shipment: Shipment, reason: str, deadlines: Deadlines
    ) -> None:
        self._set(at, deadlines)

    # ------------------------------------------------------------------ R3 refunds
    def refund_plan(self, amount_fen: int | None = None) -> RefundPlan:
        """R3.a + R2: the refund's cap, its shipping part and its split over the tenders."""
        liability = rules.shipping_liability(
            self.reason_code,
            self.responsibility,
            prior_returns_to_merchant=self.prior_returns_to_merchant,
            bought_again_since_first_return=self.bought_again_since_first_return,
            free_return_shipping=self.terms.free_return_shipping,
        )
        return_fee = self.return_shipment.fee_fen if self.return_shipment else 0
        outbound = sum(line.outbound_share_fen for line in self.lines)
        if self.kind is CaseKind.REFUND_ONLY and self.reason_code is Reason.NOT_DELIVERED:
            liability = rules.ShippingLiability(Party.MERCHANT, Party.MERCHANT, "R2")
        shipping = rules.shipping_refund_fen(
            liability, return_leg_fee_fen=return_fee, outbound_fee_share_fen=outbound
        )
        goods_cap = sum(line.paid_fen for line in self.lines)
        cap = goods_cap + shipping
        total = cap if amount_fen is None else amount_fen
        if isinstance(total, bool) or not isinstance(total, int):
            raise InvalidInput("a refund is a whole number of fen", field="amount_fen")
        if total <= 0:
            raise InvalidInput(
                f"a refund must be positive, got {total} fen", field="amount_fen", rule="R3.a"
            )
        if total > cap:
            raise RefundExceedsPaid(
                f"a refund of {total} fen exceeds what was paid for the goods ({goods_cap} fen) "
                f"plus shipping owed under R2 ({shipping} fen)",
                field="amount_fen",
            )
        goods = min(total, goods_cap)
        ship_part = total - goods
        split = self._split(goods, ship_part)
        return RefundPlan(
            goods_fen=goods,
            shipping_fen=ship_part,
            total_fen=total,
            cap_fen=cap,
            split=split,
            return_leg_payer=liability.return_leg,
            outbound_leg_payer=liability.outbound_leg,
            currency=self.currency,
        )

    def _split(self, goods_fen: int, shipping_fen: int) -> tuple[Any, ...]:
        """Goods back to each line's tenders in proportion (R3.a); shipping back as money."""
        combined: dict[TenderKind, int] = {}
        for line in self.lines:
            # What these units were paid, spread over the line's tenders so it sums exactly.
            shares = allocate(line.paid_fen, [t.amount_fen for t in line.tenders])
            for tender, share in zip(line.tenders, shares, strict=True):
                combined[tender.kind] = combined.get(tender.kind, 0) + share
        tenders = tuple(Tender(kind, amount) for kind, amount in combined.items())
        parts = {p.kind: p.amount_fen for p in rules.split_refund(goods_fen, tenders)}
        if shipping_fen:
            money = [k for k in (TenderKind.CARD, TenderKind.WALLET) if k in parts]
            target = money[0] if money else TenderKind.WALLET
            parts[target] = parts.get(target, 0) + shipping_fen
        return tuple(TenderRefund(k, v) for k, v in parts.items() if v)

    def approve_refund(
        self,
        *,
        actor: Actor,
        at: datetime,
        calendar: WorkingCalendar,
        amount_fen: int | None = None,
        reason: str = "",
    ) -> RefundPlan:
        """R3: the platform approves the refund after review; the money is due within the
        policy's working days (3-7, PRC calendar). R3.a caps and splits it; R10 fixes it."""
        self._check_party(actor, Role.PLATFORM_AGENT, Role.SYSTEM, move="approve_refund")
        self._check_open("approve_refund")
        self._check_time(at)
        if self.refund is not None:
            raise IllegalTransition(
                f"case {self.case_no} already has an approved refund of "
                f"{self.refund.total_fen} fen; a case is refunded once",
                rule="R3.a",
            )
        if self.ruling is not None:
            if self.ruling.outcome is not RulingOutcome.REFUND:
                raise CaseRuledFinal("the ruling grants no refund")
            if amount_fen is not None and amount_fen != self.ruling.refund_fen:
                raise CaseRuledFinal(
                    f"the ruling fixed the refund at {self.ruling.refund_fen} fen; "
                    f"{amount_fen} fen would change it"
                )
            amount_fen = self.ruling.refund_fen
            allowed: tuple[Status, ...] = (Status.RULED, Status.RECEIVED, Status.AWAITING_REFUND)
            if self.ruling.return_required:
                allowed = (Status.RECEIVED, Status.AWAITING_REFUND)
            self._check_status("approve_refund", "R10", *allowed)
        else:
            self._check_status("approve_refund", "R3", Status.AWAITING_REFUND)
        plan = self.refund_plan(amount_fen)
        due = rules.refund_deadline(at, self.terms, calendar)
        authoritative = getattr(calendar, "is_authoritative", None)
        provisional = authoritative is not None and not all(
            authoritative(cst_date(d)) for d in (at, due)
        )
        nxt = (
            *self._keep(Clock.REFUND_APPROVAL),
            Deadline.of(Clock.REFUND_PAYMENT, due, provisional=provisional),
        )
        self._refund_approved(actor=actor, at=at, plan=plan, reason=reason.strip(), deadlines=nxt)
        return plan

    @event("RefundApproved")
    def _refund_approved(
        self, actor: Actor, at: datetime, plan: RefundPlan, reason: str, deadlines: Deadlines
    ) -> None:
        self.refund = plan
        self._set(at, deadlines, Status.REFUND_APPROVED)

    def record_refund_paid(self, *, actor: Actor, at: datetime, psp_reference: str) -> None:
        """R3: the payment provider confirmed the money reached the consumer; the case closes."""
        self._check_party(actor, Role.FINANCE, Role.SYSTEM, move="record_refund_paid")
        self._check_open("refund")
        self._check_time(at)
        if self.refund_paid:
            raise IllegalTransition(f"case {self.case_no} was refunded already", rule="R3.a")
        self._check_status("record_refund_paid", "R3", Status.REFUND_APPROVED, Status.REFUND_FAILED)
        self._check_ruled_compensation_granted()
        ref = _text(psp_reference, "psp_reference", "R3", "name the payment reference")
        assert self.refund is not None
        self._refund_paid(
            actor=actor,
            at=at,
            psp_reference=ref,
            amount_fen=self.refund.total_fen,
            reason="",
            deadlines=tuple(self._keep(Clock.REFUND_PAYMENT)),
        )
        self._close_now(actor, at, "refunded")

    @event("RefundPaid")
    def _refund_paid(
        self,
        actor: Actor,
        at: datetime,
        psp_reference: str,
        amount_fen: int,
        reason: str,
        deadlines: Deadlines,
    ) -> None:
        self.refund_paid = True
        self._set(at, deadlines)

    def record_refund_failed(self, *, actor: Actor, at: datetime, reason: str) -> None:
        """A payment attempt failed (card closed, wallet frozen ...); the R3 clock keeps running."""
        self._check_party(actor, Role.FINANCE, Role.SYSTEM, move="record_refund_failed")
        self._check_open("refund")
        self._check_time(at)
        self._check_status(
            "record_refund_failed", "R3", Status.REFUND_APPROVED, Status.REFUND_FAILED
        )
        why = _text(reason, "reason", "R3", "say why the payment failed")
        self._refund_failed(actor=actor, at=at, reason=why, deadlines=tuple(self._keep()))

    @event("RefundFailed")
    def _refund_failed(self, actor: Actor, at: datetime, reason: str, deadlines: Deadlines) -> None:
        self.refund_attempts += 1
        self._set(at, deadlines, Status.REFUND_FAILED)

    # ------------------------------------------------------------------ R14 compensation
    def grant_compensation(
        self, *, actor: Actor, at: datetime, amount_fen: int, reason: str
    ) -> None:
        """R14 repair plus compensation (维修+补偿), or a ruling's compensation (R10)."""
        self._check_party(actor, Role.MERCHANT, Role.PLATFORM_AGENT, move="grant_compensation")
        self._check_open("compensation")
        self._check_time(at)
        if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0:
            raise InvalidInput(
                "compensation is a positive number of fen", field="amount_fen", rule="R14"
            )
        if self.compensation_fen:
            raise IllegalTransition("compensation was granted already", rule="R14")
        if self.ruling is not None and amount_fen != self.ruling.compensation_fen:
            raise CaseRuledFinal(
                f"the ruling fixed compensation at {self.ruling.compensation_fen} fen"
            )
        if self.ruling is None and self.responsibility in (
            None,
            Responsibility.USER_DAMAGE,
            Responsibility.NO_FAULT,
        ):
            raise IllegalTransition(
                "compensation follows an inspection that found the merchant or carrier responsible",
                rule="R14",
            )
        why = _text(reason, "reason", "R14", "say what the compensation is for")
        self._compensation_granted(
            actor=actor, at=at, amount_fen=amount_fen, reason=why, deadlines=tuple(self._keep())
        )

    @event("CompensationGranted")
    def _compensation_granted(
        self, actor: Actor, at: datetime, amount_fen: int, reason: str, deadlines: Deadlines
    ) -> None:
        self.compensation_fen = amount_fen
        self._set(at, deadlines)

    def record_compensation_paid(self, *, actor: Actor, at: datetime, psp_reference: str) -> None:
        self._check_party(actor, Role.FINANCE, Role.SYSTEM, move="record_compensation_paid")
        self._check_time(at)
        if not self.compensation_fen:
            raise IllegalTransition("no compensation was granted", rule="R14")
        if self.compensation_paid:
            raise IllegalTransition("compensation was paid already", rule="R14")
        ref = _text(psp_reference, "psp_reference", "R14", "name the payment reference")
        self._compensation_paid(
            actor=actor,
            at=at,
            amount_fen=self.compensation_fen,
            psp_reference=ref,
            reason="",
            deadlines=tuple(self._keep()),
        )
        if self.ruling is not None and self.ruling.outcome is RulingOutcome.COMPENSATION:
            self._close_now(actor, at, "compensated")

    @event("CompensationPaid")
    def _compensation_paid(
        self,
        actor: Actor,
        at: datetime,
        amount_fen: int,
        psp_reference: str,
        reason: str,
        deadlines: Deadlines,
    ) -> None:
        self.compensation_paid = True
        self._set(at, deadlines)

    # ------------------------------------------------------------------ R9 complaints
    def file_complaint(self, *, actor: Actor, at: datetime, channel: Channel, reason: str) -> None:
        """R9: a complaint attached to this case (from either channel) starts the R9.a clocks."""
        self._check_party(actor, Role.CONSUMER, Role.PLATFORM_AGENT, move="file_complaint")
        self._check_time(at)
        if self.status is Status.WITHDRAWN:
            raise IllegalTransition("a withdrawn case takes no complaint", rule="R9")
        if self.complaint_open:
            raise IllegalTransition("a complaint on this case is already open", rule="R9")
        why = _text(reason, "reason", "R9", "a complaint says what went wrong")
        nxt = (
            *self._keep(),
            Deadline.of(Clock.PLATFORM_RESPONSE, add_hours(at, COMPLAINT_RESPONSE_HOURS)),
            Deadline.of(Clock.PLATFORM_OPINION, add_hours(at, COMPLAINT_OPINION_HOURS)),
        )
        self._complaint_filed(
            actor=actor, at=at, channel=Channel(channel), reason=why, deadlines=nxt
        )

    @event("ComplaintFiled")
    def _complaint_filed(
        self, actor: Actor, at: datetime, channel: Channel, reason: str, deadlines: Deadlines
    ) -> None:
        self.complaint_open = True
        self._set(at, deadlines)

    def respond_to_complaint(self, *, actor: Actor, at: datetime, reason: str) -> None:
        """R9.a: the platform responds within 24 hours."""
        self._check_party(actor, Role.PLATFORM_AGENT, move="respond_to_complaint")
        self._check_time(at)
        if not self.complaint_open or Clock.PLATFORM_RESPONSE not in self.deadlines:
            raise IllegalTransition("no complaint waits for a first response", rule="R9.a")
        why = _text(reason, "reason", "R9.a", "write the response")
        status = Status.COMPLAINT_ANSWERED if self.status is Status.COMPLAINT_OPEN else None
        self._complaint_responded(
            actor=actor,
            at=at,
            reason=why,
            status=status or self.status,
            deadlines=tuple(self._keep(Clock.PLATFORM_RESPONSE)),
        )

    @event("ComplaintResponded")
    def _complaint_responded(
        self, actor: Actor, at: datetime, reason: str, status: Status, deadlines: Deadlines
    ) -> None:
        self._set(at, deadlines, Status(status))

    def give_opinion(self, *, actor: Actor, at: datetime, opinion: str) -> None:
        """R9.a: the platform's handling opinion (处理意见) within 72 hours."""
        self._check_party(actor, Role.PLATFORM_AGENT, move="give_opinion")
        self._check_time(at)
        if not self.complaint_open:
            raise IllegalTransition("no complaint is open on this case", rule="R9.a")
        if Clock.PLATFORM_RESPONSE in self.deadlines:
            raise IllegalTransition(
                "respond to the complaint before giving an opinion", rule="R9.a"
            )
        why = _text(opinion, "opinion", "R9.a", "write the handling opinion")
        # R10: after a final ruling the opinion goes on the record but moves nothing.
        complaint_case = self.kind is CaseKind.COMPLAINT and self.ruling is None
        status = Status.OPINION_GIVEN if complaint_case else self.status
        self._opinion_given(
            actor=actor,
            at=at,
            reason=why,
            status=status,
            deadlines=tuple(self._keep(Clock.PLATFORM_OPINION, Clock.PLATFORM_RESPONSE)),
        )

    @event("OpinionGiven")
    def _opinion_given(
        self, actor: Actor, at: datetime, reason: str, status: Status, deadlines: Deadlines
    ) -> None:
        self.complaint_open = False
        self._set(at, deadlines, Status(status))

    # ------------------------------------------------------------------ R10 arbitration
    def escalate(self, *, actor: Actor, at: datetime, reason: str) -> None:
        """R10: when negotiation fails either party applies for third-party arbitration."""
        self._check_party(actor, Role.CONSUMER, Role.MERCHANT, move="escalate")
        self._check_open("escalate")
        self._check_time(at)
        if self.status in (Status.IN_ARBITRATION, Status.RULED):
            raise IllegalTransition("this case is already with arbitration", rule="R10")
        if self.status is Status.REQUESTED:
            raise IllegalTransition(
                "negotiation has not failed yet: the merchant has not answered (R12 deadline "
                f"{format_cst(self.deadlines[Clock.MERCHANT_DECISION].due_at)})"
                if Clock.MERCHANT_DECISION in self.deadlines
                else "negotiation has not failed yet",
                rule="R10",
            )
        why = _text(reason, "reason", "R10", "say why negotiation failed")
        self._escalated(actor=actor, at=at, reason=why, deadlines=tuple(self._keep()))

    @event("EscalatedToArbitration")
    def _escalated(self, actor: Actor, at: datetime, reason: str, deadlines: Deadlines) -> None:
        self.status_before_arbitration = self.status
        self.outcome = ""  # the earlier answer is contested now (R10)
        self._set(at, deadlines, Status.IN_ARBITRATION)

    def submit_evidence(
        self, *, actor: Actor, at: datetime, evidence: tuple[Evidence, ...], reason: str
    ) -> None:
        """R21: either side adds evidence; each item is recorded by its content hash."""
        self._check_party(
            actor, Role.CONSUMER, Role.MERCHANT, Role.PLATFORM_AGENT, move="submit_evidence"
        )
        self._check_time(at)
        if not evidence:
            raise InvalidInput("attach at least one item of evidence", field="evidence")
        if self.ruling is not None:  # R10: also while the ruling is being carried out
            raise CaseRuledFinal(
                f"case {self.case_no} was ruled by arbitration; the ruling is final and the "
                "record is closed to new evidence"
            )
        if self.status.is_terminal:
            raise IllegalTransition("the record of this case is closed to new evidence", rule="R21")
        self._evidence_submitted(
            actor=actor,
            at=at,
            evidence=tuple(evidence),
            reason=reason.strip(),
            deadlines=tuple(self._keep()),
        )

    @event("EvidenceSubmitted")
    def _evidence_submitted(
        self,
        actor: Actor,
        at: datetime,
        evidence: tuple[Evidence, ...],
        reason: str,
        deadlines: Deadlines,
    ) -> None:
        self.evidence.extend(evidence)
        self._set(at, deadlines)

    def rule(self, *, actor: Actor, at: datetime, ruling: Ruling, reasoning: str) -> None:
        """R10: the arbitrator's ruling is final."""
        self._check_party(actor, Role.ARBITRATOR, move="rule")
        self._check_time(at)
        if self.ruling is not None:
            raise CaseRuledFinal(f"case {self.case_no} was ruled already; the ruling is final")
        self._check_status("rule", "R10", Status.IN_ARBITRATION)
        why = _text(reasoning, "reasoning", "R10", "a ruling gives its reasoning")
        if ruling.refund_fen:
            if self.refund is not None:
                raise IllegalTransition("a refund was approved already", rule="R3.a")
            self.refund_plan(ruling.refund_fen)  # R3.a: the cap binds arbitration too
        self._ruled(actor=actor, at=at, ruling=ruling, reason=why, deadlines=())
        if ruling.outcome is RulingOutcome.DISMISSED:
            self._close_now(actor, at, "dismissed")

    @event("Ruled")
    def _ruled(
        self, actor: Actor, at: datetime, ruling: Ruling, reason: str, deadlines: Deadlines
    ) -> None:
        self.ruling = ruling
        self._set(at, deadlines, Status.RULED)

    # ------------------------------------------------------------------ timers (R12.a ...)
    def expire(self, *, clock: Clock, at: datetime) -> bool:
        """A deadline passed: record the breach (R12.a) and what policy says follows. Returns
        False (and records nothing) if that clock is not open, already breached, or not yet due."""
        clock = Clock(clock)
        deadline = self.deadlines.get(clock)
        if deadline is None or deadline.breached or at < deadline.due_at:
            return False
        self._check_time(at)
        system = Actor(Role.SYSTEM, "timer")
        marked = tuple(d.as_breached() if d.name is clock else d for d in self.deadlines.values())
        self._sla_breached(
            actor=system,
            at=at,
            clock=clock,
            due_at=deadline.due_at,
            rule=deadline.rule,
            party=deadline.party,
            reason=f"{deadline.rule}: {deadline.party.value} missed the deadline "
            f"{format_cst(deadline.due_at)}",
            deadlines=marked,
        )
        if self.ruling is not None and clock is not Clock.CONFIRM_RECEIPT:
            return True  # R10: only carrying the ruling out remains; receipt is part of that
        if (
            clock is Clock.MERCHANT_DECISION
            and self.is_no_reason
            and self.kind
            in (
                CaseKind.RETURN_REFUND,
                CaseKind.EXCHANGE,
            )
        ):
            self.accept(
                actor=system,
                at=at,
                reason="R12.a: merchant silent past the deadline "
                "is taken to agree (逾期未处理视为同意)",
            )
        elif clock is Clock.CONFIRM_RECEIPT:
            self.confirm_receipt(
                actor=system,
                at=at,
                reason="R3: receipt taken as confirmed after the merchant's 24-hour deadline",
            )
        elif clock is Clock.CONSUMER_SHIP and self.status is Status.AWAITING_RETURN:
            self._close_now(system, at, "not_shipped")
        elif clock in (Clock.MERCHANT_DECISION, Clock.PLATFORM_RESPONSE, Clock.REFUND_APPROVAL):
            queue = "platform" if clock is Clock.MERCHANT_DECISION else "platform_supervisor"
            self._routed(
                actor=system,
                at=at,
                queue=queue,
                classified_kind=self.kind,
                confidence_pct=100,
                reason=f"{deadline.rule}: escalated after the deadline passed",
                deadlines=tuple(self._keep()),
            )
        return True

    @event("SlaBreached")
    def _sla_breached(
        self,
        actor: Actor,
        at: datetime,
        clock: Clock,
        due_at: datetime,
        rule: str,
        party: Role,
        reason: str,
        deadlines: Deadlines,
    ) -> None:
        self.breaches.append(Clock(clock).value)
        self._set(at, deadlines)

    # ------------------------------------------------------------------ R20 triage, notes
    def route(
        self,
        *,
        actor: Actor,
        at: datetime,
        queue: str,
        classified_kind: CaseKind,
        confidence_pct: int,
        reason: str,
    ) -> None:
        """R20: automatic triage (or a person overriding it) routes the case to a queue."""
        self._check_party(actor, Role.SYSTEM, Role.PLATFORM_AGENT, move="route")
        self._check_open("note")
        self._check_time(at)
        if not 0 <= confidence_pct <= 100:
            raise InvalidInput("confidence is a percentage 0-100", field="confidence_pct")
        name = _text(queue, "queue", "R20", "name the queue")
        self._routed(
            actor=actor,
            at=at,
            queue=name,
            classified_kind=CaseKind(classified_kind),
            confidence_pct=confidence_pct,
            reason=reason.strip(),
            deadlines=tuple(self._keep()),
        )

    @event("Routed")
    def _routed(
        self,
        actor: Actor,
        at: datetime,
        queue: str,
        classified_kind: CaseKind,
        confidence_pct: int,
        reason: str,
        deadlines: Deadlines,
    ) -> None:
        self.queue = queue
        self._set(at, deadlines)

    def add_note(self, *, actor: Actor, at: datetime, text: str, internal: bool) -> None:
        """R21 / P4: a note on the record; ``internal`` notes are hidden from the consumer."""
        self._check_party(
            actor,
            Role.CONSUMER,
            Role.MERCHANT,
            Role.PLATFORM_AGENT,
            Role.ARBITRATOR,
            Role.FINANCE,
            move="add_note",
        )
        self._check_time(at)
        if internal and actor.role in (Role.CONSUMER, Role.SYSTEM):
            raise InvalidInput("only staff write internal notes", field="internal", rule="P4")
        body = _text(text, "text", "R21", "a note needs text")
        self._note_added(
            actor=actor, at=at, reason=body, internal=internal, deadlines=tuple(self._keep())
        )

    @event("NoteAdded")
    def _note_added(
        self, actor: Actor, at: datetime, reason: str, internal: bool, deadlines: Deadlines
    ) -> None:
        self._set(at, deadlines)

    # ------------------------------------------------------------------ ending
    def withdraw(self, *, actor: Actor, at: datetime, reason: str = "") -> None:
        """The consumer withdraws, before any refund is approved and before a ruling (R10)."""
        self._check_party(actor, Role.CONSUMER, move="withdraw")
        self._check_open("withdraw")
        self._check_time(at)
        if self.refund is not None:
            raise IllegalTransition(
                "a refund was approved: the case can no longer be withdrawn", rule="R3"
            )
        self._withdrawn(actor=actor, at=at, reason=reason.strip(), deadlines=())

    @event("Withdrawn")
    def _withdrawn(self, actor: Actor, at: datetime, reason: str, deadlines: Deadlines) -> None:
        self.outcome = "withdrawn"
        self.complaint_open = False
        self._set(at, deadlines, Status.WITHDRAWN)

    _CLOSABLE = frozenset(
        {Status.REJECTED, Status.INSPECTION_FAILED, Status.OPINION_GIVEN, Status.RULED}
    )

    def close(self, *, actor: Actor, at: datetime, reason: str) -> None:
        """Close a case whose answer was given and not contested (rejection accepted, opinion
        given, inspection failure accepted, a ruling carried out)."""
        self._check_party(
            actor, Role.CONSUMER, Role.PLATFORM_AGENT, Role.SYSTEM, Role.ARBITRATOR, move="close"
        )
        self._check_time(at)
        if self.status.is_terminal:
            raise IllegalTransition(
                f"case {self.case_no} is already {self.status.value}", rule="R21"
            )
        if self.ruling is not None and self._ruling_pending():
            raise CaseRuledFinal("the ruling has not been carried out yet")
        self._check_status("close", "R21", *sorted(self._CLOSABLE, key=lambda s: s.value))
        why = _text(reason, "reason", "R21", "say why the case closes")
        self._close_now(actor, at, self.outcome or "closed", why)

    def _ruling_pending(self) -> bool:
        assert self.ruling is not None
        if self.ruling.outcome in (RulingOutcome.EXCHANGE, RulingOutcome.REPAIR):
            return True  # carrying these out (ship_exchange, complete_repair) closes the case
        if self.ruling.refund_fen and not self.refund_paid:
            return True
        return bool(self.ruling.compensation_fen and not self.compensation_paid)

    def _close_now(self, actor: Actor, at: datetime, outcome: str, reason: str = "") -> None:
        self._closed(actor=actor, at=at, outcome=outcome, reason=reason or outcome, deadlines=())

    @event("Closed")
    def _closed(
        self, actor: Actor, at: datetime, outcome: str, reason: str, deadlines: Deadlines
    ) -> None:
        self.outcome = outcome
        self.complaint_open = False
        self._set(at, deadlines, Status.CLOSED)

    def rate(self, *, actor: Actor, at: datetime, score: int, comment: str = "") -> None:
        """R18: the consumer rates a closed case once, 1-5."""
        self._check_party(actor, Role.CONSUMER, move="rate")
        self._check_time(at)
        if self.status is not Status.CLOSED:
            raise RatingNotAllowed(
                f"case {self.case_no} is {self.status.value}; rate it once it is closed"
            )
        if self.rating is not None:
            raise RatingNotAllowed(f"case {self.case_no} was rated already ({self.rating}/5)")
        if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
            raise InvalidInput("a rating is a whole number from 1 to 5", field="score", rule="R18")
        self._rated(actor=actor, at=at, score=score, reason=comment.strip(), deadlines=())

    @event("Rated")
    def _rated(
        self, actor: Actor, at: datetime, score: int, reason: str, deadlines: Deadlines
    ) -> None:
        self.rating = score
        self.updated_at = at

    @property
    def refund_bearing(self) -> bool:
        return self.kind in (CaseKind.RETURN_REFUND, CaseKind.REFUND_ONLY)
