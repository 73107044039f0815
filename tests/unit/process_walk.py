"""Shared by the process tests: valid inputs for every move, and random walks through cases.

``candidates(case, move, at)`` lists inputs of which at least one is valid whenever the move is
possible (the property test's "some valid input")."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from domain.case import Case
from domain.case_values import Ruling, RulingOutcome, Shipment
from domain.errors import DomainError
from domain.process import MOVES, Move
from domain.tenders import MoneyTender
from domain.values import Actor, CaseKind, Channel, Reason, Responsibility, Role

from .builders import PHOTO, PRC, open_case

OPENINGS: tuple[tuple[CaseKind, Reason], ...] = (
    (CaseKind.RETURN_REFUND, Reason.NO_REASON),
    (CaseKind.RETURN_REFUND, Reason.QUALITY_DEFECT),
    (CaseKind.REFUND_ONLY, Reason.MISSING_ITEM),
    (CaseKind.EXCHANGE, Reason.NO_REASON),
    (CaseKind.EXCHANGE, Reason.QUALITY_DEFECT),
    (CaseKind.REPAIR, Reason.QUALITY_DEFECT),
    (CaseKind.REPAIR, Reason.USER_DAMAGE),
    (CaseKind.COMPLAINT, Reason.SERVICE),
)

SHIPMENT = Shipment("SF Express", "SF9009")


def _rulings(case: Case) -> list[Ruling]:
    refund = max(1, sum(line.paid_fen for line in case.lines) // 2)
    out = [Ruling(RulingOutcome.DISMISSED), Ruling(RulingOutcome.COMPENSATION, 0, 5_00)]
    if case.lines:
        out += [
            Ruling(RulingOutcome.REFUND, refund_fen=refund),
            Ruling(RulingOutcome.REFUND, refund_fen=refund, return_required=True),
        ]
    out += [
        Ruling(RulingOutcome.EXCHANGE, return_required=True),
        Ruling(RulingOutcome.REPAIR),
    ]
    return out


def candidates(case: Case, move: Move, at: datetime) -> list[dict[str, Any]]:
    """Inputs to try for ``move``; at least one is valid whenever the move is possible."""
    text = {"reason": "because"}
    by_move: dict[Move, list[dict[str, Any]]] = {
        Move.ACCEPT: [{}],
        Move.REJECT: [text],
        Move.SHIP_RETURN: [{"shipment": SHIPMENT}],
        Move.RECORD_RETURN_DELIVERED: [{"delivered_at": at, "evidence": (PHOTO,)}],
        Move.CONFIRM_RECEIPT: [{}],
        Move.INSPECT: [
            {
                "responsibility": r,
                "findings": "seen",
                "evidence": (PHOTO,),
                "on_site": on_site,
            }
            for r in Responsibility
            for on_site in (False, True)
        ],
        Move.QUOTE_REPAIR: [{"fee_fen": 30_00}],
        Move.ANSWER_QUOTE: [{"accepted": True}, {"accepted": False}],
        Move.COMPLETE_REPAIR: [{"notes": "fixed", "shipment": SHIPMENT}],
        Move.SHIP_EXCHANGE: [{"shipment": SHIPMENT}],
        Move.CONFIRM_GOODS_RECEIVED: [{}],
        Move.SHIP_BACK: [{"shipment": SHIPMENT}],
        Move.APPROVE_REFUND: [{"calendar": PRC}],
        Move.RECORD_REFUND_PAID: [{"psp_reference": "PSP-1"}]
        + [{"psp_reference": "PSP-1", "tender": t} for t in MoneyTender],
        Move.RECORD_REFUND_FAILED: [text] + [{**text, "tender": t} for t in MoneyTender],
        Move.RETRY_REFUND_PAYMENT: [{"tender": t} for t in MoneyTender],
        Move.REROUTE_REFUND_PAYMENT: [{"tender": t, "consent": "by phone"} for t in MoneyTender],
        Move.REOPEN_REFUND_PAYMENT: [{**text, "tender": t} for t in MoneyTender],
        Move.GRANT_COMPENSATION: [
            {"amount_fen": (case.ruling.compensation_fen if case.ruling else 0) or 10_00, **text}
        ],
        Move.RECORD_COMPENSATION_PAID: [{"psp_reference": "PSP-2"}],
        Move.FILE_COMPLAINT: [{"channel": Channel.STORE, **text}],
        Move.RESPOND_TO_COMPLAINT: [text],
        Move.GIVE_OPINION: [{"opinion": "the merchant refunds"}],
        Move.ESCALATE: [text],
        Move.SUBMIT_EVIDENCE: [{"evidence": (PHOTO,), "reason": ""}],
        Move.RULE: [{"ruling": r, "reasoning": "on the record"} for r in _rulings(case)],
        Move.ROUTE: [
            {"queue": "q", "classified_kind": case.kind, "confidence_pct": 50, "reason": ""}
        ],
        Move.ADD_NOTE: [{"text": "a note", "internal": False}],
        Move.WITHDRAW: [{}],
        Move.CLOSE: [text],
        Move.RATE: [{"score": 4}],
    }
    return by_move[move]


def make(case: Case, move: Move, actor: Actor, at: datetime, inputs: dict[str, Any]) -> Any:
    return getattr(case, move.value)(actor=actor, at=at, **inputs)


def succeeds(case: Case, move: Move, actor: Actor, at: datetime) -> Case | None:
    """A copy of ``case`` after ``move`` with the first valid input, or None if none is."""
    trial = copy.deepcopy(case)
    before = len(trial.pending_events)
    for inputs in candidates(case, move, at):
        try:
            make(trial, move, actor, at, inputs)
        except DomainError:
            assert len(trial.pending_events) == before, "a refused move records nothing"
            continue
        return trial
    return None


def actors(case: Case) -> Iterator[Actor]:
    for role in Role:
        yield case.role_actor(role)


def declared(move: Move, actor: Actor) -> bool:
    return actor.role in MOVES[move].all_roles


def step_time(case: Case, minutes: int = 1) -> datetime:
    return case.updated_at + timedelta(minutes=minutes)


def opened(kind: CaseKind, reason: Reason) -> Case:
    return open_case(kind, reason, description="it broke, 坏了")
