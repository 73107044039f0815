"""The case process, declared once (issue 7): moves (``Move``, ``MoveSpec``, ``InputSpec``), the
R10 carry-out table, and (``clocks``, ``states``) every state's owner, clock and consequence.

Everything that decides which moves are legal reads this package: ``Case``'s guards and
``Case.allowed_moves``, the events' ``rule``, the service's generic ``perform`` and the generated
``docs/process.md``."""

from domain.process.declaration import CARRY_OUT, MOVES, spec
from domain.process.inputs import InputSpec, InputType
from domain.process.moves import CarryOut, Move, MoveSpec, StandIn

__all__ = [
    "CARRY_OUT",
    "MOVES",
    "CarryOut",
    "InputSpec",
    "InputType",
    "Move",
    "MoveSpec",
    "StandIn",
    "spec",
]
