"""Issue 10: a hypothesis state machine over the service (``AfterSales.perform`` and the timers)
with a controlled clock. Its rules are every declared move for every role (and two strangers),
on any of the order's cases, plus "open another case on the order", "advance the clock" and "run
the timers" (as the deadline worker does, until nothing more is due). After every step:

- each case is in a state the declaration names for its kind (``domain.process.STATES``);
- each open state has an owner and its declared clock running, and that deadline is the policy
  clock's (``domain.process.clocks.CLOCKS``) from the step that started it;
- ``allowed_moves`` offers only moves that succeed (one offered move, tried on a copy, succeeds
  with some valid input) and every move it does not offer is refused by the service with a named
  error, storing nothing;
- refunds never exceed what was paid (R3.a): per case its cap, per order its goods, shipping and
  return fees, each line claimed at most its quantity, each refund paid at most once;
- each case's hash chain verifies; at the end the whole store does (``verify_store``).

The rule "make a move" itself checks that an offered move succeeds through the service with one
of ``process_walk.candidates`` and that a repeat of its request id replays the stored result.
Used by ``tests/unit/test_stateful_service.py`` (the "ci"/"dev" profiles) and
``bench/stateful_long.py`` (the "long" profile)."""

from __future__ import annotations

import copy
from collections import Counter
from datetime import datetime, timedelta
from typing import Any, ClassVar

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from domain.calendar import end_of_natural_days
from domain.case import Case
from domain.deadlines import CLOCK_PARTY, Clock
from domain.errors import DomainError
from domain.lines import Tender
from domain.process import MOVES, Move
from domain.process.clocks import CLOCKS
from domain.process.states import STATES, state_of
from domain.service import AfterSales, LineRequest, Result
from domain.values import Actor, CaseKind, Reason, Role, TenderKind

from .builders import (
    CONSUMER,
    OTHER_CONSUMER,
    OTHER_MERCHANT,
    PRC,
    FakeClock,
    Shop,
    cst,
    memory_app,
    order_line,
    seed,
)
from .process_walk import OPENINGS, candidates

MAX_CASES = 3
# Two lines, the second paid by card and wallet (R3.a split), and an outbound shipping fee (R2).
LINES = (
    order_line(1, paid_fen=100_00),
    order_line(
        2,
        category="apparel",
        quantity=2,
        paid_fen=59_90,
        tenders=(
            Tender(TenderKind.CARD, 40_00),
            Tender(TenderKind.WALLET, 19_90),
        ),
    ),
)
SHIPPING_FEE_FEN = 12_00
START = cst(2026, 9, 24, 9)
STEPS = (
    timedelta(minutes=1),
    timedelta(hours=1),
    timedelta(hours=5),
    timedelta(days=1),
    timedelta(days=3),
    timedelta(days=8),
    timedelta(days=16),
)
ROLE_CHOICES: tuple[Role | str, ...] = (*Role, "other_consumer", "other_merchant")


class Tally:
    """What a run did, for the long script's report."""

    sequences = 0
    steps = 0
    moves: ClassVar[Counter[str]] = Counter()
    refusals: ClassVar[Counter[str]] = Counter()
    fired = 0
    states: ClassVar[Counter[str]] = Counter()


def _inputs(case: Case, move: Move, at: datetime) -> list[dict[str, Any]]:
    """``process_walk.candidates`` as the service takes them (it adds the calendar itself)."""
    return [{k: v for k, v in c.items() if k != "calendar"} for c in candidates(case, move, at)]


class CaseMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.clock = FakeClock()
        self.app: AfterSales = memory_app(self.clock)
        self.shop: Shop = seed(self.app, self.clock, lines=LINES, shipping_fee_fen=SHIPPING_FEE_FEN)
        self.clock.now = START
        self.cases: list[str] = []
        self.counter = 0
        self.probe = 0
        Tally.sequences += 1

    # ------------------------------------------------------------------ helpers
    def rid(self, what: str) -> str:
        self.counter += 1
        return f"sm-{what}-{self.counter}"

    def actor_for(self, case: Case, role: Role | str) -> Actor:
        if role == "other_consumer":
            return OTHER_CONSUMER
        if role == "other_merchant":
            return OTHER_MERCHANT
        return case.role_actor(Role(role))

    def perform_any(
        self, case: Case, move: Move, actor: Actor
    ) -> tuple[Result | None, list[DomainError], dict[str, Any]]:
        """Try the move through the service with each candidate input until one succeeds."""
        errors: list[DomainError] = []
        for inputs in _inputs(case, move, self.clock.now):
            request_id = self.rid(move.value)
            try:
                result = self.app.perform(
                    move, request_id=request_id, actor=actor, case_no=case.case_no, **inputs
                )
            except DomainError as error:
                errors.append(error)
                continue
            return result, errors, {"request_id": request_id, **inputs}
        return None, errors, {}

    def _open(self, kind: CaseKind, reason: Reason, line_no: int, quantity: int) -> None:
        lines = () if kind is CaseKind.COMPLAINT else (LineRequest(line_no, quantity),)
        try:
            result = self.app.open_case(
                request_id=self.rid("open"),
                actor=CONSUMER,
                order_no="O1",
                kind=kind,
                reason_code=reason,
                lines=lines,
                description="it broke, 坏了",
            )
        except DomainError as error:
            Tally.refusals[f"open:{type(error).__name__}:{error.rule}"] += 1
            assert error.rule, error
            return
        self.cases.append(result.key)

    # ------------------------------------------------------------------ rules
    @initialize(opening=st.sampled_from(OPENINGS), line_no=st.sampled_from((1, 2)))
    def open_first(self, opening: tuple[CaseKind, Reason], line_no: int) -> None:
        self._open(*opening, line_no, 1)
        assert self.cases, "the first case opens on a fresh, delivered order"

    @precondition(lambda self: len(self.cases) < MAX_CASES)
    @rule(
        opening=st.sampled_from(OPENINGS),
        line_no=st.sampled_from((1, 2)),
        quantity=st.sampled_from((1, 2)),
    )
    def open_another(self, opening: tuple[CaseKind, Reason], line_no: int, quantity: int) -> None:
        self._open(*opening, line_no, quantity)

    @rule(
        which=st.integers(0, MAX_CASES - 1),
        role=st.sampled_from(ROLE_CHOICES),
        move=st.sampled_from(list(Move)),
    )
    def make_move(self, which: int, role: Role | str, move: Move) -> None:
        case = self.app.get_case(self.cases[which % len(self.cases)])
        self._move(case, self.actor_for(case, role), move)

    @rule(which=st.integers(0, MAX_CASES - 1), role=st.sampled_from(Role), pick=st.integers(0, 30))
    def make_an_offered_move(self, which: int, role: Role, pick: int) -> None:
        """One of the moves ``allowed_moves`` offers (most random moves are refused: this one
        walks cases deep into their process)."""
        case = self.app.get_case(self.cases[which % len(self.cases)])
        actor = case.role_actor(role)
        offered = case.allowed_moves(actor, self.clock.now)
        if offered:
            self._move(case, actor, offered[pick % len(offered)])

    def _move(self, case: Case, actor: Actor, move: Move) -> None:
        case_no = case.case_no
        offered = move in case.allowed_moves(actor, self.clock.now)
        before = self.shop.stored()
        result, errors, used = self.perform_any(case, move, actor)
        Tally.steps += 1
        if offered:
            assert result is not None, (
                f"{move.value} offered to {actor.role.value} in "
                f"{case.kind.value}/{case.status.value} but refused: {errors}"
            )
            Tally.moves[move.value] += 1
            stored = self.shop.stored()
            again = self.app.perform(move, actor=actor, case_no=case_no, **used)
            assert not again.changed and again.version == result.version, "a repeat replays"
            assert self.shop.stored() == stored, "a repeated request id stores nothing"
        else:
            assert result is None, (
                f"{move.value} not offered to {actor.role.value} in "
                f"{case.kind.value}/{case.status.value} but the service made it"
            )
            self._named_refusals(errors)
            assert self.shop.stored() == before, "a refused move stores nothing"

    @rule(step=st.sampled_from(STEPS))
    def advance_clock(self, step: timedelta) -> None:
        self.clock.advance(seconds=step.total_seconds())

    @rule()
    def advance_to_next_deadline(self) -> None:
        dues = [
            d.due_at
            for no in self.cases
            for d in self.app.get_case(no).deadlines.values()
            if not d.breached
        ]
        if dues:
            self.clock.now = max(self.clock.now, min(dues))

    @rule()
    def run_timers(self) -> None:
        """As ``projections.timers.TimerWorker`` does, run after run, until nothing is due."""
        for _run in range(30):
            due = sorted(
                (d.due_at, no, d.name)
                for no in self.cases
                for d in self.app.get_case(no).deadlines.values()
                if not d.breached and d.due_at <= self.clock.now
            )
            if not due:
                return
            fired = 0
            for _, no, clock in due:
                result = self.app.expire(case_no=no, clock=clock)
                fired += bool(result.changed and result.detail.get("fired"))
            Tally.fired += fired
            assert fired, f"due clocks that never fire: {due}"
        raise AssertionError("the timers keep finding due clocks after 30 runs: a loop")

    # ------------------------------------------------------------------ invariants
    @invariant()
    def every_case_is_in_a_declared_state_with_owner_and_deadline(self) -> None:
        for no in self.cases:
            case = self.app.get_case(no)
            Tally.states[f"{case.kind.value}/{case.status.value}"] += 1
            assert (case.kind, case.status) in STATES, f"{no}: undeclared {case.status}"
            if case.status.is_terminal:
                continue
            spec = state_of(case.kind, case.phase)
            assert spec is not None and spec.owner is not None, f"{no}: {case.phase} unowned"
            assert spec.clock is not None and spec.clock in case.deadlines, (
                f"{case.kind.value}/{case.phase.value}: its clock {spec.clock} is not running "
                f"(deadlines {sorted(case.deadlines)})"
            )
            deadline = case.deadlines[spec.clock]
            assert deadline.party is CLOCK_PARTY[spec.clock]
            self._deadline_follows_policy(case, spec.clock)

    def _deadline_follows_policy(self, case: Case, clock: Clock) -> None:
        """The deadline is the policy clock's from the step that set it (clocks.py)."""
        deadline = case.deadlines[clock]
        start: datetime | None = None
        statutory: datetime | None = None
        expected_delivery: datetime | None = None
        for event in self.app.events.get(case.id):
            for d in getattr(event, "deadlines", ()) or ():
                if d.name is clock and d.due_at == deadline.due_at and start is None:
                    start = event.at
                    statutory = getattr(event, "statutory_due_at", None)
                    expected_delivery = getattr(event, "expected_delivery_at", None)
            if start is not None:
                break
        assert start is not None, f"{case.case_no}: no step set {clock} due {deadline.due_at}"
        policy = CLOCKS[clock].due(start, case.terms, PRC, case.kind)
        allowed = {policy}
        if clock is Clock.REFUND_PAYMENT and statutory is not None:
            allowed = {min(policy, statutory)}  # R3: never after the statutory end
        if clock is Clock.RETURN_DELIVERY and expected_delivery is not None:
            allowed.add(end_of_natural_days(expected_delivery, 0))  # R25: the carrier's estimate
        assert deadline.due_at in allowed, (
            f"{case.case_no} {case.kind.value}/{case.phase.value}: {clock.value} due "
            f"{deadline.due_at}, policy gives {sorted(allowed)} from {start}"
        )

    @invariant()
    def allowed_moves_are_exactly_what_succeeds(self) -> None:
        """For one case and one role a step (turn by turn through every case and role): one
        offered move succeeds (on a copy) with some valid input; one move not offered is refused
        by the service with a named error and stores nothing."""
        from .process_walk import succeeds

        self.probe += 1
        turn, moves = self.probe, list(MOVES)
        case = self.app.get_case(self.cases[turn % len(self.cases)])
        actor = self.actor_for(case, ROLE_CHOICES[turn // len(self.cases) % len(ROLE_CHOICES)])
        offered = case.allowed_moves(actor, self.clock.now)
        if offered:
            move = offered[turn % len(offered)]
            assert succeeds(copy.deepcopy(case), move, actor, self.clock.now) is not None, (
                f"{move.value} offered to {actor.role.value} in "
                f"{case.kind.value}/{case.status.value} fails with every valid input"
            )
        refused = [m for m in moves if m not in offered]
        move = refused[turn % len(refused)]
        before = self.shop.stored()
        result, errors, _ = self.perform_any(case, move, actor)
        assert result is None, (
            f"{move.value} not offered to {actor.role.value} in "
            f"{case.kind.value}/{case.status.value}, but the service made it"
        )
        self._named_refusals(errors)
        assert self.shop.stored() == before

    @invariant()
    def refunds_never_exceed_what_was_paid(self) -> None:
        order = self.app.get_order("O1")
        goods = fees = total = 0
        for no in self.cases:
            case = self.app.get_case(no)
            refund = case.refund
            paid_events = sum(
                type(e).__name__ == "RefundPaid" for e in self.app.events.get(case.id)
            )
            assert paid_events <= 1, f"{no}: refund paid {paid_events} times (R3.a)"
            if refund is None:
                assert not paid_events
                continue
            lines_paid = sum(line.paid_fen for line in case.lines)
            outbound = sum(line.outbound_share_fen for line in case.lines)
            return_fee = case.return_shipment.fee_fen if case.return_shipment else 0
            assert 0 < refund.total_fen <= refund.cap_fen, refund
            assert refund.goods_fen <= lines_paid, f"{no}: goods {refund.goods_fen} > {lines_paid}"
            assert refund.shipping_fen <= outbound + return_fee, refund
            assert refund.goods_fen + refund.shipping_fen == refund.total_fen
            assert sum(s.amount_fen for s in refund.split) == refund.total_fen, refund.split
            goods += refund.goods_fen
            fees += return_fee
            total += refund.total_fen
        assert goods <= order.goods_total_fen, f"goods refunded {goods} > paid"
        assert total <= order.goods_total_fen + order.shipping_fee_fen + fees
        for line in order.lines:
            assert order.claimed_quantity(line.line_no) <= line.quantity, order.claims

    @invariant()
    def every_chain_verifies(self) -> None:
        for no in self.cases:
            report = self.app.verify(no)[0]
            assert report.ok, report

    def teardown(self) -> None:
        report = self.app.verify_store()
        assert report.ok, (report.problems, report.broken_chains)

    @staticmethod
    def _named_refusals(errors: list[DomainError]) -> None:
        assert errors, "a refusal is an error"
        for error in errors:
            Tally.refusals[f"{type(error).__name__}:{error.rule}"] += 1
            assert type(error) is not DomainError, f"unnamed refusal: {error!r}"
            assert error.rule and str(error).startswith(f"[{error.rule}] "), error
