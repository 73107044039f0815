"""Given / when / then for the Case aggregate, and a small seeded AfterSales for service tests.

    case = given(kind=CaseKind.RETURN_REFUND, reason=Reason.NO_REASON).did(accept(), ship_return())
    case.when(approve_refund()).then_events("RefundApproved")
    case.when(approve_refund()).then_error(IllegalTransition, rule="R3.a")

``given`` opens a case on a policy (``terms``) and an order (``lines``, ``placed_at``,
``delivered_at``); ``did`` makes earlier moves (their events are the history, then set aside);
``when`` makes one more and records the events it raised or the ``DomainError`` it refused with.
Each move happens ``STEP`` after the previous one unless ``at(...)`` / ``later(...)`` moves time.
Moves are plain functions ``(case, at) -> anything``; the ones below are the common ones.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest

from domain.calendar import CST, PrcCalendar
from domain.case import Case
from domain.case_values import CaseLine, Evidence, Ruling, RulingOutcome, Shipment
from domain.deadlines import Clock
from domain.errors import DomainError
from domain.lines import OrderLine, Tender
from domain.service import AfterSales, LineRequest, Result
from domain.terms import Exclusion, PolicyTerms
from domain.values import (
    Actor,
    CaseKind,
    Channel,
    ExclusionKind,
    Reason,
    Responsibility,
    Role,
    TenderKind,
)

US = timedelta(microseconds=1)
STEP = timedelta(minutes=1)
PRC = PrcCalendar()

CONSUMER = Actor(Role.CONSUMER, "c1")
OTHER_CONSUMER = Actor(Role.CONSUMER, "c2")
MERCHANT = Actor(Role.MERCHANT, "m1-staff", merchant_id="m1")
OTHER_MERCHANT = Actor(Role.MERCHANT, "m2-staff", merchant_id="m2")
AGENT = Actor(Role.PLATFORM_AGENT, "agent1")
ARBITRATOR = Actor(Role.ARBITRATOR, "arb1")
FINANCE = Actor(Role.FINANCE, "fin1")
SYSTEM = Actor(Role.SYSTEM, "platform")


def cst(y: int, m: int, d: int, h: int = 0, mi: int = 0, s: int = 0, us: int = 0) -> datetime:
    return datetime(y, m, d, h, mi, s, us, tzinfo=CST)


TERMS = PolicyTerms(
    categories=("phones", "apparel", "fresh", "custom", "cosmetics", "underwear"),
    exclusions=(
        Exclusion("fresh", ExclusionKind.FRESH, "perishable food cannot be resold"),
        Exclusion("custom", ExclusionKind.CUSTOM, "made to the buyer's measure"),
        Exclusion("cosmetics", ExclusionKind.CONSUMABLE, "opened samples cannot be resold"),
        Exclusion("underwear", ExclusionKind.HYGIENE, "hygiene, confirmed at purchase"),
    ),
    warranty_parts=("battery",),
)

PUBLISHED = cst(2026, 9, 1, 9)
PLACED = cst(2026, 9, 20, 10)
DELIVERED = cst(2026, 9, 22, 15)
OPENED = cst(2026, 9, 24, 9)

PHOTO = Evidence("a" * 64, "photo.jpg", "image/jpeg", 1024)


def order_line(
    line_no: int = 1,
    *,
    category: str = "phones",
    quantity: int = 1,
    paid_fen: int = 100_00,
    tenders: Sequence[Tender] | None = None,
    confirmed: bool = False,
) -> OrderLine:
    return OrderLine(
        line_no=line_no,
        sku=f"SKU-{line_no}",
        title=f"item {line_no}",
        category=category,
        quantity=quantity,
        paid_fen=paid_fen,
        tenders=tuple(tenders) if tenders is not None else (Tender(TenderKind.CARD, paid_fen),),
        non_returnable_confirmed=confirmed,
    )


def open_case(
    kind: CaseKind = CaseKind.RETURN_REFUND,
    reason: Reason = Reason.NO_REASON,
    *,
    at: datetime = OPENED,
    terms: PolicyTerms = TERMS,
    lines: Sequence[OrderLine] = (order_line(),),
    outbound_fen: int = 0,
    placed_at: datetime = PLACED,
    delivered_at: datetime | None = DELIVERED,
    actor: Actor = CONSUMER,
    first_application: bool = True,
    component: str = "unit",
    description: str = "changed my mind",
    evidence: Sequence[Evidence] = (),
    prior_returns: int = 0,
    bought_again: bool = False,
    channel: Channel = Channel.PLATFORM,
    case_no: str = "AS1",
    opened: bool = False,
) -> Case:
    """``Case.open`` with every fact defaulted: one phone line, delivered, a first application.
    ``opened``: the consumer says every line was opened (R1.a)."""
    case_lines = tuple(CaseLine.of(ln, ln.quantity, outbound_fen, opened=opened) for ln in lines)
    return Case.open(
        case_no=case_no,
        kind=kind,
        reason_code=reason,
        description=description,
        evidence=tuple(evidence),
        order_id=Case.create_id("order-" + case_no),
        order_no="O1",
        consumer_id=CONSUMER.id,
        merchant_id="m1",
        placed_at=placed_at,
        delivered_at=delivered_at,
        lines=case_lines if kind is not CaseKind.COMPLAINT else (),
        policy_version=1,
        terms=terms,
        prior_returns_to_merchant=prior_returns,
        bought_again_since_first_return=bought_again,
        first_application=first_application,
        channel=channel,
        component=component,
        actor=actor,
        at=at,
        eligibility_lines=tuple(lines) if kind is not CaseKind.COMPLAINT else (),
    )


def event_names(case: Case) -> list[str]:
    return [type(e).__name__ for e in case.pending_events]


Move = Callable[[Case, datetime], Any]


@dataclass
class Then:
    case: Case
    events: list[str]
    error: DomainError | None
    result: Any = None

    def then_events(self, *names: str) -> Case:
        if self.error is not None:
            raise AssertionError(f"expected {names}, the move was refused: {self.error}")
        assert self.events == list(names)
        return self.case

    def then_error(
        self, error: type[DomainError], *, rule: str, match: str | None = None
    ) -> DomainError:
        assert self.error is not None, f"expected {error.__name__}, got events {self.events}"
        assert isinstance(self.error, error), f"{type(self.error).__name__}: {self.error}"
        assert self.error.rule == rule, str(self.error)
        assert str(self.error).startswith(f"[{rule}] ")
        if match is not None:
            assert match in str(self.error), str(self.error)
        assert self.events == [], "a refused move records nothing"
        return self.error


@dataclass
class Given:
    case: Case
    now: datetime
    history: list[str] = field(default_factory=list)

    def at(self, when: datetime) -> Given:
        self.now = when
        return self

    def later(self, **delta: float) -> Given:
        self.now += timedelta(**delta)
        return self

    def did(self, *moves: Move) -> Given:
        for move in moves:
            self.now += STEP
            move(self.case, self.now)
            self.history += [type(e).__name__ for e in self.case.collect_events()]
        return self

    def when(self, move: Move, *, at: datetime | None = None) -> Then:
        when = at if at is not None else self.now + STEP
        try:
            result = move(self.case, when)
        except DomainError as error:
            names = event_names(self.case)
            self.case.collect_events()
            return Then(self.case, names, error)
        self.now = when
        names = [type(e).__name__ for e in self.case.collect_events()]
        self.history += names
        return Then(self.case, names, None, result)


def given(
    kind: CaseKind = CaseKind.RETURN_REFUND, reason: Reason = Reason.NO_REASON, **facts: Any
) -> Given:
    case = open_case(kind, reason, **facts)
    return Given(case, facts.get("at", OPENED), [type(e).__name__ for e in case.collect_events()])


# ----------------------------------------------------------------------------- common moves
def accept(actor: Actor = MERCHANT) -> Move:
    return lambda c, at: c.accept(actor=actor, at=at)


def reject(reason: str = "the seal is broken", actor: Actor = MERCHANT) -> Move:
    return lambda c, at: c.reject(actor=actor, at=at, reason=reason)


def ship_return(fee_fen: int = 0, actor: Actor = CONSUMER) -> Move:
    shipment = Shipment("SF Express", "SF1001", fee_fen)
    return lambda c, at: c.ship_return(actor=actor, at=at, shipment=shipment)


def return_delivered(actor: Actor = SYSTEM) -> Move:
    return lambda c, at: c.record_return_delivered(actor=actor, at=at, delivered_at=at)


def confirm_receipt(actor: Actor = MERCHANT) -> Move:
    return lambda c, at: c.confirm_receipt(actor=actor, at=at)


def inspect(
    responsibility: Responsibility = Responsibility.NO_FAULT,
    actor: Actor = MERCHANT,
    evidence: Sequence[Evidence] = (),
    on_site: bool = False,
) -> Move:
    return lambda c, at: c.inspect(
        actor=actor,
        at=at,
        responsibility=responsibility,
        findings="inspected",
        evidence=tuple(evidence),
        on_site=on_site,
    )


def approve_refund(amount_fen: int | None = None, actor: Actor = AGENT) -> Move:
    return lambda c, at: c.approve_refund(actor=actor, at=at, calendar=PRC, amount_fen=amount_fen)


def refund_paid(actor: Actor = FINANCE) -> Move:
    return lambda c, at: c.record_refund_paid(actor=actor, at=at, psp_reference="PSP-1")


def quote(fee_fen: int | None, actor: Actor = MERCHANT) -> Move:
    return lambda c, at: c.quote_repair(actor=actor, at=at, fee_fen=fee_fen)


def answer_quote(accepted: bool, actor: Actor = CONSUMER) -> Move:
    return lambda c, at: c.answer_quote(actor=actor, at=at, accepted=accepted)


def complete_repair(actor: Actor = MERCHANT) -> Move:
    shipment = Shipment("SF Express", "SF2002")
    return lambda c, at: c.complete_repair(actor=actor, at=at, notes="done", shipment=shipment)


def ship_exchange(actor: Actor = MERCHANT) -> Move:
    shipment = Shipment("SF Express", "SF3003")
    return lambda c, at: c.ship_exchange(actor=actor, at=at, shipment=shipment)


def confirm_goods(actor: Actor = CONSUMER) -> Move:
    """R7/R8 reading: the consumer confirms the goods sent back to her arrived."""
    return lambda c, at: c.confirm_goods_received(actor=actor, at=at)


def ship_back(actor: Actor = MERCHANT) -> Move:
    shipment = Shipment("SF Express", "SF4004")
    return lambda c, at: c.ship_back(actor=actor, at=at, shipment=shipment)


def file_complaint(actor: Actor = CONSUMER, channel: Channel = Channel.STORE) -> Move:
    return lambda c, at: c.file_complaint(
        actor=actor, at=at, channel=channel, reason="nobody answers"
    )


def respond(actor: Actor = AGENT) -> Move:
    return lambda c, at: c.respond_to_complaint(actor=actor, at=at, reason="we are on it")


def opinion(actor: Actor = AGENT) -> Move:
    return lambda c, at: c.give_opinion(actor=actor, at=at, opinion="merchant to refund")


def escalate(actor: Actor = CONSUMER) -> Move:
    return lambda c, at: c.escalate(actor=actor, at=at, reason="negotiation failed")


def submit_evidence(actor: Actor = CONSUMER) -> Move:
    return lambda c, at: c.submit_evidence(
        actor=actor, at=at, evidence=(PHOTO,), reason="photo of the damage"
    )


def rule(ruling: Ruling, actor: Actor = ARBITRATOR) -> Move:
    return lambda c, at: c.rule(actor=actor, at=at, ruling=ruling, reasoning="on the evidence")


def grant_compensation(amount_fen: int, actor: Actor = MERCHANT) -> Move:
    return lambda c, at: c.grant_compensation(
        actor=actor, at=at, amount_fen=amount_fen, reason="for the trouble"
    )


def compensation_paid(actor: Actor = FINANCE) -> Move:
    return lambda c, at: c.record_compensation_paid(actor=actor, at=at, psp_reference="PSP-9")


def withdraw(actor: Actor = CONSUMER) -> Move:
    return lambda c, at: c.withdraw(actor=actor, at=at, reason="sorted it out")


def close(actor: Actor = AGENT) -> Move:
    return lambda c, at: c.close(actor=actor, at=at, reason="answer given")


def rate(score: int = 5, actor: Actor = CONSUMER) -> Move:
    return lambda c, at: c.rate(actor=actor, at=at, score=score)


def note(actor: Actor = CONSUMER, internal: bool = False) -> Move:
    return lambda c, at: c.add_note(actor=actor, at=at, text="a note", internal=internal)


def expire(clock: Clock) -> Move:
    return lambda c, at: c.expire(clock=clock, at=at)


REFUND_RULING = Ruling(RulingOutcome.REFUND, refund_fen=60_00)

# Histories that reach a state, for the moves under test.
RECEIVED = (accept(), ship_return(), return_delivered(), confirm_receipt())
AWAITING_REFUND = (*RECEIVED, inspect())
REFUND_APPROVED = (*AWAITING_REFUND, approve_refund())
IN_ARBITRATION = (reject(), escalate())


# ----------------------------------------------------------------------------- the service
class FakeClock:
    """A settable clock for AfterSales: ``clock.now = ...`` or ``clock.advance(hours=2)``."""

    def __init__(self, now: datetime = PUBLISHED) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


def memory_app(clock: FakeClock) -> AfterSales:
    """An AfterSales on the in-memory store (fast; the same code as on SQLite / PostgreSQL)."""
    return AfterSales(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=clock)


@dataclass
class Shop:
    """A seeded service: merchant m1's policy, order O1 of consumer c1, signed for."""

    app: AfterSales
    clock: FakeClock
    order_no: str = "O1"
    counter: int = 0

    def rid(self, prefix: str = "r") -> str:
        self.counter += 1
        return f"{prefix}-{self.counter}"

    def stored(self) -> int:
        return int(self.app.recorder.max_notification_id() or 0)

    def open(
        self,
        kind: CaseKind | str = CaseKind.RETURN_REFUND,
        reason: Reason | str = Reason.NO_REASON,
        *,
        lines: Sequence[LineRequest] = (LineRequest(1, 1),),
        order_no: str | None = None,
        actor: Actor = CONSUMER,
        **more: Any,
    ) -> str:
        result = self.app.open_case(
            request_id=self.rid("open"),
            actor=actor,
            order_no=order_no or self.order_no,
            kind=kind,
            reason_code=reason,
            lines=lines,
            description=more.pop("description", "changed my mind"),
            **more,
        )
        return result.key

    def do(self, command: str, case_no: str, actor: Actor, **kwargs: Any) -> Result:
        method = getattr(self.app, command)
        result: Result = method(
            request_id=self.rid(command), actor=actor, case_no=case_no, **kwargs
        )
        return result


def seed(
    app: AfterSales,
    clock: FakeClock,
    *,
    terms: PolicyTerms = TERMS,
    lines: Sequence[OrderLine] = (order_line(),),
    order_no: str = "O1",
    placed_at: datetime = PLACED,
    delivered_at: datetime | None = DELIVERED,
    shipping_fee_fen: int = 0,
    publish: bool = True,
) -> Shop:
    """Publish m1's policy at ``PUBLISHED``, record the order, and its delivery if given."""
    if publish:
        clock.now = min(clock.now, PUBLISHED)
        app.publish_policy(request_id="policy-1", actor=SYSTEM, merchant_id="m1", terms=terms)
    clock.now = max(clock.now, placed_at)
    app.record_order(
        request_id=f"order-{order_no}",
        actor=SYSTEM,
        order_no=order_no,
        consumer_id=CONSUMER.id,
        merchant_id="m1",
        placed_at=placed_at,
        lines=tuple(lines),
        shipping_fee_fen=shipping_fee_fen,
    )
    if delivered_at is not None:
        clock.now = max(clock.now, delivered_at)
        app.record_delivery(
            request_id=f"delivery-{order_no}",
            actor=SYSTEM,
            order_no=order_no,
            signed_at=delivered_at,
        )
    return Shop(app, clock, order_no)


def raises_nothing_stored(shop: Shop, error: type[DomainError], call: Callable[[], Any]) -> Any:
    """``call`` is refused with ``error`` and the store holds not one event more."""
    before = shop.stored()
    with pytest.raises(error) as info:
        call()
    assert shop.stored() == before, "a refused command stores nothing"
    return info.value
