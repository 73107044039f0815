"""The store chain over the notification log (issue 10, domain.store_chain): a kept head
proves the prefix; a gap is a deletion on SQLite and a note on PostgreSQL; a missing or unreached
kept head is named."""

from __future__ import annotations

from uuid import UUID

import pytest

from domain.chain import GENESIS
from domain.store_chain import EMPTY_HEAD, StoreHead, StoreWalk, link

A = UUID(int=1)
ROWS = [(n, A, n, "t", f"state {n}".encode()) for n in range(1, 6)]


def walk(rows: list[tuple[int, UUID, int, str, bytes]], **kwargs: object) -> StoreWalk:
    w = StoreWalk(**kwargs)  # type: ignore[arg-type]
    for row in rows:
        w.add(*row)
    w.finish()
    return w


def test_the_head_is_the_running_hash_and_round_trips_as_text() -> None:
    w = walk(ROWS)
    expected = GENESIS
    for row in ROWS:
        expected = link(expected, *row)
    assert w.head == StoreHead(5, expected) and not w.problems
    assert StoreHead.parse(str(w.head)) == w.head
    assert str(EMPTY_HEAD) == "0:" + "0" * 64


@pytest.mark.parametrize("text", ["", "5", "5:abc", "-1:" + "0" * 64, "5:" + "G" * 64])
def test_a_malformed_head_is_refused(text: str) -> None:
    with pytest.raises(ValueError, match="NOTIFICATION_ID:SHA256"):
        StoreHead.parse(text)


def test_one_changed_byte_before_the_kept_head_is_found() -> None:
    kept = walk(ROWS[:4]).head
    assert walk(ROWS, kept=kept).problems == []
    edited = [*ROWS[:1], (2, A, 2, "t", b"state 3"), *ROWS[2:]]
    (problem,) = walk(edited, kept=kept).problems
    assert problem.where == "notification 4 (the kept head)"


def test_a_gap_is_a_deletion_on_sqlite_and_a_note_on_postgresql() -> None:
    rows = [ROWS[0], *ROWS[3:]]
    (problem,) = walk(rows).problems
    assert problem.where == "notification(s) 2-3" and "deleted" in problem.problem
    pg = walk(rows, gaps_are_breaks=False)
    assert pg.problems == [] and pg.notes == [
        "notification id(s) 2-3 absent (PostgreSQL skips the ids of rolled-back inserts)"
    ]


def test_deleted_first_events_are_a_gap_too() -> None:
    (problem,) = walk(ROWS[2:]).problems
    assert problem.where == "notification(s) 1-2"


def test_a_deleted_kept_head_and_a_cut_tail_are_named() -> None:
    kept = walk(ROWS[:3]).head
    gone = walk([*ROWS[:2], *ROWS[3:]], kept=kept, gaps_are_breaks=False)
    assert [p.where for p in gone.problems] == ["notification 3 (the kept head)"]
    assert "deleted" in gone.problems[0].problem
    cut = walk(ROWS[:2], kept=kept)
    assert "truncated: the log ends at notification 2" in cut.problems[0].problem


def test_rows_out_of_order_are_named() -> None:
    w = walk([ROWS[1], ROWS[0]], gaps_are_breaks=False)
    (problem,) = w.problems
    assert problem.where == "notification 1" and "out of order" in problem.problem
