"""Issue 10: the service under a hypothesis state machine (``stateful_service.CaseMachine``):
every declared move of every role, the clock and the timers, with the case's legality, its
deadlines (policy clocks), ``allowed_moves``, the refund ceiling (R3.a) and the hash chains
checked after every step. The budget is the hypothesis profile's ("ci" under CI=true, "dev"
otherwise; ``bench/stateful_long.py`` runs "long")."""

from __future__ import annotations

from .stateful_service import CaseMachine

TestCaseMachine = CaseMachine.TestCase
