"""Write docs/process.md from the declaration: ``python -m domain.process.document`` (or
``--check`` to fail when the file is stale). A table of moves and of states per kind, and a
Mermaid state diagram per kind, so a newcomer sees the whole process at once."""

from __future__ import annotations

import sys
from pathlib import Path

from domain.case_values import Status
from domain.process.clocks import CLOCKS
from domain.process.declaration import CARRY_OUT, MOVES
from domain.process.moves import MoveSpec
from domain.process.states import OVERLAYS, STATES
from domain.values import CaseKind

TARGET = Path(__file__).resolve().parents[2] / "docs" / "process.md"


def _roles(spec: MoveSpec) -> str:
    roles = ", ".join(sorted(r.value for r in spec.roles))
    if spec.stand_in is not None:
        stand = ", ".join(sorted(r.value for r in spec.stand_in.roles))
        roles += f"; {stand} after `{spec.stand_in.after.value}` ({spec.stand_in.rule})"
    return roles


def _inputs(spec: MoveSpec) -> str:
    parts = []
    for item in spec.inputs:
        mark = "" if item.required else "?"
        parts.append(f"{item.name}{mark}: {item.type.value}")
    return ", ".join(parts) or "-"


def _moves_of(kind: CaseKind) -> list[MoveSpec]:
    return [s for s in MOVES.values() if kind in s.kinds]


def _sources(spec: MoveSpec, kind: CaseKind) -> str:
    if spec.sources is None:
        return "any open state" + (" or closed" if spec.on_closed else "")
    reachable = {status for (k, status) in STATES if k is kind}
    names = sorted(s.value for s in spec.sources if s in reachable or s is Status.RULED)
    return ", ".join(names) or "-"


def _target(spec: MoveSpec) -> str:
    if spec.target_note:
        return spec.target_note
    return spec.target.value if spec.target is not None else "unchanged"


def _kind_section(kind: CaseKind) -> list[str]:
    out = [
        f"## {kind.value}",
        "",
        "| state | owner | clock (rule, length) | when it runs out | queue |",
    ]
    out.append("|---|---|---|---|---|")
    for (k, status), state in STATES.items():
        if k is not kind:
            continue
        if state.terminal:
            out.append(f"| {status.value} | - (terminal) | - | - | - |")
            continue
        assert state.clock is not None and state.consequence is not None
        clock = CLOCKS[state.clock]
        length = clock.length_in_words(kind)
        out.append(
            f"| {status.value} | {state.owner.value if state.owner else '-'} | "
            f"{clock.clock.value} ({clock.rule}, {length} {clock.unit.value} from "
            f"{clock.starts}) | {state.consequence.describe()} | {state.queue} |"
        )
    out += ["", "| move | rule | who | from | to | inputs |", "|---|---|---|---|---|---|"]
    for spec in _moves_of(kind):
        out.append(
            f"| {spec.move.value} | {spec.rule} | {_roles(spec)} | {_sources(spec, kind)} | "
            f"{_target(spec)} | {_inputs(spec)} |"
        )
    out += ["", "```mermaid", "stateDiagram-v2"]
    reachable = {status for (k, status) in STATES if k is kind}
    for spec in _moves_of(kind):
        if spec.sources is None or spec.target is None:
            continue
        for source in sorted(spec.sources & reachable, key=list(Status).index):
            if source is not spec.target:
                out.append(f"    {source.value} --> {spec.target.value}: {spec.move.value}")
    for (k, status), state in STATES.items():
        if k is kind and state.consequence is not None and state.clock is not None:
            out.append(f"    {status.value} --> {status.value}: ⏰ {state.clock.value}")
    out += ["```", ""]
    return out


def render() -> str:
    lines = [
        "# The case process",
        "",
        "Generated from `domain/process/` by `python -m domain.process.document`; do not edit.",
        "A test fails when this file is stale. Every open state has an owner, a clock and what "
        "happens when the clock runs out; moves marked with a stand-in may be made by the "
        "platform (or the system) in the owner's place once the owner's deadline passed (R12.a).",
        "",
        "## Clocks beside a state's own clock",
        "",
        "| clock | rule | length | when it runs out |",
        "|---|---|---|---|",
    ]
    for clock, consequence in OVERLAYS.items():
        spec = CLOCKS[clock]
        length = spec.length_in_words()
        lines.append(
            f"| {clock.value} | {spec.rule} | {length} {spec.unit.value} from {spec.starts} | "
            f"{consequence.describe()} |"
        )
    lines += [
        "",
        "## After a ruling (R10)",
        "",
        "| outcome | moves that carry it out |",
        "|---|---|",
    ]
    for outcome, moves in CARRY_OUT.by_outcome.items():
        names = ", ".join(sorted(m.value for m in moves)) or "none (closed)"
        lines.append(f"| {outcome.value} | {names} |")
    always = ", ".join(sorted(m.value for m in CARRY_OUT.always))
    lines += ["", f"Whatever the ruling: {always}.", ""]
    for kind in CaseKind:
        lines += _kind_section(kind)
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        current = TARGET.read_text(encoding="utf-8") if TARGET.exists() else ""
        if current != text:
            print(f"{TARGET} is stale: run python -m domain.process.document", file=sys.stderr)
            return 1
        return 0
    TARGET.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
