"""A store to rebuild, for ``bench.catchup`` until ``bench.load`` (the command-path helper's fast
loader) is on main: the demo's policies, then ``cases`` orders each walked through a no-reason
return to its end (order, delivery, open, accept, ship, delivered, receipt, inspect, approve,
pay, rate: R1, R2, R3, R13, R14) through the ordinary ``AfterSales`` commands, a quarter of them
stopped half-way so the queues hold open work.

    .venv/bin/python -m bench.catchup_store --url postgresql://postgres@127.0.0.1:5432/x --cases N

About 14 events per finished case. Slow (one transaction per command): for a benchmark store, not
for tests.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from domain.lines import Tender
from domain.service import AfterSales, LineRequest
from domain.values import Actor, Role, TenderKind
from projections.notifications import count_notifications_after
from web.demo.cast import AGENT, DIGITAL_STAFF, FINANCE, PLATFORM, SHOP_DIGITAL, line
from web.demo.script import Demo, SimClock, policies_and_orders

__all__ = ["fill_store"]

EARPHONES = ("EP-A2", "山海 A2 降噪耳机", "earphones", 59_900)


def fill_store(url: str, cases: int, progress: Callable[[int, int], None] | None = None) -> int:
    """Record ``cases`` walked cases into the (empty or demo-free) store at ``url``; return the
    number of notifications in the store."""
    real_now = datetime.now(UTC).replace(microsecond=0)
    clock = SimClock(real_now - timedelta(days=30), lambda: real_now)
    app = AfterSales.from_url(url, clock=clock)
    try:
        d = Demo(app, clock, real_now, lambda _m: None)
        policies_and_orders(d)
        base = clock.now
        for i in range(cases):
            clock.now = base + timedelta(minutes=i % 5000)
            _walk(d, i, finish=i % 4 != 3)
            if progress is not None:
                progress(i + 1, cases)
        return count_notifications_after(app.recorder, 0)
    finally:
        app.close()


def _walk(d: Demo, i: int, *, finish: bool) -> None:
    consumer = Actor(Role.CONSUMER, f"bc{i % 997:04d}")
    order_no, case_no = f"B-O-{i:07d}", f"B-C-{i:07d}"
    d.step(
        f"order:{order_no}",
        d.app.record_order,
        actor=PLATFORM,
        order_no=order_no,
        consumer_id=consumer.id,
        merchant_id=SHOP_DIGITAL,
        placed_at=d.clock(),
        lines=[line(1, *EARPHONES, Tender(TenderKind.CARD, 59_900))],
        shipping_fee_fen=0,
    )
    d.clock.advance(days=1)
    d.step(
        f"delivered:{order_no}",
        d.app.record_delivery,
        actor=PLATFORM,
        order_no=order_no,
        signed_at=d.clock(),
    )
    d.clock.advance(hours=5)
    d.open_case(
        case_no,
        consumer,
        order_no,
        "return_refund",
        "no_reason",
        [LineRequest(1, 1)],
        "七天无理由退货",
    )
    d.clock.advance(minutes=40)
    d.step(f"{case_no}:accept", d.app.accept, actor=DIGITAL_STAFF, case_no=case_no, reason="同意")
    if not finish:
        return
    d.clock.advance(hours=5)
    d.send_back_and_inspect(
        case_no, consumer, DIGITAL_STAFF, ("顺丰速运", f"SF{i:010d}", 0), "包装完好"
    )
    d.clock.advance(hours=2)
    d.step(f"{case_no}:approve", d.app.approve_refund, actor=AGENT, case_no=case_no)
    d.clock.advance(hours=3)
    d.step(
        f"{case_no}:paid",
        d.app.record_refund_paid,
        actor=FINANCE,
        case_no=case_no,
        psp_reference=f"RF-{i:07d}",
    )
    d.clock.advance(hours=1)
    d.step(f"{case_no}:rate", d.app.rate, actor=consumer, case_no=case_no, score=5, comment="好")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--cases", type=int, default=1000)
    args = parser.parse_args(argv)

    def show(done: int, total: int) -> None:
        if done % 100 == 0 or done == total:
            print(f"\r{done}/{total} cases", end="", file=sys.stderr, flush=True)

    events = fill_store(args.url, args.cases, show)
    print(f"\n{events} notifications in the store", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
