"""The rows the timeline projection writes (``projections.timeline``): the step insert and each
case's summary, written once per batch (issue 12: a new case inserted with its state at the
batch's end, a known one updated once; not one dead row per event)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from projections.db import DbConnection

__all__ = ["INSERT_STEP", "SUMMARY_COLUMNS", "SUMMARY_DEFAULTS", "write_summaries"]

INSERT_STEP = (
    "INSERT INTO timeline_steps (case_no, version, notification_id, step, event_name, "
    "actor_role, actor_id, actor_merchant_id, at, recorded_at, reason, evidence, rule, "
    "details, deadlines, next_clock, next_due_at, next_rule, next_party, "
    "deadlines_closed, deadline_met, internal, event_hash, prev_hash, status) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)

# What a new case's summary holds before its Opened event says more (the table's defaults).
SUMMARY_DEFAULTS: dict[str, Any] = {
    "outcome": "",
    "closed_at": None,
    "responsibility": None,
    "refund_total_fen": None,
    "refund_paid_fen": 0,
    "compensation_fen": 0,
    "ruling_outcome": None,
    "rating": None,
    "breaches": 0,
    "refund_working_due_at": None,
    "refund_statutory_due_at": None,
}

# The columns this projection writes (a column another migration adds keeps its default).
SUMMARY_COLUMNS: tuple[str, ...] = (
    "case_no", "case_id", "kind", "status", "outcome", "consumer_id", "merchant_id", "order_no",
    "reason_code", "channel", "policy_version", "currency", "opened_at", "updated_at",
    "closed_at", "responsibility", "refund_total_fen", "refund_paid_fen", "compensation_fen",
    "ruling_outcome", "rating", "breaches", "complaint_open", "deadlines", "next_clock",
    "next_due_at", "next_rule", "next_party", "last_version", "last_event_hash", "allowed",
    "refund_working_due_at", "refund_statutory_due_at",
)  # fmt: skip
_UPDATED_COLUMNS = tuple(c for c in SUMMARY_COLUMNS if c != "case_no")
_INSERT_SUMMARY = (
    f"INSERT INTO case_summary ({', '.join(SUMMARY_COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in SUMMARY_COLUMNS)})"
)
_UPDATE_SUMMARY = (
    f"UPDATE case_summary SET {', '.join(f'{c} = ?' for c in _UPDATED_COLUMNS)} WHERE case_no = ?"
)


def write_summaries(
    tx: DbConnection, new: Sequence[Mapping[str, Any]], changed: Sequence[Mapping[str, Any]]
) -> None:
    """Each summary written once: a new case inserted with its state at the batch's end, a known
    one updated once (issue 12: one dead row per case per batch, not one per event)."""
    if new:
        tx.executemany(_INSERT_SUMMARY, [[row[c] for c in SUMMARY_COLUMNS] for row in new])
    if changed:
        tx.executemany(
            _UPDATE_SUMMARY,
            [[*(row[c] for c in _UPDATED_COLUMNS), row["case_no"]] for row in changed],
        )
