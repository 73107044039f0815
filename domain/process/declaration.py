"""THE declaration of the case process (issue 7): every move of every kind of case. ``Case``'s
guards, ``Case.allowed_moves``, the events' ``rule`` and the generated docs/process.md read it."""

from __future__ import annotations

from types import MappingProxyType

from domain.case_values import RulingOutcome
from domain.case_values import Status as S
from domain.deadlines import Clock
from domain.entitlement import HandDeduction
from domain.process import inputs as i
from domain.process.moves import GOODS_KINDS, CarryOut, Move, MoveSpec, StandIn
from domain.tenders import MoneyTender
from domain.values import CaseKind, Channel, Responsibility, Role

M, C, P, A, F, Y = (
    Role.MERCHANT,
    Role.CONSUMER,
    Role.PLATFORM_AGENT,
    Role.ARBITRATOR,
    Role.FINANCE,
    Role.SYSTEM,
)
K = CaseKind


# P4: who may mark a note internal (hidden from the consumer).
_STAFF = frozenset({Role.MERCHANT, Role.PLATFORM_AGENT, Role.ARBITRATOR, Role.FINANCE})


def _roles(*roles: Role) -> frozenset[Role]:
    return frozenset(roles)


def _states(*states: S) -> frozenset[S]:
    return frozenset(states)


_REASON = i.text("reason", "Reason")
_OPTIONAL_REASON = i.text("reason", "Reason", required=False)
# R3.a: one payment per money tender; left out, the move names every open payment (or the only one).
_TENDER = i.InputSpec("tender", i.InputType.ENUM, False, choices=MoneyTender, label="Tender")

# R3.a (issue 8): a refund below the entitlement states one published deduction, with evidence.
_DEDUCTION = (
    i.InputSpec(
        "deduction_kind",
        i.InputType.ENUM,
        False,
        choices=HandDeduction,
        label="Deduction",
        roles=_roles(P),
    ),
    i.InputSpec(
        "deduction_fen",
        i.InputType.MONEY_FEN,
        False,
        minimum=1,
        maximum=i.MAX_FEN,
        label="Deduction amount",
        roles=_roles(P),
    ),
    i.InputSpec(
        "deduction_evidence",
        i.InputType.TEXT,
        False,
        max_length=i.MAX_TEXT,
        label="Deduction evidence",
        roles=_roles(P),
    ),
)

_SPECS: tuple[MoveSpec, ...] = (
    MoveSpec(
        Move.ACCEPT,
        "R12",
        _roles(M),
        "Accept",
        kinds=GOODS_KINDS,
        sources=_states(S.REQUESTED),
        target_note="awaiting_refund for refund_only, else awaiting_return",
        inputs=(_OPTIONAL_REASON,),
        stand_in=StandIn(_roles(P, Y), Clock.MERCHANT_DECISION, "R12.a", "its R12 deadline"),
    ),
    MoveSpec(
        Move.REJECT,
        "R12",
        _roles(M),
        "Reject",
        kinds=GOODS_KINDS,
        sources=_states(S.REQUESTED),
        target=S.REJECTED,
        inputs=(_REASON,),
        stand_in=StandIn(_roles(P), Clock.MERCHANT_DECISION, "R12.a", "its R12 deadline"),
    ),
    MoveSpec(
        Move.SHIP_RETURN,
        "R13",
        _roles(C),
        "Ship the goods back",
        sources=_states(S.AWAITING_RETURN),
        target=S.RETURN_IN_TRANSIT,
        inputs=(i.shipment(), i.when("expected_delivery_at", "Carrier's expected delivery")),
    ),
    MoveSpec(
        Move.RECORD_RETURN_DELIVERED,
        "R3",
        _roles(M, P, Y, C),
        "Record the return's delivery",
        sources=_states(S.RETURN_IN_TRANSIT),
        target=S.RETURN_DELIVERED,
        target_note="return_delivered; the consumer records it only with proof (evidence)",
        inputs=(i.when("delivered_at", "Delivered at", now=True), i.evidence()),
    ),
    MoveSpec(
        Move.CONFIRM_RECEIPT,
        "R3",
        _roles(M),
        "Confirm receipt",
        sources=_states(S.RETURN_DELIVERED),
        target_note="received; after a ruling (R10) the state that carries it out",
        inputs=(_OPTIONAL_REASON,),
        stand_in=StandIn(_roles(P, Y), Clock.CONFIRM_RECEIPT, "R3", "its 24-hour deadline"),
    ),
    MoveSpec(
        Move.INSPECT,
        "R14",
        _roles(M, P),
        "Record the inspection",
        sources=_states(S.RECEIVED, S.AWAITING_RETURN),
        target_note="repairing (repair); inspection_failed (user damage, or no fault on a quality "
        "claim opened outside the no-reason window); awaiting_exchange (exchange); else "
        "awaiting_refund. On site only for repairs awaiting return (R7)",
        inputs=(
            i.choice("responsibility", "Responsibility", Responsibility),
            i.text("findings", "Findings", long=True),
            i.evidence(),
            i.flag("on_site", "Inspected on site (repairs)"),
        ),
        stand_in=StandIn(_roles(Y), Clock.INSPECTION, "R14", "its inspection deadline"),
    ),
    MoveSpec(
        Move.QUOTE_REPAIR,
        "R6",
        _roles(M),
        "Quote the repair",
        kinds=frozenset({K.REPAIR}),
        sources=_states(S.REPAIRING),
        target=S.AWAITING_QUOTE_ANSWER,
        inputs=(i.money("fee_fen", "Fee"), _OPTIONAL_REASON),
        kind_rule="R6",
    ),
    MoveSpec(
        Move.ANSWER_QUOTE,
        "R6",
        _roles(C),
        "Answer the quote",
        sources=_states(S.AWAITING_QUOTE_ANSWER),
        target_note="repairing if accepted, returning_unrepaired if declined",
        inputs=(i.flag("accepted", "Accept the fee"), _OPTIONAL_REASON),
        stand_in=StandIn(_roles(Y), Clock.QUOTE_ANSWER, "R6", "the quote's answer deadline"),
    ),
    MoveSpec(
        Move.COMPLETE_REPAIR,
        "R7",
        _roles(M),
        "Complete the repair",
        kinds=GOODS_KINDS,
        sources=_states(S.REPAIRING, S.RETURNING_UNREPAIRED),
        target=S.GOODS_RETURNING,
        inputs=(i.text("notes", "What was done", long=True), i.shipment(required=False)),
    ),
    MoveSpec(
        Move.SHIP_EXCHANGE,
        "R8",
        _roles(M),
        "Ship the replacement",
        sources=_states(S.AWAITING_EXCHANGE),
        target=S.GOODS_RETURNING,
        inputs=(i.shipment(),),
    ),
    MoveSpec(
        Move.CONFIRM_GOODS_RECEIVED,
        "R8",
        _roles(C),
        "Confirm the goods arrived",
        sources=_states(S.GOODS_RETURNING),
        target=S.CLOSED,
        target_note="closed with the stated outcome (exchanged, repaired, returned_unrepaired, "
        "inspection_failed)",
        inputs=(_OPTIONAL_REASON,),
        stand_in=StandIn(_roles(Y), Clock.CONSUMER_CONFIRM, "R8", "the confirmation deadline"),
    ),
    MoveSpec(
        Move.SHIP_BACK,
        "R14",
        _roles(M),
        "Send the goods back",
        sources=_states(S.INSPECTION_FAILED, S.RETURNING_UNREPAIRED),
        target=S.GOODS_RETURNING,
        inputs=(i.shipment(),),
    ),
    MoveSpec(
        Move.APPROVE_REFUND,
        "R3",
        _roles(P, Y),
        "Approve the refund",
        sources=_states(S.AWAITING_REFUND),
        target_note="refund_approved; the money is due by the earlier of the working-day term "
        "and the statutory end (R3, Law art. 13)",
        target=S.REFUND_APPROVED,
        inputs=(i.money("amount_fen", "Amount", required=False), *_DEDUCTION, _OPTIONAL_REASON),
    ),
    MoveSpec(
        Move.RECORD_REFUND_PAID,
        "R3",
        _roles(F, Y),
        "Record the refund paid",
        sources=_states(S.REFUND_APPROVED, S.REFUND_FAILED),
        target_note="closed once every tender's payment is paid (R3.a: one payment per money "
        "tender; without a tender, every open one); else refund_approved, or refund_failed while "
        "another tender's payment failed",
        inputs=(_TENDER, i.text("psp_reference", "Payment reference")),
    ),
    MoveSpec(
        Move.RECORD_REFUND_FAILED,
        "R3",
        _roles(F, Y),
        "Record a failed payment",
        sources=_states(S.REFUND_APPROVED, S.REFUND_FAILED),
        target=S.REFUND_FAILED,
        target_note="refund_failed: that tender's payment failed (without a tender, every one "
        "waiting); the R3 clock keeps running",
        inputs=(_TENDER, _REASON),
    ),
    MoveSpec(
        Move.RETRY_REFUND_PAYMENT,
        "R3",
        _roles(F, Y),
        "Retry a failed payment",
        sources=_states(S.REFUND_FAILED),
        target_note="refund_approved once no tender's payment is failed, else refund_failed",
        inputs=(_TENDER, _OPTIONAL_REASON),
    ),
    MoveSpec(
        Move.REROUTE_REFUND_PAYMENT,
        "R3.a",
        _roles(C, F),
        "Pay a failed payment to the wallet instead",
        sources=_states(S.REFUND_FAILED),
        target_note="refund_approved once no tender's payment is failed; the consumer's consent "
        "is her own move, or what finance records of it",
        inputs=(
            _TENDER,
            i.text("consent", "The consumer's consent (how and when given)", required=False),
        ),
    ),
    MoveSpec(
        Move.REOPEN_REFUND_PAYMENT,
        "R3",
        _roles(F),
        "Reopen a payment",
        sources=_states(S.REFUND_APPROVED, S.REFUND_FAILED, S.CLOSED),
        target=S.REFUND_FAILED,
        target_note="refund_failed: a payment recorded as paid did not reach the consumer; a case "
        "closed refunded reopens",
        inputs=(_TENDER, _REASON),
        on_closed=True,
    ),
    MoveSpec(
        Move.GRANT_COMPENSATION,
        "R14",
        _roles(M, P),
        "Grant compensation",
        inputs=(i.money("amount_fen", "Amount"), _REASON),
    ),
    MoveSpec(
        Move.RECORD_COMPENSATION_PAID,
        "R14",
        _roles(F, Y),
        "Record the compensation paid",
        inputs=(i.text("psp_reference", "Payment reference"),),
        on_closed=True,
    ),
    MoveSpec(
        Move.FILE_COMPLAINT,
        "R9",
        _roles(C, P),
        "File a complaint",
        target_note="unchanged; a closed case (within its post-close window) reopens as "
        "complaint_open",
        inputs=(
            i.choice("channel", "Channel", Channel, default=Channel.PLATFORM),
            i.text("reason", "Complaint", long=True),
        ),
        on_closed=True,
    ),
    MoveSpec(
        Move.RESPOND_TO_COMPLAINT,
        "R9.a",
        _roles(P),
        "Respond to the complaint",
        target_note="complaint_answered on a complaint case, else unchanged",
        inputs=(i.text("reason", "Response", long=True),),
        on_closed=True,
    ),
    MoveSpec(
        Move.GIVE_OPINION,
        "R9.a",
        _roles(P),
        "Give the handling opinion",
        target_note="opinion_given on a complaint case, else unchanged",
        inputs=(i.text("opinion", "Handling opinion", long=True),),
        on_closed=True,
    ),
    MoveSpec(
        Move.ESCALATE,
        "R10",
        _roles(C, M),
        "Apply for arbitration",
        sources=frozenset(s for s in S if s is not S.WITHDRAWN)
        - _states(S.REQUESTED, S.IN_ARBITRATION, S.RULED),
        target=S.IN_ARBITRATION,
        target_note="in_arbitration; a closed case within its post-close window too",
        inputs=(i.text("reason", "Why negotiation failed", long=True),),
        on_closed=True,
    ),
    MoveSpec(
        Move.SUBMIT_EVIDENCE,
        "R21",
        _roles(C, M, P),
        "Submit evidence",
        inputs=(i.evidence(required=True), _OPTIONAL_REASON),
    ),
    MoveSpec(
        Move.RULE,
        "R10",
        _roles(A),
        "Rule",
        sources=_states(S.IN_ARBITRATION),
        target_note="the state that carries the ruling out: awaiting_return (a return "
        "required), awaiting_refund, awaiting_exchange, repairing, awaiting_compensation; "
        "closed when dismissed",
        inputs=(
            i.InputSpec("ruling", i.InputType.RULING, label="Ruling"),
            i.text("reasoning", "Reasoning", long=True),
        ),
    ),
    MoveSpec(
        Move.ROUTE,
        "R20",
        _roles(Y, P),
        "Route to a queue",
        inputs=(
            i.text("queue", "Queue"),
            i.choice("classified_kind", "Kind", CaseKind),
            i.int_range("confidence_pct", "Confidence (%)", 0, 100),
            _OPTIONAL_REASON,
        ),
    ),
    MoveSpec(
        Move.ADD_NOTE,
        "R21",
        _roles(C, M, P, A, F),
        "Add a note",
        inputs=(
            i.text("text", "Note", long=True),
            i.flag("internal", "Internal (staff only)", roles=_STAFF),
        ),
        on_closed=True,
    ),
    MoveSpec(
        Move.WITHDRAW,
        "R21",
        _roles(C),
        "Withdraw",
        target=S.WITHDRAWN,
        inputs=(_OPTIONAL_REASON,),
    ),
    MoveSpec(
        Move.CLOSE,
        "R21",
        _roles(C, P, Y, A),
        "Close",
        sources=_states(S.REJECTED, S.OPINION_GIVEN, S.RULED),
        target=S.CLOSED,
        inputs=(_REASON,),
        command="close_case",
    ),
    MoveSpec(
        Move.RATE,
        "R18",
        _roles(C),
        "Rate",
        sources=_states(S.CLOSED),
        inputs=(i.int_range("score", "Score", 1, 5), i.text("comment", "Comment", required=False)),
        on_closed=True,
    ),
)

MOVES: MappingProxyType[Move, MoveSpec] = MappingProxyType({s.move: s for s in _SPECS})

# R10: after a ruling only the moves that carry it out remain (and those that change no outcome).
_RETURN_LEG = frozenset({Move.SHIP_RETURN, Move.RECORD_RETURN_DELIVERED, Move.CONFIRM_RECEIPT})
CARRY_OUT = CarryOut(
    by_outcome={
        RulingOutcome.REFUND: _RETURN_LEG
        | {
            Move.APPROVE_REFUND,
            Move.RECORD_REFUND_PAID,
            Move.RECORD_REFUND_FAILED,
            Move.RETRY_REFUND_PAYMENT,
            Move.REROUTE_REFUND_PAYMENT,
            Move.REOPEN_REFUND_PAYMENT,
        },
        RulingOutcome.EXCHANGE: _RETURN_LEG | {Move.SHIP_EXCHANGE, Move.CONFIRM_GOODS_RECEIVED},
        RulingOutcome.REPAIR: _RETURN_LEG
        | {Move.QUOTE_REPAIR, Move.ANSWER_QUOTE, Move.COMPLETE_REPAIR, Move.CONFIRM_GOODS_RECEIVED},
        RulingOutcome.COMPENSATION: frozenset({Move.GRANT_COMPENSATION}),
        RulingOutcome.DISMISSED: frozenset(),
    },
    always=frozenset(
        {
            Move.ROUTE,
            Move.ADD_NOTE,
            Move.RATE,
            Move.CLOSE,
            Move.RECORD_COMPENSATION_PAID,
            Move.FILE_COMPLAINT,
            Move.RESPOND_TO_COMPLAINT,
            Move.GIVE_OPINION,
            Move.SUBMIT_EVIDENCE,
            Move.RULE,
        }
    ),
    with_compensation=frozenset({Move.GRANT_COMPENSATION}),
)


def spec(move: Move | str) -> MoveSpec:
    return MOVES[Move(move)]
