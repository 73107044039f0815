"""The case moves of the service, one generic path driven by the process declaration (issue 7):
``perform(move, request_id=..., actor=..., case_no=..., **inputs)`` checks the inputs the
declaration names (types, bounds, the floor of ``domain.inputs``), runs the move on a freshly
loaded case, reads the clock only after loading it, and saves the case (and an order whose
claim a closed case releases) with the idempotency record in one transaction.

Each move is also a method under its old name (``accept``, ``ship_return`` ... ``close_case``),
generated from the declaration, so callers keep working; old flat shipment inputs (``carrier``,
``tracking_no``, ``fee_fen``) are still understood.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from domain import inputs as floor
from domain.calendar import WorkingCalendar, require_aware
from domain.case import Case
from domain.case_values import Ruling, Shipment
from domain.deadlines import Clock
from domain.errors import DomainError, InvalidInput
from domain.idempotency import arguments_of
from domain.process import MOVES, InputSpec, InputType, Move, MoveSpec
from domain.values import Actor, Role

if TYPE_CHECKING:
    from domain.service import Result

_SHIPMENT_FIELDS = ("carrier", "tracking_no", "fee_fen")


def enum_value(cls: type[Any], value: Any, field: str) -> Any:
    try:
        return cls(value)
    except ValueError:
        choices = ", ".join(m.value for m in cls)
        raise InvalidInput(f"unknown {field} {value!r}; one of: {choices}", field=field) from None


def _shipment(value: Any, field: str) -> Shipment:
    if isinstance(value, Shipment):
        return value
    if isinstance(value, Mapping):
        carrier, tracking = value.get("carrier", ""), value.get("tracking_no", "")
        if not isinstance(carrier, str) or not isinstance(tracking, str):
            raise InvalidInput("carrier and tracking number are text", field=field)
        return Shipment(carrier.strip(), tracking.strip(), value.get("fee_fen", 0))
    raise InvalidInput("a shipment names its carrier and tracking number", field=field)


def _ruling(value: Any) -> Ruling:
    if isinstance(value, Ruling):
        return value
    if isinstance(value, Mapping):
        try:
            return Ruling(**value)
        except TypeError:
            raise InvalidInput("a ruling has outcome and amounts only", field="ruling") from None
    raise InvalidInput("a ruling names its outcome", field="ruling", rule="R10")


def _convert(item: InputSpec, value: Any, now: datetime) -> Any:
    kind = item.type
    if kind is InputType.ENUM and item.choices is not None:
        return enum_value(item.choices, value, item.name)
    if kind is InputType.SHIPMENT:
        return None if value is None else _shipment(value, item.name)
    if kind is InputType.EVIDENCE_LIST:
        return tuple(value)
    if kind is InputType.RULING:
        return _ruling(value)
    if kind is InputType.DATETIME and value is not None:
        return require_aware(value, item.name)
    return value


def _missing(item: InputSpec, now: datetime) -> Any:
    if item.required:
        raise InvalidInput(f"{item.name} is required", field=item.name)
    if item.default is not None:
        return item.default
    if item.type is InputType.DATETIME and item.defaults_to_now:
        return now
    return {
        InputType.TEXT: "",
        InputType.LONG_TEXT: "",
        InputType.BOOL: False,
        InputType.EVIDENCE_LIST: (),
    }.get(item.type)


def _flat_shipment(spec: MoveSpec, given: dict[str, Any]) -> None:
    """The old flat form: ``carrier``, ``tracking_no`` (and ``fee_fen``) for a shipment input."""
    shipping = [i for i in spec.inputs if i.type is InputType.SHIPMENT]
    if not shipping or not any(k in given for k in ("carrier", "tracking_no")):
        return
    parts = {k: given.pop(k) for k in _SHIPMENT_FIELDS if k in given}
    if not (parts.get("carrier") or parts.get("tracking_no")) and not shipping[0].required:
        return  # an optional shipment left empty (an on-site repair)
    given[shipping[0].name] = parts


def move_inputs(spec: MoveSpec, given: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """The declared inputs of ``spec`` as the case's move takes them."""
    values = dict(given)
    _flat_shipment(spec, values)
    known = {i.name for i in spec.inputs}
    unknown = sorted(set(values) - known)
    if unknown:
        raise InvalidInput(
            f"{spec.move.value} takes {sorted(known) or 'no inputs'}, not {unknown}",
            field=unknown[0],
        )
    out: dict[str, Any] = {}
    for item in spec.inputs:
        if item.name in values and values[item.name] is not None:
            out[item.name] = _convert(item, values[item.name], now)
        else:
            out[item.name] = _missing(item, now)
    return out


class MoveCommand:
    """A service method for one move, under the name its callers know (``close_case`` ...)."""

    def __init__(self, move: Move) -> None:
        self.move = move

    def __get__(self, service: Any, owner: type[Any] | None = None) -> Callable[..., Result]:
        move = self.move

        def command(*, request_id: str, actor: Actor, case_no: str, **inputs: Any) -> Result:
            result: Result = service.perform(
                move, request_id=request_id, actor=actor, case_no=case_no, **inputs
            )
            return result

        command.__name__ = MOVES[move].command_name
        command.__doc__ = f"{MOVES[move].label} ({MOVES[move].rule}): see ``perform``."
        return command


class CaseCommands:
    """Mixed into ``AfterSales``: every case move through one path."""

    if TYPE_CHECKING:
        calendar: WorkingCalendar

        def _now(self) -> datetime: ...

        def get_case(self, case_no: str, version: int | None = None) -> Case: ...

        def _on_case(
            self,
            request_id: str,
            command: str,
            actor: Actor,
            case_no: str,
            move: Callable[[Case, datetime], Mapping[str, Any] | None],
        ) -> Result: ...

    def perform(
        self, move: Move | str, *, request_id: str, actor: Actor, case_no: str, **inputs: Any
    ) -> Result:
        """Make ``move`` on case ``case_no`` with the inputs the declaration names for it."""
        spec = MOVES[enum_value(Move, move, "move")]
        floor.check_arguments({"case_no": case_no, **inputs})

        def make(case: Case, now: datetime) -> Mapping[str, Any] | None:
            values = move_inputs(spec, inputs, now)
            if spec.move is Move.APPROVE_REFUND:
                values["calendar"] = self.calendar
            result = getattr(case, spec.move.value)(actor=actor, at=now, **values)
            total = getattr(result, "total_fen", None)
            return {"total_fen": total} if isinstance(total, int) else None

        with arguments_of({"case_no": case_no, **inputs}):
            return self._on_case(request_id, spec.command_name, actor, case_no, make)

    def expire(self, *, case_no: str, clock: Clock | str) -> Result:
        """A timer found ``clock`` due on ``case_no``: record the breach and its consequence
        (the process declaration). Idempotent: the request id names the case, the clock and its
        due time."""
        name = enum_value(Clock, clock, "clock")
        case = self.get_case(case_no)
        due = case.deadlines.get(name)
        due_key = due.due_at.isoformat() if due is not None else "none"
        request_id = f"timer:{case_no}:{name.value}:{due_key}"
        system = Actor(Role.SYSTEM, "timer")
        try:
            return self._on_case(
                request_id,
                "expire",
                system,
                case_no,
                lambda c, now: {"fired": c.expire(clock=name, at=now, calendar=self.calendar)},
            )
        except DomainError as refusal:  # nothing was stored: record the breach, escalate
            why = f"[{refusal.rule}] {refusal.message}"
            return self._on_case(
                request_id,
                "expire",
                system,
                case_no,
                lambda c, now: {"fired": c.expire_to_supervisor(clock=name, at=now, refusal=why)},
            )

    accept = MoveCommand(Move.ACCEPT)
    reject = MoveCommand(Move.REJECT)
    ship_return = MoveCommand(Move.SHIP_RETURN)
    record_return_delivered = MoveCommand(Move.RECORD_RETURN_DELIVERED)
    confirm_receipt = MoveCommand(Move.CONFIRM_RECEIPT)
    inspect = MoveCommand(Move.INSPECT)
    quote_repair = MoveCommand(Move.QUOTE_REPAIR)
    answer_quote = MoveCommand(Move.ANSWER_QUOTE)
    complete_repair = MoveCommand(Move.COMPLETE_REPAIR)
    ship_exchange = MoveCommand(Move.SHIP_EXCHANGE)
    confirm_goods_received = MoveCommand(Move.CONFIRM_GOODS_RECEIVED)
    ship_back = MoveCommand(Move.SHIP_BACK)
    approve_refund = MoveCommand(Move.APPROVE_REFUND)
    record_refund_paid = MoveCommand(Move.RECORD_REFUND_PAID)
    record_refund_failed = MoveCommand(Move.RECORD_REFUND_FAILED)
    retry_refund_payment = MoveCommand(Move.RETRY_REFUND_PAYMENT)
    reroute_refund_payment = MoveCommand(Move.REROUTE_REFUND_PAYMENT)
    reopen_refund_payment = MoveCommand(Move.REOPEN_REFUND_PAYMENT)
    grant_compensation = MoveCommand(Move.GRANT_COMPENSATION)
    record_compensation_paid = MoveCommand(Move.RECORD_COMPENSATION_PAID)
    file_complaint = MoveCommand(Move.FILE_COMPLAINT)
    respond_to_complaint = MoveCommand(Move.RESPOND_TO_COMPLAINT)
    give_opinion = MoveCommand(Move.GIVE_OPINION)
    escalate = MoveCommand(Move.ESCALATE)
    submit_evidence = MoveCommand(Move.SUBMIT_EVIDENCE)
    rule = MoveCommand(Move.RULE)
    route = MoveCommand(Move.ROUTE)
    add_note = MoveCommand(Move.ADD_NOTE)
    withdraw = MoveCommand(Move.WITHDRAW)
    close_case = MoveCommand(Move.CLOSE)
    rate = MoveCommand(Move.RATE)


def every_move_has_a_command() -> Sequence[str]:
    """The moves without a service method (a test keeps this empty)."""
    return [s.command_name for s in MOVES.values() if not hasattr(CaseCommands, s.command_name)]
