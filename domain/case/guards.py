"""The state of a case and the guards every move passes, read from the process declaration
(``domain.process``): who may move (role and party, R12.a stand-ins), on which kinds, from which
states, and what a final ruling leaves (R10). ``allowed_moves`` answers from the same guards, so a
move is offered exactly when it would be accepted with some valid input."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from domain.calendar import PrcCalendar, WorkingCalendar, format_cst
from domain.case.events import Allowed, CaseEvent
from domain.case_values import (
    CaseLine,
    Evidence,
    RefundPlan,
    Ruling,
    RulingOutcome,
    Shipment,
    Status,
)
from domain.deadlines import Clock, Deadline
from domain.errors import CaseRuledFinal, DomainError, IllegalTransition, InvalidInput, NotFound
from domain.process.clocks import CLOCKS
from domain.process.declaration import CARRY_OUT, MOVES
from domain.process.moves import Move, MoveSpec
from domain.process.states import state_of
from domain.terms import PolicyTerms
from domain.values import Actor, CaseKind, Channel, Reason, Responsibility, Role

Deadlines = tuple[Deadline, ...]
PRC = PrcCalendar()


def carry_out_state(ruling: Ruling) -> Status:
    """R10: the state that carries a ruling out once any return it required is back."""
    return {
        RulingOutcome.REFUND: Status.AWAITING_REFUND,
        RulingOutcome.EXCHANGE: Status.AWAITING_EXCHANGE,
        RulingOutcome.REPAIR: Status.REPAIRING,
        RulingOutcome.COMPENSATION: Status.AWAITING_COMPENSATION,
        RulingOutcome.DISMISSED: Status.CLOSED,
    }[ruling.outcome]


# One actor per role for ``allowed`` on events: the case's own consumer and store staff.
_STAFF_IDS = {
    Role.PLATFORM_AGENT: "platform",
    Role.ARBITRATOR: "arbitrator",
    Role.FINANCE: "finance",
    Role.SYSTEM: "system",
}


def text_input(value: str, field: str, rule: str, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidInput(f"{rule}: {what}", rule=rule, field=field)
    return value.strip()


_HOOKS: dict[tuple[type, str, Move], Any] = {}  # (case class, prefix, move) -> function


class CaseGuards:
    """What every part of ``Case`` shares: its state and the declaration-driven guards."""

    if TYPE_CHECKING:
        id: UUID
        version: int

        def trigger_event(self, event_class: type[Any], **kwargs: Any) -> None: ...

        def accept(self, *, actor: Actor, at: datetime, reason: str = "") -> None: ...

        def confirm_receipt(self, *, actor: Actor, at: datetime, reason: str = "") -> None: ...

        def refund_plan(self, amount_fen: int | None = None) -> RefundPlan: ...

        def inspect(
            self,
            *,
            actor: Actor,
            at: datetime,
            responsibility: Responsibility,
            findings: str,
            evidence: tuple[Evidence, ...] = (),
            on_site: bool = False,
        ) -> None: ...

        def approve_refund(
            self,
            *,
            actor: Actor,
            at: datetime,
            calendar: WorkingCalendar,
            amount_fen: int | None = None,
            reason: str = "",
        ) -> RefundPlan: ...

        def answer_quote(
            self, *, actor: Actor, at: datetime, accepted: bool, reason: str = ""
        ) -> None: ...

        def confirm_goods_received(
            self, *, actor: Actor, at: datetime, reason: str = ""
        ) -> None: ...

        def record_return_delivered(
            self,
            *,
            actor: Actor,
            at: datetime,
            delivered_at: datetime,
            evidence: tuple[Evidence, ...] = (),
            reason: str = "",
        ) -> None: ...

    case_no: str
    kind: CaseKind
    reason_code: Reason
    description: str
    evidence: list[Evidence]
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
    opened_at: datetime
    updated_at: datetime
    status: Status
    status_before_arbitration: Status
    deadlines: dict[Clock, Deadline]
    complaint_open: bool
    return_shipment: Shipment | None
    return_shipped_at: datetime | None
    return_delivered_at: datetime | None
    received_at: datetime | None
    responsibility: Responsibility | None
    repair_fee_fen: int
    quote_accepted_fen: int
    refund: RefundPlan | None
    refund_paid: bool
    refund_attempts: int
    compensation_fen: int
    compensation_paid: bool
    ruling: Ruling | None
    rating: int | None
    breaches: list[str]
    outcome: str
    goods_outcome: str
    queue: str

    # ------------------------------------------------------------------ generic guards
    def _check_time(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise InvalidInput("times must carry a time zone", field="at")
        if at < self.updated_at:
            raise InvalidInput(
                f"the case's last step is at {format_cst(self.updated_at)}; "
                f"a new one cannot be earlier ({format_cst(at)})",
                field="at",
            )

    def _check_party(self, actor: Actor, spec: MoveSpec) -> None:
        """P2, P4: only the case's own consumer / store, or the declared roles, may move."""
        if actor.role is Role.CONSUMER and actor.id != self.consumer_id:
            raise NotFound(f"no case {self.case_no} of yours")
        if actor.role is Role.MERCHANT and actor.merchant_id != self.merchant_id:
            raise NotFound(f"no case {self.case_no} in your store")
        if actor.role not in spec.all_roles:
            allowed = ", ".join(sorted(r.value for r in spec.all_roles))
            raise IllegalTransition(
                f"a {actor.role.value} cannot {spec.move.value.replace('_', ' ')} "
                f"(who may: {allowed})",
                rule="P2",
                field="actor",
                code="move_not_for_role",
                params={"move": spec.move.value, "role": actor.role.value},
            )

    def _check_not_final(self, spec: MoveSpec) -> None:
        """R10: after a final ruling only moves that carry the ruling out are possible."""
        if self.ruling is None:
            return
        if not CARRY_OUT.allows(self.ruling.outcome, spec.move, self.ruling.compensation_fen):
            raise CaseRuledFinal(
                f"case {self.case_no} was ruled ({self.ruling.outcome.value}) by arbitration; "
                f"the ruling is final and '{spec.move.value.replace('_', ' ')}' would change "
                "its outcome"
            )

    @property
    def phase(self) -> Status:
        """The state the guards judge by. A case ruled under version 1 stayed ``ruled`` (or
        ``received`` once a required return came back); its phase is the state that carries the
        ruling out, as a ruling leads to now (R10)."""
        if self.ruling is None or self.status not in (Status.RULED, Status.RECEIVED):
            return self.status
        if self.status is Status.RULED and self.ruling.return_required:
            return Status.AWAITING_RETURN
        return carry_out_state(self.ruling)

    def _check_state(self, spec: MoveSpec) -> None:
        if self.kind not in spec.kinds:
            raise IllegalTransition(
                f"a {self.kind.value} case cannot {spec.move.value.replace('_', ' ')}",
                rule=spec.kind_rule or spec.rule,
                code="move_not_for_kind",
                params={"move": spec.move.value, "kind": self.kind.value},
            )
        phase = self.phase
        ruled = self.ruling is not None and spec.move is Move.APPROVE_REFUND
        if spec.sources is not None and phase not in spec.sources:
            possible = ", ".join(sorted(s.value for s in spec.sources))
            raise IllegalTransition(
                f"cannot {spec.move.value.replace('_', ' ')} case {self.case_no} while it is "
                f"{phase.value} (possible when {possible})",
                rule="R10" if ruled else spec.rule,
                code="move_not_now",
                params={"move": spec.move.value, "status": phase.value},
            )

    def _check_stand_in(self, actor: Actor, spec: MoveSpec) -> None:
        """R12.a reading: the platform (or system) acts in the owner's place only after the
        owner missed its deadline."""
        stand_in = spec.stand_in
        if stand_in is None or actor.role in spec.roles:
            return
        if stand_in.after.value not in self.breaches:
            owner = ", ".join(sorted(r.value for r in spec.roles))
            raise IllegalTransition(
                f"only the {owner} may {spec.move.value.replace('_', ' ')} until "
                f"{stand_in.what} has passed: the platform acts in the {owner}'s place only "
                f"after the {owner} missed its deadline ({stand_in.after.value})",
                rule=stand_in.rule,
                field="actor",
                code="stand_in_too_early",
                params={"move": spec.move.value},
            )

    def _hook(self, prefix: str, move: Move) -> Any:
        """The case class's ``{prefix}_{move}`` check, bound to this case, or ``None`` (looked up
        once per class and move: issue 12)."""
        key = (type(self), prefix, move)
        try:
            function = _HOOKS[key]
        except KeyError:
            function = _HOOKS[key] = getattr(type(self), f"{prefix}_{move.value}", None)
        return None if function is None else function.__get__(self)

    def _refusal(self, move: Move, actor: Actor, at: datetime | None) -> MoveSpec:
        """Every check that does not depend on the move's inputs, in one order for all moves:
        party and role, open case, final ruling, time, move-specific early checks, kind and
        state, stand-in, move-specific checks."""
        spec = MOVES[move]
        self._check_party(actor, spec)
        if self.status.is_terminal and not spec.on_closed:
            raise IllegalTransition(
                f"case {self.case_no} is {self.status.value}; nothing more can be done but rating",
                rule="R21",
                code="case_finished",
                params={"status": self.status.value},
            )
        self._check_not_final(spec)
        if at is not None:
            self._check_time(at)
        early = self._hook("_before", move)
        if early is not None:
            early(actor)
        self._check_state(spec)
        self._check_stand_in(actor, spec)
        late = self._hook("_may", move)
        if late is not None:
            late(actor)
        timed: Callable[[datetime], None] | None = self._hook("_window", move)
        if timed is not None and at is not None:
            timed(at)  # a window that ends at a time, not only by a breach the timer recorded
        return spec

    def _begin(self, move: Move, actor: Actor, at: datetime) -> MoveSpec:
        return self._refusal(move, actor, at)

    def allowed_moves(self, actor: Actor, at: datetime | None = None) -> tuple[Move, ...]:
        """The moves ``actor`` may make now: exactly those that succeed with some valid input.

        Issue 12: most moves are refused for the role, the kind or the state; those are told
        without building the refusal (its message) and only the rest run every check. The answer
        is the same: each plain refusal below is one ``_refusal`` makes whatever comes before."""
        allowed: list[Move] = []
        terminal = self.status.is_terminal
        kind = self.kind
        phase = self.phase
        for move, spec in MOVES.items():
            if (
                actor.role not in spec.all_roles
                or (terminal and not spec.on_closed)
                or kind not in spec.kinds
                or (spec.sources is not None and phase not in spec.sources)
                or (
                    spec.stand_in is not None
                    and actor.role not in spec.roles
                    and spec.stand_in.after.value not in self.breaches
                )
            ):
                continue
            try:
                self._refusal(move, actor, at)
            except DomainError:
                continue
            allowed.append(move)
        return tuple(allowed)

    def role_actor(self, role: Role) -> Actor:
        """An actor of ``role`` on this case: its own consumer, its own store's staff."""
        if role is Role.CONSUMER:
            return Actor(role, self.consumer_id)
        if role is Role.MERCHANT:
            return Actor(role, f"{self.merchant_id}-staff", merchant_id=self.merchant_id)
        return Actor(role, _STAFF_IDS[role])

    def allowed_by_role(self) -> Allowed:
        return {
            role.value: [m.value for m in self.allowed_moves(self.role_actor(role))]
            for role in Role
        }

    # ------------------------------------------------------------------ recording
    def _keep(self, *drop: Clock) -> list[Deadline]:
        return [d for d in self.deadlines.values() if d.name not in drop]

    def _clock(self, clock: Clock, start: datetime, calendar: WorkingCalendar = PRC) -> Deadline:
        return CLOCKS[clock].deadline(start, self.terms, calendar, self.kind)

    def _deadlines_to(
        self,
        status: Status,
        at: datetime,
        *,
        drop: Iterable[Clock] = (),
        add: Iterable[Deadline] = (),
        calendar: WorkingCalendar = PRC,
    ) -> tuple[Deadline, ...]:
        """The deadlines after a move to ``status`` (the process declaration): the old state's
        own clock ends, the new state's starts at ``at`` unless ``add`` gives it, overlays run on;
        ``drop`` ends more."""
        ends = set(drop)
        old = state_of(self.kind, self.phase)
        new = state_of(self.kind, status)
        moved = status is not self.phase
        if moved and old is not None and old.clock is not None:
            ends.add(old.clock)
        out = {d.name: d for d in self.deadlines.values() if d.name not in ends}
        if moved and new is not None and new.clock is not None and new.clock not in out:
            out[new.clock] = self._clock(new.clock, at, calendar)
        for deadline in add:
            out[deadline.name] = deadline
        return tuple(out.values())

    def _record(self, event: type[CaseEvent], rule: str, **fields: Any) -> None:
        """Record one event: the status it leads to, its rule and the moves allowed after it."""
        if fields.get("status") is None:
            fields["status"] = event.LEADS_TO or self.status
        fields["rule"] = rule
        bound: type[CaseEvent] = getattr(type(self), event.__name__)
        shadow = self._shadow_after(bound, fields)
        self.trigger_event(bound, allowed=shadow.allowed_by_role(), **fields)

    def _shadow_after(self, event: type[CaseEvent], fields: dict[str, Any]) -> CaseGuards:
        shadow = object.__new__(type(self))
        state = {
            k: copy.copy(v) if isinstance(v, list | dict) else v
            for k, v in vars(self).items()
            if k != "_pending_events"
        }
        vars(shadow).update(state)
        provisional = object.__new__(event)
        object.__setattr__(provisional, "__dict__", {**fields, "allowed": None})
        provisional.apply(shadow)
        return shadow

    def _close_now(self, actor: Actor, at: datetime, outcome: str, reason: str = "") -> None:
        from domain.case.events import CLOSE_RULES, Closed

        rule = CLOSE_RULES.get(outcome, "R21")
        self._record(
            Closed,
            rule,
            actor=actor,
            at=at,
            outcome=outcome,
            reason=reason or outcome,
            deadlines=(self._clock(Clock.POST_CLOSE, at),),
        )
