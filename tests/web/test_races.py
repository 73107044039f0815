"""Issue 10, races on one case through the JSON API, on SQLite and PostgreSQL: 16 requests at
once (16 threads of one served app; or 2 processes of 8 threads, each process its own app and
service on the same store). Two approvals, accept against reject, a ruling against a withdrawal,
and one request id sent 16 times: exactly one winner; every other request gets a 409 naming the
rule (or, for the same request id, the stored result); the store holds exactly the winner's events
and one request record, and the case's chain verifies."""

from __future__ import annotations

import multiprocessing
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import SECRET_KEY
from tests.web.test_api import World, make_world
from web import get_db, projection_worker

Job = tuple[str, str, dict[str, Any]]  # who, command, body (with its request_id)
Answer = tuple[int, dict[str, Any]]

# The first event each winning command records (a ruling may record more after it).
FIRST_EVENT = {
    "approve-refund": "RefundApproved",
    "accept": "Accepted",
    "reject": "Rejected",
    "rule": "Ruled",
    "withdraw": "Withdrawn",
}


@pytest.fixture
def world(tmp_path: Path, clean_environ: None, store_url: str) -> Iterator[World]:
    built = make_world(tmp_path, DATABASE_URL=store_url)
    yield built
    projection_worker.stop(built.app)  # before the stores it reads are closed
    with built.app.app_context():
        get_db().close()
    built.service.close()


def _awaiting_refund(world: World) -> str:
    case_no = world.open_case(world.order())
    world.ok("merchant", case_no, "accept")
    world.ok("consumer", case_no, "ship-return", carrier="顺丰速运", tracking_no="SF1001")
    world.ok("merchant", case_no, "return-delivered")
    world.ok("merchant", case_no, "confirm-receipt")
    world.ok("merchant", case_no, "inspect", responsibility="no_fault", findings="完好")
    return case_no


def _requested(world: World) -> str:
    return world.open_case(world.order())


def _in_arbitration(world: World) -> str:
    case_no = world.open_case(world.order())
    world.ok("merchant", case_no, "reject", reason="封条已拆")
    world.ok("consumer", case_no, "escalate", reason="协商不成")
    return case_no


def _rid() -> str:
    return str(uuid.uuid4())


RULING = {"ruling": {"outcome": "dismissed"}, "reasoning": "证据不足"}
SCENARIOS: dict[str, tuple[Callable[[World], str], Callable[[], list[Job]]]] = {
    "two approvals": (
        _awaiting_refund,
        lambda: [("platform_agent", "approve-refund", {"request_id": _rid()}) for _ in range(16)],
    ),
    "accept vs reject": (
        _requested,
        lambda: [
            ("merchant", "accept", {"request_id": _rid()})
            if i % 2
            else ("merchant", "reject", {"request_id": _rid(), "reason": "已使用"})
            for i in range(16)
        ],
    ),
    "ruling vs withdrawal": (
        _in_arbitration,
        lambda: [
            ("arbitrator", "rule", {"request_id": _rid(), **RULING})
            if i % 2
            else ("consumer", "withdraw", {"request_id": _rid()})
            for i in range(16)
        ],
    ),
    "one request id 16 times": (
        _requested,
        lambda: [("merchant", "accept", {"request_id": "same-accept-1"}) for _ in range(16)],
    ),
}


def _post_all(post: Callable[[str, str, dict[str, Any]], Answer], jobs: list[Job]) -> list[Answer]:
    """Each job in its own thread, released together by a barrier."""
    barrier = threading.Barrier(len(jobs), timeout=30)
    answers: list[Answer | None] = [None] * len(jobs)

    def go(i: int) -> None:
        who, name, body = jobs[i]
        barrier.wait()
        answers[i] = post(who, name, body)

    threads = [threading.Thread(target=go, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert all(a is not None for a in answers), "a request hung"
    return [a for a in answers if a is not None]


def _in_threads(world: World, case_no: str, jobs: list[Job]) -> list[Answer]:
    def post(who: str, name: str, body: dict[str, Any]) -> Answer:
        client = world.app.test_client()
        response = client.post(
            f"/api/v1/cases/{case_no}/{name}", json=body, headers=world.tokens[who]
        )
        return response.status_code, dict(response.json or {})

    return _post_all(post, jobs)


def _child(
    index: int, url: str, data_dir: str, case_no: str, jobs: list[Job], tokens: Any, out: Any
) -> None:
    """One process: its own app and service on the same store, 8 threads at once."""
    from web import create_app

    app = create_app(
        {"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": SECRET_KEY, "DATA_DIR": data_dir}
    )

    def post(who: str, name: str, body: dict[str, Any]) -> Answer:
        response = app.test_client().post(
            f"/api/v1/cases/{case_no}/{name}", json=body, headers=tokens[who]
        )
        return response.status_code, dict(response.json or {})

    out.put((index, _post_all(post, jobs)))


def _in_two_processes(world: World, case_no: str, jobs: list[Job]) -> list[Answer]:
    context = multiprocessing.get_context("spawn")
    out = context.Queue()
    url, data_dir = world.app.config["DATABASE_URL"], world.app.config["DATA_DIR"]
    halves = (jobs[0::2], jobs[1::2])  # each process gets both sides of the race
    children = [
        context.Process(target=_child, args=(i, url, data_dir, case_no, half, world.tokens, out))
        for i, half in enumerate(halves)
    ]
    for child in children:
        child.start()
    answers: list[Answer | None] = [None] * len(jobs)
    for _ in children:
        index, got = out.get(timeout=180)
        answers[index :: len(halves)] = got
    for child in children:
        child.join(timeout=60)
        assert child.exitcode == 0
    return [a for a in answers if a is not None]


def _case_events(world: World, case_no: str) -> list[str]:
    case = world.service.get_case(case_no)
    return [type(e).__name__ for e in world.service.events.get(case.id)]


def _new_topics(world: World, after: int) -> Counter[str]:
    recorded = world.service.recorder.select_notifications(after + 1, 1000)
    return Counter(n.topic.rsplit(".", 1)[-1].rsplit(":", 1)[-1] for n in recorded)


def _check_one_winner(
    world: World, case_no: str, jobs: list[Job], answers: list[Answer], before: list[str], mark: int
) -> None:
    statuses = Counter(status for status, _ in answers)
    assert set(statuses) <= {200, 409}, answers  # never a 500, a 400 or a 503
    same_id = len({body["request_id"] for _, _, body in jobs}) == 1
    winners = [body for status, body in answers if status == 200]
    if same_id:
        assert statuses[200] == len(jobs), answers  # the stored result, every time
        assert sum(not w.get("replayed") for w in winners) == 1, winners
        assert len({w.get("version") for w in winners}) == 1, winners
    else:
        assert statuses == {200: 1, 409: len(jobs) - 1}, answers
        for status, body in answers:
            if status == 409:
                assert body.get("rule"), body  # a refusal names its rule
    winner_name = next(
        (
            name
            for (_, name, _), (status, body) in zip(jobs, answers, strict=True)
            if status == 200 and not (same_id and body.get("replayed"))
        ),
    )
    after = _case_events(world, case_no)
    assert after[: len(before)] == before
    new = after[len(before) :]
    assert new and new[0] == FIRST_EVENT[winner_name], new
    losers = {FIRST_EVENT[name] for _, name, _ in jobs} - {FIRST_EVENT[winner_name]}
    assert not losers & set(new), new  # nothing of the losing side was stored
    topics = _new_topics(world, mark)
    assert topics["Handled"] == 1, topics  # one request record: the winner's
    assert world.service.verify(case_no)[0].ok


def _mark(world: World) -> int:
    return int(world.service.recorder.max_notification_id() or 0)


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_sixteen_threads_one_winner(world: World, scenario: str) -> None:
    setup, make_jobs = SCENARIOS[scenario]
    case_no = setup(world)
    jobs, before, mark = make_jobs(), _case_events(world, case_no), _mark(world)
    answers = _in_threads(world, case_no, jobs)
    _check_one_winner(world, case_no, jobs, answers, before, mark)


@pytest.mark.parametrize("scenario", ["accept vs reject", "one request id 16 times"])
def test_two_processes_of_eight_threads_one_winner(world: World, scenario: str) -> None:
    setup, make_jobs = SCENARIOS[scenario]
    case_no = setup(world)
    jobs, before, mark = make_jobs(), _case_events(world, case_no), _mark(world)
    answers = _in_two_processes(world, case_no, jobs)
    _check_one_winner(world, case_no, jobs, answers, before, mark)
