"""The base of the events of a case, version 2 (issue 7): each carries the status it leads to
(``status``), the rule it applied (``rule``) and the moves each role may make after it
(``allowed``), besides who acted (``actor``), when (``at``), why (``reason``) and the deadlines
open after it.

Version 1 events (stored before the process declaration) are upcast: ``status`` from the event
where it said so (its own field, or the one state its kind always led to), else ``None`` for
"unchanged"; ``rule`` from the declaration; ``allowed`` ``None`` (unknown). Upcasting happens
when events are read for replay; the hash chain is verified over the stored (not upcast) bytes.

Each class's ``change`` applies what is particular to it; ``apply`` then sets the common facts.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from domain.case_values import Status
from domain.chain import ChainedAggregate
from domain.deadlines import Deadline
from domain.process.declaration import MOVES
from domain.process.moves import Move
from domain.values import Actor, Role

if TYPE_CHECKING:
    from domain.case.guards import CaseGuards as CaseBase

Allowed = dict[str, list[str]]


class CaseEvent(ChainedAggregate.Event):
    """Common to every Case event from version 2 on."""

    class_version = 2

    actor: Actor
    at: datetime
    reason: str
    deadlines: tuple[Deadline, ...]
    status: Status | None
    rule: str
    allowed: Allowed | None

    LEADS_TO: ClassVar[Status | None] = None  # the state this kind of event always leads to
    MOVE: ClassVar[Move | None] = None  # the move that records it (for the v1 rule)
    RULE: ClassVar[str] = "R21"  # the rule when no move names one

    @classmethod
    def upcast_v1_v2(cls, state: dict[str, Any]) -> None:
        if state.get("status") is None:
            state["status"] = cls.LEADS_TO.value if cls.LEADS_TO is not None else None
        state["rule"] = cls.v1_rule(state)
        state["allowed"] = None

    @classmethod
    def v1_rule(cls, state: dict[str, Any]) -> str:
        return MOVES[cls.MOVE].rule if cls.MOVE is not None else cls.RULE

    def apply(self, aggregate: Any) -> None:
        case: CaseBase = aggregate
        self.change(case)
        case.updated_at = self.at
        case.deadlines = {d.name: d for d in self.deadlines}
        if self.status is not None:
            case.status = Status(self.status)

    def change(self, case: CaseBase) -> None:
        """What this kind of event changes besides time, deadlines and status."""


def _name(deadline: Any) -> str:
    value = deadline.get("name") if isinstance(deadline, dict) else getattr(deadline, "name", "")
    return str(getattr(value, "value", value))


def _due(deadline: Any) -> Any:
    return deadline.get("due_at") if isinstance(deadline, dict) else deadline.due_at


def _system_stand_in(state: dict[str, Any], rule: str) -> str:
    actor = state.get("actor")
    role = getattr(actor, "role", None)
    return "R12.a" if role is not None and Role(role) is Role.SYSTEM else rule
