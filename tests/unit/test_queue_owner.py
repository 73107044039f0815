"""Issue 7, every open state is in some queue: for every (kind, state) of the process declaration
the queue projection places a case in that state in its owner's queue, from the declaration (and
the events' deadlines), never from a table of statuses of its own."""

from __future__ import annotations

from typing import Any

import pytest

from domain.case_values import Status
from domain.process.states import STATES, StateSpec
from domain.values import CaseKind
from projections.queues import declared_queue, party_queue
from projections.queues import items_for as queue_rows

CASE = {
    "case_no": "C1",
    "merchant_id": "m1",
    "consumer_id": "c1",
    "platform_queue": "platform",
    "routed_pending": 0,
}


def _case(spec: StateSpec, **more: Any) -> dict[str, Any]:
    return {**CASE, "kind": spec.kind.value, "status": spec.status.value, **more}


OPEN = [spec for spec in STATES.values() if not spec.terminal]


@pytest.mark.parametrize("spec", OPEN, ids=lambda s: f"{s.kind.value}-{s.status.value}")
def test_an_open_state_without_deadlines_waits_in_its_owners_queue(spec: StateSpec) -> None:
    """A case whose last event carried no deadline (a version 1 event) still sits in a queue."""
    assert spec.owner is not None
    [row] = queue_rows(_case(spec), [])
    assert (row["party"], row["queue"], row["clock"], row["due_at"]) == (
        spec.owner.value,
        declared_queue(spec.queue, _case(spec)),
        "",
        None,
    )
    assert row["is_head"] == 1 and row["awaiting"]


@pytest.mark.parametrize("spec", OPEN, ids=lambda s: f"{s.kind.value}-{s.status.value}")
def test_a_states_own_clock_is_its_owners_dated_item(spec: StateSpec) -> None:
    assert spec.owner is not None and spec.clock is not None
    deadline = {
        "name": spec.clock.value,
        "due_at": "2026-09-22T02:00:00.000000Z",
        "rule": "R0",
        "party": spec.owner.value,
        "breached": False,
        "provisional": False,
    }
    [row] = queue_rows(_case(spec), [deadline])
    assert (row["party"], row["queue"], row["clock"], row["due_at"]) == (
        spec.owner.value,
        declared_queue(spec.queue, _case(spec)),
        spec.clock.value,
        deadline["due_at"],
    )


def test_end_states_wait_on_nobody() -> None:
    ended = [spec for spec in STATES.values() if spec.terminal]
    assert ended
    for spec in ended:
        assert queue_rows(_case(spec), []) == []


def test_a_state_the_declaration_does_not_list_is_the_platforms_to_look_at() -> None:
    """A stored version 1 case in "ruled" (now a carrying-out state) is not lost."""
    case = {**CASE, "kind": "return_refund", "status": "ruled"}
    [row] = queue_rows(case, [])
    assert (row["party"], row["queue"], row["awaiting"]) == (
        "platform_agent",
        "platform",
        "handle_case",
    )


def test_a_routed_case_waits_in_its_platform_queue() -> None:
    spec = STATES[(CaseKind.RETURN_REFUND, Status.REQUESTED)]
    case = _case(spec, platform_queue="platform_supervisor", routed_pending=1)
    deadline = {
        "name": "merchant_decision",
        "due_at": "2026-09-22T02:00:00.000000Z",
        "rule": "R12",
        "party": "merchant",
        "breached": True,
        "provisional": False,
    }
    rows = {(r["queue"], r["awaiting"]) for r in queue_rows(case, [deadline])}
    assert rows == {
        ("merchant:m1", "decide"),
        (party_queue("platform_agent", case), "handle_routed"),
    }
