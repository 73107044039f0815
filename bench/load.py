"""Fill a store fast with a realistic history (issue 12): ``load_store(url, events)``.

The commands are the service's own: each worker process runs ``AfterSales`` methods
(``publish_policy``, ``record_order``, ``record_delivery``, ``open_case``, ``perform``) on the
mix of bench/mix.py, so every event comes from the same steps, guards and hash chain as in
production. What differs is only where the aggregates live while the commands run: in memory
(:class:`_InMemory` overrides ``_find``/``_get``/``_run``: no read, no idempotency record, no
transaction per command), and their events are saved in batches of thousands per transaction,
in the order they were made. Idempotency records are therefore not loaded (they are no one's read
model); each case's own events, its order's and its merchant's policy's are.

Two worker processes (one per core) each own half of the merchants (so no aggregate is shared
between them: policies, orders, the consumers' R2 histories), make their cases and insert their
batches into the same store; PostgreSQL interleaves the two writers (the library's table lock
makes each batch atomic in the log).

Concentrations for the page benchmarks: one merchant (``sample.merchant_id``) has 60 cases opened
and waiting in its queue; one consumer (``sample.consumer_id``) has a case (``sample.case_no``)
with a long timeline (40 notes before it is walked to its refund).

Growing a loaded store: each call uses its own tag in every key (merchants, consumers, orders,
cases), so ``load_store`` can be called again on the same store to add more (10k first, then up
to 1M); the ``sample`` returned is the last call's.
"""

from __future__ import annotations

import multiprocessing
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from bench.mix import (
    SYSTEM,
    TERMS,
    CasePlan,
    Step,
    order_lines,
    plan_cases,
    staff,
)
from domain import ids
from domain.case import Case
from domain.errors import NotFound
from domain.process import Move
from domain.service import AfterSales, Result
from domain.store_settings import event_store_env
from projections.event_store import create_event_store_tables

T = TypeVar("T")
EVENTS_PER_CASE = 10  # about, with the case's order and its share of policies and histories
BATCH_EVENTS = 4_000
WORKERS = 2
MERCHANTS_PER_WORKER = 25


class _Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


class _InMemory(AfterSales):
    """The service with its aggregates held in memory: commands run their real steps and
    collect the events they made (in order) instead of saving them one transaction each."""

    def __init__(self, clock: _Clock) -> None:
        super().__init__(env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, clock=clock)
        self.held: dict[uuid.UUID, Any] = {}
        self.made: list[Any] = []

    def _find(self, cls: type[T], aggregate_id: uuid.UUID) -> T | None:
        found = self.held.get(aggregate_id)
        return found if isinstance(found, cls) else None

    def _get(self, cls: type[T], aggregate_id: uuid.UUID, what: str) -> T:
        found = self._find(cls, aggregate_id)
        if found is None:
            raise NotFound(f"unknown {what}")
        return found

    def get_case(self, case_no: str, version: int | None = None) -> Case:
        return self._get(Case, ids.case_id(case_no), f"case {case_no!r}")

    def _run(
        self,
        request_id: str,
        command: str,
        actor: Any,
        step: Callable[..., Any],
        key: str | None = None,
    ) -> Result:
        target, number, detail, aggregates = step(self.clock)
        for aggregate in aggregates:
            self.held[aggregate.id] = aggregate
            self.made.extend(aggregate.collect_events())
        return Result(target.id, number, target.version, True, detail)

    def forget(self, *aggregate_ids: uuid.UUID) -> None:
        for aggregate_id in aggregate_ids:
            self.held.pop(aggregate_id, None)


def _walk(app: _InMemory, clock: _Clock, plan: CasePlan, start: datetime) -> None:
    """One case from its order to its last step, a few hours between steps."""
    clock.now = start
    app.record_order(
        request_id="-",
        actor=SYSTEM,
        order_no=plan.order_no,
        consumer_id=plan.consumer.id,
        merchant_id=plan.merchant_id,
        placed_at=start,
        lines=order_lines(),
    )
    if plan.delivered:
        clock.now += timedelta(days=1)
        app.record_delivery(
            request_id="-", actor=SYSTEM, order_no=plan.order_no, signed_at=clock.now
        )
    clock.now += timedelta(hours=20)
    app.open_case(
        request_id="-",
        actor=plan.consumer,
        order_no=plan.order_no,
        kind=plan.kind,
        reason_code=plan.reason,
        lines=plan.lines,
        description=plan.description,
        case_no=plan.case_no,
    )
    for step in plan.steps:
        clock.now += timedelta(hours=2)
        app.perform(
            step.move, request_id="-", actor=step.actor, case_no=plan.case_no, **step.inputs
        )
    app.forget(ids.case_id(plan.case_no), ids.order_id(plan.order_no))


def _special(tag: str, merchant_prefix: str) -> tuple[list[CasePlan], CasePlan]:
    """60 cases waiting in merchant ``{merchant_prefix}0``'s queue, and one consumer's long case
    there (a return walked to its refund, 40 messages before it is accepted)."""
    one = {"merchant_prefix": merchant_prefix, "merchants": 1}
    waiting = plan_cases(60, prefix=f"{tag}Q", stop_share=0.0, **one)  # type: ignore[arg-type]
    for plan in waiting:
        plan.steps = []  # opened, waiting for the merchant (R12)
    seed = 0
    while True:
        long_case = plan_cases(
            1,
            prefix=f"{tag}LONG",
            seed=seed,
            stop_share=0.0,
            consumer_prefix=f"{tag}c",
            consumers=1,
            **one,  # type: ignore[arg-type]
        )[0]
        if len(long_case.steps) >= 7:
            break
        seed += 1
    merchant = staff(long_case.merchant_id)
    notes = [
        Step(Move.ADD_NOTE, merchant if n % 2 else long_case.consumer, {"text": f"message {n}"})
        for n in range(40)
    ]
    long_case.steps = [*notes, *long_case.steps]
    return waiting, long_case


def _worker(url: str, worker: int, budget: int, tag: str, counter: Any) -> dict[str, Any]:
    one_connection = {"POSTGRES_POOL_SIZE": "1", "POSTGRES_MAX_OVERFLOW": "1"}  # shared server
    target = AfterSales(env={**event_store_env(url), "CREATE_TABLE": "no", **one_connection})
    start = datetime.now(UTC) - timedelta(days=30)
    clock = _Clock(start - timedelta(days=1))
    app = _InMemory(clock)
    merchant_prefix = f"{tag}m{worker}-"
    stored = 0
    cases = 0
    sample: dict[str, str] = {}

    writer = ThreadPoolExecutor(1)  # the previous batch is inserted while the next is made
    inserting: list[Future[Any]] = []

    def flush() -> None:
        nonlocal stored
        for previous in inserting:
            previous.result()
        inserting.clear()
        if app.made:
            batch, app.made = app.made, []
            stored += len(batch)
            inserting.append(writer.submit(target.events.put, batch))
            with counter.get_lock():
                counter.value += len(batch)

    try:
        for m in range(MERCHANTS_PER_WORKER):
            app.publish_policy(
                request_id="-", actor=SYSTEM, merchant_id=f"{merchant_prefix}{m}", terms=TERMS
            )
        plans: list[CasePlan] = []
        if worker == 0:
            waiting, long_case = _special(tag, merchant_prefix)
            plans += [long_case, *waiting]
            sample = {
                "merchant_id": long_case.merchant_id,
                "consumer_id": long_case.consumer.id,
                "case_no": long_case.case_no,
                "order_no": long_case.order_no,
            }
        chunk = 0
        while stored + len(app.made) < budget:
            if not plans:
                plans = plan_cases(
                    500,
                    prefix=f"{tag}{worker}-",
                    start=chunk * 500,
                    merchants=MERCHANTS_PER_WORKER,
                    consumers=budget // 20 + 10,
                    merchant_prefix=merchant_prefix,
                    consumer_prefix=f"{tag}c{worker}-",
                )
                chunk += 1
            plan = plans.pop(0)
            _walk(app, clock, plan, start + timedelta(minutes=cases % 40_000))
            cases += 1
            if len(app.made) >= BATCH_EVENTS:
                flush()
        flush()
        flush()  # and wait for the last one
    finally:
        writer.shutdown()
        target.close()
    return {"events": stored, "cases": cases, "sample": sample}


def _run_worker(args: tuple[str, int, int, str]) -> dict[str, Any]:
    return _worker(*args, _COUNTER)


_COUNTER: Any = None


def _init(counter: Any) -> None:
    global _COUNTER
    _COUNTER = counter


def load_store(
    url: str, events: int, progress: Callable[[int, int], None] | None = None
) -> dict[str, Any]:
    """Add about ``events`` events (about ``events / 10`` cases) to the store at ``url``."""
    create_event_store_tables(url)  # once, under its lock (issue 10), before the workers start
    tag = "L" + uuid.uuid4().hex[:5]
    workers = max(1, min(WORKERS, events // 2_000))
    counter = multiprocessing.get_context("fork").Value("q", 0)
    started = time.perf_counter()
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_init, initargs=(counter,)) as pool:
        pending = pool.map_async(
            _run_worker, [(url, w, events // workers, tag) for w in range(workers)]
        )
        while not pending.ready():
            pending.wait(0.5)
            if progress:
                progress(min(events, counter.value), events)
        parts = pending.get()
    seconds = time.perf_counter() - started
    stored = sum(p["events"] for p in parts)
    if progress:
        progress(events, events)
    return {
        "events": stored,
        "cases": sum(p["cases"] for p in parts),
        "seconds": seconds,
        "events_per_s": stored / seconds,
        "workers": workers,
        "sample": next(p["sample"] for p in parts if p["sample"]),
    }


def main() -> int:
    import argparse
    import json

    parser = argparse.ArgumentParser(description="fill a store fast (bench/load.py)")
    parser.add_argument("url")
    parser.add_argument("--events", type=int, default=10_000)
    args = parser.parse_args()

    def show(done: int, total: int) -> None:
        print(f"\r{done}/{total} events", end="", flush=True)

    figures = load_store(args.url, args.events, show)
    print()
    print(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
