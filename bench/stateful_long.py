"""The service state machine (issue 10, ``tests/unit/stateful_service.py``) under the "long"
hypothesis profile: at least 10,000 sequences, each a new seeded store with up to three cases on
one order, every declared move of every role, the clock and the timers, every invariant after
every step. Prints what it ran and what it found.

    .venv/bin/python bench/stateful_long.py [--sequences 10000] [--steps N] [--seed N]

The same machine runs in the suite under the "ci" profile (CI=true: bounded, derandomized); to run
the suite's test under this profile instead:
``.venv/bin/python -m pytest tests/unit/test_stateful_service.py --hypothesis-profile=long``.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from hypothesis import HealthCheck, Phase, settings
from hypothesis import seed as fixed_seed
from hypothesis.stateful import run_state_machine_as_test

from domain.process import Move
from tests.conftest import LONG_STEPS
from tests.unit.stateful_service import CaseMachine, Tally


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sequences", type=int, default=10_000)
    parser.add_argument("--steps", type=int, default=LONG_STEPS, help="rules at most a sequence")
    parser.add_argument("--seed", type=int, default=None)
    args = parser.parse_args()
    budget = settings(
        max_examples=args.sequences,
        stateful_step_count=args.steps,
        deadline=None,
        database=None,
        phases=[Phase.generate, Phase.shrink],
        suppress_health_check=list(HealthCheck),
    )
    machine = CaseMachine if args.seed is None else fixed_seed(args.seed)(CaseMachine)
    start = time.monotonic()
    failure = ""
    try:
        run_state_machine_as_test(machine, settings=budget)
    except BaseException as error:  # the shrunk failing sequence is printed by hypothesis
        failure = "".join(traceback.format_exception_only(type(error), error)).strip()
    elapsed = time.monotonic() - start
    moves = sum(Tally.moves.values())
    print(f"sequences run: {Tally.sequences} (budget {args.sequences}, <= {args.steps} rules each)")
    print(f"moves attempted: {Tally.steps}; made (offered and succeeded): {moves}")
    print(f"timer breaches fired: {Tally.fired}")
    print(f"distinct moves made: {len(Tally.moves)} of 28; states seen: {len(Tally.states)}")
    missing = [m.value for m in Move if m.value not in Tally.moves]
    print("moves never made: " + (", ".join(missing) or "none"))
    print(f"refusals (error:rule): {len(Tally.refusals)} kinds, {sum(Tally.refusals.values())}")
    print(f"time: {elapsed:.0f} s ({elapsed / max(Tally.sequences, 1) * 1000:.0f} ms a sequence)")
    print("findings: " + (failure or "none (every invariant held after every step)"))
    return 1 if failure else 0


if __name__ == "__main__":
    sys.exit(main())
