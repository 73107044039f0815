"""Issue 7: no module outside domain/ decides which moves are legal. The read side projects what
the events say (status, rule, moves allowed per role) and reads whose turn a state is from the
process declaration; it holds no copy of the transitions and tests no status string."""

from __future__ import annotations

import re
from pathlib import Path

PROJECTIONS = Path(__file__).resolve().parents[2] / "projections"

# A status compared with a literal, or a table of statuses / transitions kept here.
_GUARDS = re.compile(
    r"""status\s*(==|!=)\s*["']"""  # status == "received"
    r"""|status\s+(not\s+)?in\s*[(\[{_]"""  # status in ("closed", ...) / in _TERMINAL
    r"""|_STATUS_AFTER|_WAITING\b|_TERMINAL\b|_FIXED_RULES|_CLOSE_RULES"""
)


def test_no_projection_tests_a_status_or_mirrors_a_transition() -> None:
    found = [
        f"{path.name}:{number}: {line.strip()}"
        for path in sorted(PROJECTIONS.glob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if _GUARDS.search(line)
    ]
    assert not found, "\n".join(found)


def test_the_pattern_finds_what_it_is_meant_to_find() -> None:
    for guard in (
        'if status == "received":',
        "if case.status in ('closed', 'withdrawn'):",
        "if status not in _TERMINAL:",
        '_STATUS_AFTER = {"Rejected": "rejected"}',
    ):
        assert _GUARDS.search(guard), guard
    for fine in ("WHERE status IN (?, ?)", "status = status_after(event, previous)"):
        assert not _GUARDS.search(fine), fine
