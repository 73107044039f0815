"""Issue 10: the service under a hypothesis state machine (``stateful_service.CaseMachine``):
every declared move of every role, the clock and the timers, with the case's legality, its
deadlines (policy clocks), ``allowed_moves``, the refund ceiling (R3.a) and the hash chains
checked after every step. The budget follows the hypothesis profile (``STATE_MACHINE_BUDGET`` in
tests/conftest.py: "ci" under CI=true, derandomized; "dev" otherwise; "long" on request)."""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis.stateful import run_state_machine_as_test

from tests.conftest import STATE_MACHINE_BUDGET

from .stateful_service import CaseMachine


def test_the_service_holds_its_invariants_after_every_step() -> None:
    sequences, rules = STATE_MACHINE_BUDGET.get(settings.get_current_profile_name(), (30, 25))
    budget = settings(
        max_examples=sequences,
        stateful_step_count=rules,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    run_state_machine_as_test(CaseMachine, settings=budget)
