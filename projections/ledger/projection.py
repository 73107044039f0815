"""The ledger projection: books Case events into the journal (the entry table is in
``projections/ledger/__init__.py``).

Handlers take ``(tx, event, case: CaseRow)``. Besides the built-in ones, a module
``projections.ledger_fees`` (if present) may give:

- ``HANDLERS: dict[str, Handler]``: event name (``"RepairFeePaid"``) -> handler, run after the
  built-in handler of that event if there is one, in the same transaction;
- ``REPLACES: dict[str, Handler]``: event name -> handler run instead of the built-in one.

They book with :func:`projections.ledger.post` and :func:`projections.ledger.dr` /
:func:`projections.ledger.cr` (every entry is checked to balance).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any

from eventsourcing.utils import get_topic

from projections.db import DbConnection
from projections.ledger import compensation_repair as cr_
from projections.ledger import refunds
from projections.ledger.accounts import LEDGER_PROJECTION, LEDGER_TABLES, LedgerError
from projections.ledger.booking import CaseRow, case_topic, load_case

Handler = Callable[[DbConnection, Any, CaseRow], None]

BUILT_IN: Mapping[str, Handler] = {
    "RefundApproved": refunds.refund_approved,
    "RefundPaid": refunds.refund_paid,
    "RefundFailed": refunds.refund_failed,
    "RefundRetried": refunds.refund_retried,
    "RefundRerouted": refunds.refund_rerouted,
    "PaymentReopened": refunds.payment_reopened,
    "CompensationGranted": cr_.compensation_granted,
    "CompensationPaid": cr_.compensation_paid,
    "QuoteAccepted": cr_.quote_accepted,
    "RepairCompleted": cr_.repair_completed,
    "Closed": cr_.case_ended,
    "Withdrawn": cr_.case_ended,
}
HOOK_MODULE = "projections.ledger_fees"


def _hook(name: str) -> Mapping[str, Handler]:
    try:
        module = importlib.import_module(HOOK_MODULE)
    except ModuleNotFoundError as missing:
        if missing.name != HOOK_MODULE:
            raise
        return {}
    found: Mapping[str, Handler] = getattr(module, name, {})
    return found


def handlers() -> dict[str, list[Handler]]:
    """Event name -> the handlers that book it, in order (built-in, then the fee hook's)."""
    replaced = _hook("REPLACES")
    out: dict[str, list[Handler]] = {
        name: [replaced.get(name, handler)] for name, handler in BUILT_IN.items()
    }
    for name, handler in replaced.items():
        out.setdefault(name, [handler])
    for name, handler in _hook("HANDLERS").items():
        out.setdefault(name, []).append(handler)
    return out


class LedgerProjection:
    """Books Case events into the double-entry journal."""

    name = LEDGER_PROJECTION
    tables = LEDGER_TABLES

    def __init__(self) -> None:
        self._handlers = {case_topic(n): hs for n, hs in handlers().items()}
        self._opened = case_topic("Opened")
        self.topics: tuple[str, ...] = (self._opened, *self._handlers)

    def process(self, tx: DbConnection, event: Any, notification_id: int) -> None:
        topic = get_topic(type(event))
        if topic == self._opened:
            refunds.case_opened(tx, event)
            return
        booking = self._handlers.get(topic)
        if not booking:
            return
        case = load_case(tx, str(event.originator_id))
        if case is None:
            raise LedgerError(
                f"{type(event).__name__} for case id {event.originator_id} arrived before the "
                "case was opened in the ledger (was the ledger started mid-log? rebuild it)"
            )
        version = int(event.originator_version)
        if version <= case.last_version:
            return  # replayed: booked already
        for handler in booking:
            handler(tx, event, case)
            case = load_case(tx, case.case_id) or case
        tx.execute(
            "UPDATE ledger_cases SET last_version = ? WHERE case_id = ?", (version, case.case_id)
        )


PROJECTIONS = (LedgerProjection,)
"""For :mod:`projections.registry`."""
