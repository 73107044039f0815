"""Issue 7: ``Case.allowed_moves(actor)`` agrees with what the case accepts. Property: in random
reachable states, for actors of every role, a move is offered iff it succeeds with some valid
input (``process_walk.candidates``); and every event records the moves allowed after it."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.case import Case
from domain.process import MOVES, Move

from .builders import OTHER_CONSUMER, OTHER_MERCHANT
from .process_walk import OPENINGS, actors, opened, step_time, succeeds


def walk(opening: int, steps: list[tuple[int, int, bool]]) -> Case:
    """From a fresh case, make random possible moves (by random roles), sometimes letting the
    earliest open deadline run out instead (as the timer worker does)."""
    case = opened(*OPENINGS[opening])
    case.collect_events()
    for role_pick, move_pick, expire in steps:
        running = [d for d in case.deadlines.values() if not d.breached]
        if expire and running:
            first = min(running, key=lambda d: d.due_at)
            case.expire(clock=first.name, at=max(first.due_at, case.updated_at))
            case.collect_events()
            continue
        everyone = list(actors(case))
        actor = everyone[role_pick % len(everyone)]
        offered = case.allowed_moves(actor)
        if not offered:
            continue
        move = offered[move_pick % len(offered)]
        after = succeeds(case, move, actor, step_time(case))
        assert after is not None, f"{move} was offered to {actor.role} and failed"
        after.collect_events()
        case = after
    return case


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    opening=st.integers(0, len(OPENINGS) - 1),
    steps=st.lists(
        st.tuples(st.integers(0, 50), st.integers(0, 50), st.integers(0, 5).map(lambda n: n == 0)),
        max_size=10,
    ),
)
def test_a_move_is_offered_iff_it_succeeds_with_some_valid_input(
    opening: int, steps: list[tuple[int, int, bool]]
) -> None:
    case = walk(opening, steps)
    at = step_time(case)
    for actor in [*actors(case), OTHER_CONSUMER, OTHER_MERCHANT]:
        offered = set(case.allowed_moves(actor, at))
        for move in MOVES:
            ok = succeeds(case, move, actor, at) is not None
            assert ok == (move in offered), (
                f"{actor.role.value} {move.value} in {case.kind.value}/{case.status.value}: "
                f"offered={move in offered}, succeeds={ok}"
            )


def test_a_stranger_is_offered_nothing() -> None:
    case = opened(*OPENINGS[0])
    assert case.allowed_moves(OTHER_CONSUMER) == ()
    assert case.allowed_moves(OTHER_MERCHANT) == ()


def test_every_event_records_its_status_rule_and_the_moves_allowed_after_it() -> None:
    case = opened(*OPENINGS[0])
    merchant = next(a for a in actors(case) if a.role.value == "merchant")
    case.accept(actor=merchant, at=step_time(case))
    for event in case.collect_events():
        assert event.class_version == 2
        assert event.status == case.status or type(event).__name__ == "Opened"
        assert event.rule in ("R1", "R12")
        assert event.allowed is not None
    assert event.allowed == {
        a.role.value: [m.value for m in case.allowed_moves(a)] for a in actors(case)
    }
    assert Move.SHIP_RETURN.value in event.allowed["consumer"]
