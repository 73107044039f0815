"""A store for the page benchmark (issue 12 §4), filled through the application service.

``fill_page_store(url, events)`` records, on an EMPTY migrated store, through
``domain.service.AfterSales`` (the same commands the site sends):

- one merchant (``SAMPLE_MERCHANT``) with ``queue_cases`` open cases waiting for its decision
  (R12), so its queue's first page is full (50 rows);
- one consumer (``SAMPLE_CONSUMER``) with a case whose timeline is long (accepted, shipped back,
  then notes and evidence from both sides, R21);
- background cases of other stores and consumers until about ``events`` events are stored;

then catches every projection up. It returns what ``bench.load.load_store`` returns
(``{"sample": {"merchant_id", "consumer_id", "case_no", "order_no"}, ...}``), so the page
benchmark can take either. It is one command per transaction: fine for 10,000 events, slow for a
million (use ``bench.load`` there).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from domain.case_values import Evidence
from domain.lines import OrderLine, Tender
from domain.service import AfterSales, LineRequest
from domain.values import Actor, Role, TenderKind

SAMPLE_MERCHANT = "mpage01"
SAMPLE_CONSUMER = "cpage01"
Progress = Callable[[int, int], None]


def _terms() -> Any:
    from web.demo.cast import digital_terms

    return digital_terms()


class _Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


def _order(
    app: AfterSales, clock: _Clock, order_no: str, consumer: str, merchant: str, rid: str
) -> None:
    platform = Actor(Role.SYSTEM, "commerce-platform")
    line = OrderLine(
        1, "PG-1", "基准测试耳机", "earphones", 1, 59_900, (Tender(TenderKind.CARD, 59_900),)
    )
    app.record_order(
        request_id=f"{rid}:order",
        actor=platform,
        order_no=order_no,
        consumer_id=consumer,
        merchant_id=merchant,
        placed_at=clock.now,
        lines=[line],
    )
    app.record_delivery(
        request_id=f"{rid}:delivered", actor=platform, order_no=order_no, signed_at=clock.now
    )


def _open(app: AfterSales, consumer: str, order_no: str, case_no: str) -> None:
    app.open_case(
        request_id=f"{case_no}:open",
        actor=Actor(Role.CONSUMER, consumer),
        order_no=order_no,
        kind="return_refund",
        reason_code="no_reason",
        lines=[LineRequest(1, 1)],
        description="七天无理由退货（基准测试）",
        case_no=case_no,
    )


def _publish(app: AfterSales, merchant: str) -> None:
    app.publish_policy(
        request_id=f"policy:{merchant}",
        actor=Actor(Role.SYSTEM, "commerce-platform"),
        merchant_id=merchant,
        terms=_terms(),
        summary="基准测试政策",
    )


def _long_timeline(app: AfterSales, clock: _Clock, case_no: str, notes: int) -> None:
    consumer = Actor(Role.CONSUMER, SAMPLE_CONSUMER)
    staff = Actor(Role.MERCHANT, "spage01", merchant_id=SAMPLE_MERCHANT)
    app.accept(request_id=f"{case_no}:accept", actor=staff, case_no=case_no)
    app.ship_return(
        request_id=f"{case_no}:ship",
        actor=consumer,
        case_no=case_no,
        carrier="顺丰速运",
        tracking_no="SF1000200030",
        fee_fen=1_200,
    )
    for n in range(notes):
        who = consumer if n % 2 == 0 else staff
        if n % 5 == 4:
            app.submit_evidence(
                request_id=f"{case_no}:evidence:{n}",
                actor=who,
                case_no=case_no,
                evidence=(Evidence(f"{n:064x}", f"照片{n}.jpg", "image/jpeg", 48_213),),
                reason=f"第 {n} 份材料",
            )
        else:
            app.add_note(
                request_id=f"{case_no}:note:{n}", actor=who, case_no=case_no, text=f"留言 {n}"
            )


def fill_page_store(
    url: str,
    events: int = 10_000,
    progress: Progress | None = None,
    *,
    queue_cases: int = 60,
    timeline_notes: int = 40,
) -> dict[str, Any]:
    """Fill the empty store at ``url`` (see the module docstring); returns the sample ids."""
    from projections.db import Database
    from projections.event_store import create_event_store_tables, open_service
    from projections.migrate import migrate
    from projections.notifications import count_notifications_after
    from projections.registry import make_runner

    started = time.monotonic()
    db = Database.from_url(url, pool_max_size=2)
    migrate(db)
    create_event_store_tables(url)
    clock = _Clock(datetime.now(UTC) - timedelta(days=3))
    app = open_service(url, clock=clock)
    try:
        _publish(app, SAMPLE_MERCHANT)
        sample_case, sample_order = "PG-C-000000", "PG-O-000000"
        _order(app, clock, sample_order, SAMPLE_CONSUMER, SAMPLE_MERCHANT, sample_order)
        _open(app, SAMPLE_CONSUMER, sample_order, sample_case)
        _long_timeline(app, clock, sample_case, timeline_notes)
        for n in range(1, queue_cases + 1):
            order_no, case_no = f"PG-O-{n:06d}", f"PG-C-{n:06d}"
            _order(app, clock, order_no, f"cq{n:05d}", SAMPLE_MERCHANT, order_no)
            _open(app, f"cq{n:05d}", order_no, case_no)
        stored = count_notifications_after(app.recorder, 0)
        n = queue_cases
        merchants = [f"mbg{k:03d}" for k in range(20)]
        for merchant in merchants:
            _publish(app, merchant)
        while stored < events:
            n += 1
            order_no, case_no = f"PG-O-{n:06d}", f"PG-C-{n:06d}"
            merchant = merchants[n % len(merchants)]
            _order(app, clock, order_no, f"cb{n:06d}", merchant, order_no)
            _open(app, f"cb{n:06d}", order_no, case_no)
            app.accept(
                request_id=f"{case_no}:accept",
                actor=Actor(Role.MERCHANT, f"s{merchant}", merchant_id=merchant),
                case_no=case_no,
            )
            stored += 6  # order, delivery, case opened and accepted (+ their chain/history)
            if n % 50 == 0:
                stored = count_notifications_after(app.recorder, 0)
                if progress is not None:
                    progress(min(stored, events), events)
        runner = make_runner(app, db)
        runner.catch_up()
        stored = count_notifications_after(app.recorder, 0)
    finally:
        app.close()
        db.close()
    return {
        "sample": {
            "merchant_id": SAMPLE_MERCHANT,
            "consumer_id": SAMPLE_CONSUMER,
            "case_no": sample_case,
            "order_no": sample_order,
        },
        "events": stored,
        "cases": n + 1,
        "seconds": round(time.monotonic() - started, 1),
    }
