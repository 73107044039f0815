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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from eventsourcing.utils import get_topic

from projections.batching import select_in
from projections.db import DbConnection
from projections.ledger import compensation_repair as cr_
from projections.ledger import refunds
from projections.ledger.accounts import LEDGER_PROJECTION, LEDGER_TABLES, LedgerError
from projections.ledger.booking import (
    BATCH,
    CASE_COLUMNS,
    CaseRow,
    LedgerBatch,
    case_row,
    case_topic,
    load_case,
)

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
            raise _not_opened(event)
        version = int(event.originator_version)
        if version <= case.last_version:
            return  # replayed: booked already
        for handler in booking:
            handler(tx, event, case)
            case = load_case(tx, case.case_id) or case
        tx.execute(
            "UPDATE ledger_cases SET last_version = ? WHERE case_id = ?", (version, case.case_id)
        )

    def process_batch(self, tx: DbConnection, items: Sequence[tuple[Any, int]]) -> None:
        """As :meth:`process` event by event, with one read of the batch's cases, no read per
        event (each case's row kept here, each entry's line numbers counted here) and each
        ``ledger_cases`` row written once, at the end (issue 12)."""
        wanted = {str(event.originator_id) for event, _ in items}
        rows = select_in(tx, f"SELECT {CASE_COLUMNS} FROM ledger_cases WHERE", "case_id", wanted)
        batch = LedgerBatch(cases={str(r["case_id"]): case_row(r) for r in rows})
        token = BATCH.set(batch)
        try:
            for event, _ in items:
                self._book(tx, event, batch)
        finally:
            BATCH.reset(token)
        _write_cases(tx, batch)

    def _book(self, tx: DbConnection, event: Any, batch: LedgerBatch) -> None:
        topic = get_topic(type(event))
        case_id = str(event.originator_id)
        version = int(event.originator_version)
        if topic == self._opened:
            if case_id not in batch.cases:  # else: ON CONFLICT DO NOTHING, as process
                row = refunds.opened_row(event)
                batch.opened[case_id] = row
                batch.cases[case_id] = CaseRow(
                    case_id=case_id,
                    case_no=str(event.case_no),
                    merchant_id=str(event.merchant_id),
                    currency=str(event.terms.currency),
                    repair_fee_deferred_fen=0,
                    last_version=version,
                )
            return
        booking = self._handlers.get(topic)
        if not booking:
            return
        case = batch.cases.get(case_id)
        if case is None:
            raise _not_opened(event)
        if version <= case.last_version:
            return  # replayed: booked already
        for handler in booking:
            handler(tx, event, case)
            case = batch.cases[case_id]  # as set_deferred left it
        batch.cases[case_id] = replace(case, last_version=version)
        batch.dirty.add(case_id)


def _not_opened(event: Any) -> LedgerError:
    return LedgerError(
        f"{type(event).__name__} for case id {event.originator_id} arrived before the "
        "case was opened in the ledger (was the ledger started mid-log? rebuild it)"
    )


def _write_cases(tx: DbConnection, batch: LedgerBatch) -> None:
    """Each case row the batch changed, once: the cases it opened inserted with their final
    state, the others updated."""
    inserts = []
    for case_id, row in batch.opened.items():
        case = batch.cases[case_id]
        inserts.append((*row[:6], case.repair_fee_deferred_fen, case.last_version))
    if inserts:
        tx.executemany(refunds.OPEN_CASE_SQL, inserts)
    updates = [
        (batch.cases[c].repair_fee_deferred_fen, batch.cases[c].last_version, c)
        for c in sorted(batch.dirty - batch.opened.keys())
    ]
    if updates:
        tx.executemany(
            "UPDATE ledger_cases SET repair_fee_deferred_fen = ?, last_version = ? "
            "WHERE case_id = ?",
            updates,
        )


PROJECTIONS = (LedgerProjection,)
"""For :mod:`projections.registry`."""
