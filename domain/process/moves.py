"""The moves of a case and what one move is (issue 7): who may make it, on which kinds of case,
from which states, to which state, under which rule, with which inputs."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

from domain.case_values import RulingOutcome, Status
from domain.deadlines import Clock
from domain.process.inputs import InputSpec
from domain.values import CaseKind, Role


class Move(StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"
    SHIP_RETURN = "ship_return"
    RECORD_RETURN_DELIVERED = "record_return_delivered"
    CONFIRM_RECEIPT = "confirm_receipt"
    INSPECT = "inspect"
    QUOTE_REPAIR = "quote_repair"
    ANSWER_QUOTE = "answer_quote"
    COMPLETE_REPAIR = "complete_repair"
    SHIP_EXCHANGE = "ship_exchange"
    CONFIRM_GOODS_RECEIVED = "confirm_goods_received"
    SHIP_BACK = "ship_back"
    APPROVE_REFUND = "approve_refund"
    RECORD_REFUND_PAID = "record_refund_paid"
    RECORD_REFUND_FAILED = "record_refund_failed"
    RETRY_REFUND_PAYMENT = "retry_refund_payment"
    REROUTE_REFUND_PAYMENT = "reroute_refund_payment"
    REOPEN_REFUND_PAYMENT = "reopen_refund_payment"
    GRANT_COMPENSATION = "grant_compensation"
    RECORD_COMPENSATION_PAID = "record_compensation_paid"
    FILE_COMPLAINT = "file_complaint"
    RESPOND_TO_COMPLAINT = "respond_to_complaint"
    GIVE_OPINION = "give_opinion"
    ESCALATE = "escalate"
    SUBMIT_EVIDENCE = "submit_evidence"
    RULE = "rule"
    ROUTE = "route"
    ADD_NOTE = "add_note"
    WITHDRAW = "withdraw"
    CLOSE = "close"
    RATE = "rate"


ALL_KINDS = frozenset(CaseKind)
GOODS_KINDS = frozenset(k for k in CaseKind if k is not CaseKind.COMPLAINT)


@dataclass(frozen=True)
class StandIn:
    """R12.a reading: these roles may make the move in the owner's place once ``after`` (a clock)
    was breached; before that they are refused under ``rule``."""

    roles: frozenset[Role]
    after: Clock
    rule: str
    what: str  # the owner's deadline, in words


@dataclass(frozen=True)
class MoveSpec:
    """One move. ``roles`` may make it; a consumer only on her own case and merchant staff only on
    their store's (the party), always. ``sources`` are the states it is possible in (``None``: any
    open state); ``target`` the state it leads to (``None``: unchanged or decided by the case's
    facts, told by ``target_note``). ``on_closed``: also possible on a closed or withdrawn case.
    ``label`` is English text the web translates; ``command`` the service method's name."""

    move: Move
    rule: str
    roles: frozenset[Role]
    label: str
    kinds: frozenset[CaseKind] = ALL_KINDS
    sources: frozenset[Status] | None = None
    target: Status | None = None
    target_note: str = ""
    inputs: tuple[InputSpec, ...] = ()
    stand_in: StandIn | None = None
    on_closed: bool = False
    command: str = ""
    kind_rule: str = ""

    @property
    def command_name(self) -> str:
        return self.command or self.move.value

    @cached_property
    def all_roles(self) -> frozenset[Role]:
        return self.roles | (self.stand_in.roles if self.stand_in else frozenset())

    def input(self, name: str) -> InputSpec:
        for spec in self.inputs:
            if spec.name == name:
                return spec
        raise KeyError(name)


@dataclass(frozen=True)
class CarryOut:
    """R10: after a ruling of one outcome, the moves that carry it out (nothing else changes the
    case's outcome). ``always`` moves stay possible whatever the ruling."""

    by_outcome: dict[RulingOutcome, frozenset[Move]] = field(default_factory=dict)
    always: frozenset[Move] = frozenset()
    with_compensation: frozenset[Move] = frozenset()

    def allows(self, outcome: RulingOutcome, move: Move, compensation_fen: int) -> bool:
        allowed = self.by_outcome.get(outcome, frozenset()) | self.always
        if compensation_fen:
            allowed |= self.with_compensation
        return move in allowed
