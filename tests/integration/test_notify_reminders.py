"""Deadline reminders (issue 9; R12, R13, P1) on SQLite and PostgreSQL: the merchant 30 minutes
before its decision deadline, the consumer a day before its return-shipping window closes, each
once, from the queue projection's open deadlines; and the outbox's notices of a step."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from projections.db import parse_ts
from projections.outbox import OutboxProjection, add_reminders
from projections.queues import QueueProjection
from projections.runner import Runner
from tests.integration.projection_support import World, merchant


@pytest.fixture
def world(store_url: str, tmp_path: Path) -> Iterator[World]:
    w = World(store_url, tmp_path)
    w.runner = Runner(w.app, w.db, [QueueProjection(), OutboxProjection()], clock=w.clock)
    yield w
    w.close()


def _notices(world: World, sql: str = "1 = 1") -> list[dict[str, Any]]:
    with world.db.connect() as conn:
        return [dict(r) for r in conn.execute(f"SELECT * FROM notices WHERE {sql}").fetchall()]


def _due(world: World, clock: str) -> Any:
    with world.db.connect() as conn:
        row = conn.execute("SELECT due_at FROM queue_items WHERE clock = ?", (clock,)).fetchone()
    return parse_ts(row["due_at"])


def test_r12_merchant_reminded_30_minutes_before_its_decision_deadline(world: World) -> None:
    case_no = world.open()
    world.catch_up()
    opened = _notices(world, "event_name = 'Opened'")
    assert {n["party"] for n in opened} == {"consumer:c1", "merchant:m1"}
    assert [n["self_action"] for n in opened if n["party"] == "consumer:c1"] == [1]
    due = _due(world, "merchant_decision")
    assert add_reminders(world.db, due - timedelta(minutes=31)) == 0
    assert add_reminders(world.db, due - timedelta(minutes=30)) == 1
    assert add_reminders(world.db, due - timedelta(minutes=10)) == 0, "once"
    (reminder,) = _notices(world, "step = 'reminder'")
    assert reminder["party"] == "merchant:m1" and reminder["case_no"] == case_no
    assert json.loads(reminder["details"])["clock"] == "merchant_decision"
    assert reminder["rule"] == "R12" and reminder["notice_kind"] == "deadline"
    assert add_reminders(world.db, due + timedelta(minutes=1)) == 0, "not after it ran out"


def test_r13_consumer_reminded_a_day_before_the_return_window_closes(world: World) -> None:
    case_no = world.open()
    world.clock.advance(minutes=20)
    world.app.accept(request_id=world.rid(), actor=merchant(), case_no=case_no)
    world.catch_up()
    accepted = _notices(world, "event_name = 'Accepted'")
    to_consumer = [n for n in accepted if n["party"] == "consumer:c1"]
    assert to_consumer and to_consumer[0]["locked"] == 1, "P1: it starts a rights clock"
    due = _due(world, "consumer_ship")
    assert add_reminders(world.db, due - timedelta(days=1, minutes=1)) == 0
    assert add_reminders(world.db, due - timedelta(hours=23)) == 1
    (reminder,) = _notices(world, "step = 'reminder'")
    assert reminder["party"] == "consumer:c1" and reminder["locked"] == 1
    assert reminder["rule"] == "R13"
