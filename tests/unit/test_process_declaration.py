"""Issue 7: the declaration is complete. Every (kind, state) is terminal or has an owner, a clock
and a consequence; every clock a state or overlay names is declared with its rule and length;
every move names its rule, roles and inputs; docs/process.md is what the declaration says."""

from __future__ import annotations

import pytest

from domain.case_values import Status
from domain.process import MOVES, InputType
from domain.process.clocks import CLOCKS
from domain.process.document import TARGET, render
from domain.process.states import OVERLAYS, STATES, Effect
from domain.terms import PolicyTerms
from domain.values import CaseKind

RULE_IDS = {f"R{n}" for n in range(1, 26)} | {"R1.a", "R1.b", "R1.c", "R3.a", "R5.a", "R9.a"}
RULE_IDS |= {"R12.a", "P2"}


@pytest.mark.parametrize("key", list(STATES), ids=lambda k: f"{k[0].value}/{k[1].value}")
def test_every_state_is_terminal_or_has_an_owner_a_clock_and_a_consequence(
    key: tuple[CaseKind, Status],
) -> None:
    state = STATES[key]
    if key[1].is_terminal:
        assert state.terminal and state.clock is None and state.consequence is None
        return
    assert state.owner is not None, key
    assert state.clock is not None and state.clock in CLOCKS, key
    assert state.consequence is not None, key
    assert state.queue, key
    if state.consequence.effect is Effect.ESCALATE:
        assert state.consequence.queue
    if state.consequence.effect is Effect.CLOSE:
        assert state.consequence.outcome


def test_every_kind_has_its_states_and_ruled_is_only_for_version_1_cases() -> None:
    for kind in CaseKind:
        states = {status for (k, status) in STATES if k is kind}
        assert {Status.CLOSED, Status.WITHDRAWN} <= states
        assert Status.RULED not in states
    goods = {status for (k, status) in STATES if k is CaseKind.RETURN_REFUND}
    assert Status.RETURN_IN_TRANSIT in goods and Status.GOODS_RETURNING in goods
    complaint = {status for (k, status) in STATES if k is CaseKind.COMPLAINT}
    assert Status.RETURN_IN_TRANSIT not in complaint and Status.COMPLAINT_OPEN in complaint


def test_every_clock_has_a_rule_a_party_and_a_positive_length() -> None:
    terms = PolicyTerms(categories=("phones",))
    for clock, spec in CLOCKS.items():
        assert spec.rule in RULE_IDS, clock
        assert spec.length(terms) > 0, clock
        assert spec.term == "" or hasattr(terms, spec.term), clock
    for clock in OVERLAYS:
        assert clock in CLOCKS


def test_every_move_names_a_rule_roles_and_typed_inputs() -> None:
    for move, spec in MOVES.items():
        assert spec.rule in RULE_IDS, move
        assert spec.roles, move
        assert spec.label, move
        for item in spec.inputs:
            if item.type in (InputType.TEXT, InputType.LONG_TEXT):
                assert item.max_length, (move, item.name)
            if item.type in (InputType.MONEY_FEN, InputType.INT_RANGE):
                assert item.minimum is not None and item.maximum is not None, (move, item.name)
            if item.type is InputType.ENUM:
                assert item.choice_values, (move, item.name)


def test_docs_process_md_is_generated_from_the_declaration() -> None:
    """Run ``python -m domain.process.document`` after changing the declaration."""
    assert TARGET.read_text(encoding="utf-8") == render(), "docs/process.md is stale"
