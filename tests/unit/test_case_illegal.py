"""Illegal moves: each refused with a named DomainError that cites its rule, and nothing recorded.
Acting on someone else's case is NotFound and says nothing about that case (P4)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import pytest

from domain.case_values import Ruling, RulingOutcome
from domain.deadlines import Clock
from domain.errors import (
    DomainError,
    IllegalTransition,
    InvalidInput,
    NotFound,
    RatingNotAllowed,
)
from domain.values import Actor, CaseKind, Reason, Role

from .builders import (
    AGENT,
    ARBITRATOR,
    AWAITING_REFUND,
    CONSUMER,
    FINANCE,
    IN_ARBITRATION,
    MERCHANT,
    OTHER_CONSUMER,
    OTHER_MERCHANT,
    RECEIVED,
    REFUND_APPROVED,
    REFUND_RULING,
    SYSTEM,
    US,
    Given,
    Move,
    accept,
    approve_refund,
    close,
    confirm_receipt,
    escalate,
    expire,
    given,
    grant_compensation,
    inspect,
    note,
    rate,
    refund_paid,
    reject,
    return_delivered,
    rule,
    ship_exchange,
    ship_return,
    submit_evidence,
    withdraw,
)

# Cases in many states, to show that a stranger learns nothing about any of them.
STATES: dict[str, Callable[[], Given]] = {
    "requested": lambda: given(),
    "awaiting_return": lambda: given().did(accept()),
    "received": lambda: given().did(*RECEIVED),
    "refund_approved": lambda: given().did(*REFUND_APPROVED),
    "closed": lambda: given().did(*REFUND_APPROVED, refund_paid()),
    "withdrawn": lambda: given().did(withdraw()),
    "in_arbitration": lambda: given().did(*IN_ARBITRATION),
    "ruled": lambda: given().did(*IN_ARBITRATION, rule(REFUND_RULING)),
    "dismissed": lambda: given().did(*IN_ARBITRATION, rule(Ruling(RulingOutcome.DISMISSED))),
}

MERCHANT_MOVES: dict[str, Callable[[Actor], Move]] = {
    "accept": lambda a: accept(a),
    "reject": lambda a: reject(actor=a),
    "confirm_receipt": lambda a: confirm_receipt(a),
    "inspect": lambda a: inspect(actor=a),
    "ship_exchange": lambda a: ship_exchange(a),
    "escalate": lambda a: escalate(a),
    "evidence": lambda a: submit_evidence(a),
    "compensation": lambda a: grant_compensation(10_00, actor=a),
    "note": lambda a: note(a),
    "return_delivered": lambda a: return_delivered(a),
}

CONSUMER_MOVES: dict[str, Callable[[Actor], Move]] = {
    "ship_return": lambda a: ship_return(actor=a),
    "withdraw": lambda a: withdraw(a),
    "escalate": lambda a: escalate(a),
    "evidence": lambda a: submit_evidence(a),
    "rate": lambda a: rate(5, a),
    "close": lambda a: close(a),
    "note": lambda a: note(a),
}

SECRETS = (
    "requested",
    "awaiting",
    "received",
    "refund",
    "closed",
    "withdrawn",
    "arbitration",
    "ruled",
    "ruling",
    "dismissed",
    "CST",
)


def assert_stranger_learns_nothing(g: Given, move: Move) -> None:
    error = g.when(move).then_error(NotFound, rule="input")
    message = str(error).lower()
    assert not [s for s in SECRETS if s.lower() in message], message


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("move", MERCHANT_MOVES)
def test_another_merchant_gets_not_found_in_every_state(state: str, move: str) -> None:
    assert_stranger_learns_nothing(STATES[state](), MERCHANT_MOVES[move](OTHER_MERCHANT))


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("move", CONSUMER_MOVES)
def test_another_consumer_gets_not_found_in_every_state(state: str, move: str) -> None:
    assert_stranger_learns_nothing(STATES[state](), CONSUMER_MOVES[move](OTHER_CONSUMER))


def test_a_stranger_acting_at_an_earlier_time_learns_nothing_either() -> None:
    g = given().did(accept())
    error = g.when(accept(OTHER_MERCHANT), at=g.now.replace(year=2025)).error
    assert isinstance(error, NotFound) and "CST" not in str(error)


# ----------------------------------------------------------------------------- wrong role
WRONG_ROLE: list[tuple[str, Callable[[], Given], Move]] = [
    ("consumer accepts", lambda: given(), accept(CONSUMER)),
    ("finance accepts", lambda: given(), accept(FINANCE)),
    ("arbitrator rejects", lambda: given(), reject(actor=ARBITRATOR)),
    ("merchant ships the return", lambda: given().did(accept()), ship_return(actor=MERCHANT)),
    ("consumer confirms receipt", lambda: given().did(*RECEIVED[:3]), confirm_receipt(CONSUMER)),
    ("consumer inspects", lambda: given().did(*RECEIVED), inspect(actor=CONSUMER)),
    (
        "merchant approves its refund",
        lambda: given().did(*AWAITING_REFUND),
        approve_refund(None, MERCHANT),
    ),
    (
        "consumer approves a refund",
        lambda: given().did(*AWAITING_REFUND),
        approve_refund(None, CONSUMER),
    ),
    ("merchant records the payment", lambda: given().did(*REFUND_APPROVED), refund_paid(MERCHANT)),
    ("agent records the payment", lambda: given().did(*REFUND_APPROVED), refund_paid(AGENT)),
    ("merchant withdraws", lambda: given(), withdraw(MERCHANT)),
    ("merchant rates", lambda: given().did(withdraw()), rate(5, MERCHANT)),
    ("merchant closes", lambda: given().did(reject()), close(MERCHANT)),
    ("finance escalates", lambda: given().did(reject()), escalate(FINANCE)),
    ("merchant rules", lambda: given().did(*IN_ARBITRATION), rule(REFUND_RULING, MERCHANT)),
    ("system adds a note", lambda: given(), note(SYSTEM)),
]


@pytest.mark.parametrize(("name", "state", "move"), WRONG_ROLE, ids=[w[0] for w in WRONG_ROLE])
def test_a_move_by_the_wrong_role_is_refused(
    name: str, state: Callable[[], Given], move: Move
) -> None:
    error = state().when(move).then_error(IllegalTransition, rule="P2")
    assert "cannot" in str(error) and "who may" in str(error)


# ----------------------------------------------------------------------------- wrong state
WRONG_STATE: list[tuple[str, Callable[[], Given], Move, str]] = [
    ("ship before acceptance", lambda: given(), ship_return(), "R13"),
    ("ship twice", lambda: given().did(accept(), ship_return()), ship_return(), "R13"),
    ("delivered before shipped", lambda: given().did(accept()), return_delivered(), "R3"),
    (
        "confirm before delivered",
        lambda: given().did(accept(), ship_return()),
        confirm_receipt(),
        "R3",
    ),
    ("inspect before receipt", lambda: given().did(accept()), inspect(), "R14"),
    ("refund before inspection", lambda: given().did(*RECEIVED), approve_refund(), "R3"),
    ("pay before approval", lambda: given().did(*AWAITING_REFUND), refund_paid(), "R3"),
    ("accept twice", lambda: given().did(accept()), accept(), "R12"),
    ("reject after accepting", lambda: given().did(accept()), reject(), "R12"),
    ("accept a rejected case", lambda: given().did(reject()), accept(), "R12"),
    ("accept a withdrawn case", lambda: given().did(withdraw()), accept(), "R21"),
    ("withdraw twice", lambda: given().did(withdraw()), withdraw(), "R21"),
    ("close an open request", lambda: given(), close(), "R21"),
    ("close twice", lambda: given().did(reject(), close()), close(), "R21"),
    ("evidence on a closed case", lambda: given().did(reject(), close()), submit_evidence(), "R21"),
    (
        "compensation without a finding",
        lambda: given().did(*RECEIVED),
        grant_compensation(10_00),
        "R14",
    ),
    (
        "compensation for no fault",
        lambda: given().did(*AWAITING_REFUND),
        grant_compensation(10_00),
        "R14",
    ),
]


@pytest.mark.parametrize(
    ("name", "state", "move", "rule_id"), WRONG_STATE, ids=[w[0] for w in WRONG_STATE]
)
def test_a_move_in_the_wrong_state_is_refused(
    name: str, state: Callable[[], Given], move: Move, rule_id: str
) -> None:
    state().when(move).then_error(IllegalTransition, rule=rule_id)


# ----------------------------------------------------------------------------- R12 / R12.a
@pytest.mark.parametrize("reason", ["", "   "])
def test_reject_without_a_reason_is_refused(reason: str) -> None:
    error = given().when(reject(reason)).then_error(InvalidInput, rule="R12")
    assert error.field == "reason"


def test_a_rejection_keeps_its_reason() -> None:
    g = given()
    g.when(reject("  seal broken  ")).then_events("Rejected")
    assert g.case.outcome == "rejected"


@pytest.mark.parametrize(
    ("decide", "event"),
    [(accept(AGENT), "Accepted"), (reject(actor=AGENT), "Rejected")],
    ids=["accept", "reject"],
)
def test_the_platform_decides_for_the_merchant_only_after_its_deadline(
    decide: Move, event: str
) -> None:
    g = given(CaseKind.RETURN_REFUND, Reason.QUALITY_DEFECT)
    due = g.case.deadlines[Clock.MERCHANT_DECISION].due_at
    g.when(decide, at=due - US).then_error(IllegalTransition, rule="R12.a")
    # R12.a reading (issue 7): at the deadline a silent merchant is taken to agree, whatever
    # the kind; the acceptance cites R12.a and the platform has nothing left to decide.
    g.when(expire(Clock.MERCHANT_DECISION), at=due).then_events("SlaBreached", "Accepted")
    assert g.case.status.value == "awaiting_return"
    g.when(decide).then_error(IllegalTransition, rule="R12")
    assert event in ("Accepted", "Rejected")


def test_the_system_accepts_only_after_the_deadline() -> None:
    g = given(CaseKind.RETURN_REFUND, Reason.QUALITY_DEFECT)
    g.when(accept(SYSTEM)).then_error(IllegalTransition, rule="R12.a")


def test_the_platform_confirms_receipt_only_after_the_merchants_24_hours() -> None:
    g = given().did(*RECEIVED[:3])
    g.when(confirm_receipt(AGENT)).then_error(IllegalTransition, rule="R3", match="24-hour")


# ----------------------------------------------------------------------------- R18 rating
def test_rating_before_the_case_is_closed_is_refused() -> None:
    g = given().did(*REFUND_APPROVED)
    g.when(rate(5)).then_error(RatingNotAllowed, rule="R18", match="once it is closed")


def test_rating_twice_is_refused() -> None:
    g = given().did(reject(), close(), rate(4))
    g.when(rate(5)).then_error(RatingNotAllowed, rule="R18", match="rated already")
    assert g.case.rating == 4


@pytest.mark.parametrize("score", [0, 6, True])
def test_a_rating_is_a_whole_number_from_one_to_five(score: int) -> None:
    g = given().did(reject(), close())
    g.when(rate(score)).then_error(InvalidInput, rule="R18")


# ----------------------------------------------------------------------------- input
def test_a_move_dated_before_the_last_step_is_refused() -> None:
    g = given().did(accept())
    error = g.when(ship_return(), at=datetime(2026, 9, 1, tzinfo=g.now.tzinfo)).then_error(
        InvalidInput, rule="input"
    )
    assert "cannot be earlier" in str(error)


def test_a_naive_time_is_refused() -> None:
    error = (
        given().when(accept(), at=datetime(2026, 9, 25, 9)).then_error(InvalidInput, rule="input")
    )
    assert "time zone" in str(error)


def test_only_staff_write_internal_notes() -> None:
    given().when(note(CONSUMER, internal=True)).then_error(InvalidInput, rule="P4")


def test_merchant_staff_must_name_their_store() -> None:
    with pytest.raises(ValueError, match="merchant_id"):
        Actor(Role.MERCHANT, "staff")


def test_every_refusal_is_a_domain_error_with_a_rule() -> None:
    for cls in DomainError.__subclasses__():
        assert isinstance(cls.rule, str) and cls.rule
