"""The demo as a script of named steps: a simulated clock, the ``Demo`` a step runs against (the
service, the clock, the report, and the moves several cases repeat), and ``run_demo`` reading
the scenario top to bottom."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from domain.errors import DomainError
from domain.service import AfterSales, LineRequest
from domain.values import Actor
from web.demo.cast import PLATFORM, SHOP_DIGITAL, SHOP_FRESH, digital_terms, fresh_terms
from web.demo.orders import DELIVERED_LATER, FIRST_ORDERS, Orders

DEMO_DAYS = 40


@dataclass
class SimClock:
    """A clock the script moves forward; it never runs ahead of the real present."""

    now: datetime
    real_now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        target = self.now + timedelta(**delta)
        self.now = min(target, self.real_now() - timedelta(seconds=1))
        return self.now


@dataclass
class DemoReport:
    steps: int = 0
    new_events: int = 0
    cases: list[str] = field(default_factory=list)


@dataclass
class Demo:
    """What every step of the scenario runs against. Each command gets the request id
    ``demo:<label>``, so a second run repeats the same requests and records nothing new."""

    app: AfterSales
    clock: SimClock
    present: datetime
    progress: Callable[[str], None]
    report: DemoReport = field(default_factory=DemoReport)

    def step(self, label: str, command: Callable[..., object], **kwargs: object) -> object:
        self.report.steps += 1
        self.progress(label)
        return command(request_id=f"demo:{label}", **kwargs)

    def record_orders(self, orders: Orders) -> None:
        """The commerce platform hands the orders over, placed now."""
        for order_no, (consumer, merchant, lines, shipping) in orders.items():
            extra = {} if shipping is None else {"shipping_fee_fen": shipping}
            self.step(
                f"order:{order_no}",
                self.app.record_order,
                actor=PLATFORM,
                order_no=order_no,
                consumer_id=consumer.id,
                merchant_id=merchant,
                placed_at=self.clock(),
                lines=lines,
                **extra,
            )

    def deliver(self, *order_nos: str) -> None:
        """The carrier's delivery of each order is signed for now."""
        for order_no in order_nos:
            self.step(
                f"delivered:{order_no}",
                self.app.record_delivery,
                actor=PLATFORM,
                order_no=order_no,
                signed_at=self.clock(),
            )

    def open_case(
        self,
        no: str,
        actor: Actor,
        order_no: str,
        kind: str,
        reason: str,
        lines: list[LineRequest],
        description: str,
        **extra: object,
    ) -> str:
        self.step(
            f"{no}:open",
            self.app.open_case,
            actor=actor,
            order_no=order_no,
            kind=kind,
            reason_code=reason,
            lines=lines,
            description=description,
            case_no=no,
            **extra,
        )
        self.report.cases.append(no)
        return no

    def send_back_and_inspect(
        self,
        case_no: str,
        consumer: Actor,
        staff: Actor,
        shipment: tuple[str, str, int],
        findings: str,
        *,
        responsibility: str = "no_fault",
        transit: timedelta = timedelta(days=1),
        to_receipt: timedelta = timedelta(hours=2),
    ) -> None:
        """R13 the consumer ships, the carrier delivers, R3 the merchant confirms, R14 inspects."""
        carrier, tracking_no, fee_fen = shipment
        self.step(
            f"{case_no}:ship",
            self.app.ship_return,
            actor=consumer,
            case_no=case_no,
            carrier=carrier,
            tracking_no=tracking_no,
            fee_fen=fee_fen,
        )
        self.clock.advance(seconds=transit.total_seconds())
        self.step(
            f"{case_no}:delivered",
            self.app.record_return_delivered,
            actor=PLATFORM,
            case_no=case_no,
        )
        self.clock.advance(seconds=to_receipt.total_seconds())
        self.step(f"{case_no}:receipt", self.app.confirm_receipt, actor=staff, case_no=case_no)
        self.step(
            f"{case_no}:inspect",
            self.app.inspect,
            actor=staff,
            case_no=case_no,
            responsibility=responsibility,
            findings=findings,
        )


def policies_and_orders(d: Demo) -> None:
    """The stores publish their policies (R11); the platform hands the first orders over and
    most are delivered two days later."""
    d.step(
        "policy:digital:v1",
        d.app.publish_policy,
        actor=PLATFORM,
        merchant_id=SHOP_DIGITAL,
        terms=digital_terms(),
        summary="首发售后政策",
    )
    d.step(
        "policy:fresh:v1",
        d.app.publish_policy,
        actor=PLATFORM,
        merchant_id=SHOP_FRESH,
        terms=fresh_terms(),
        summary="生鲜与美妆售后政策",
    )
    d.clock.advance(hours=1)
    d.record_orders(FIRST_ORDERS)
    d.clock.advance(days=2)
    d.deliver(*(no for no in FIRST_ORDERS if no not in DELIVERED_LATER))
    d.clock.advance(days=1)


def run_demo(
    service_factory: Callable[[Callable[[], datetime]], AfterSales],
    progress: Callable[[str], None] = lambda _msg: None,
    real_now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> DemoReport:
    """Run the scenario. ``service_factory(clock)`` builds an ``AfterSales`` on the target store.

    The simulated present is fixed by the first run (it is read back from the first demo order),
    so a later run repeats the very same requests and the service replays them (nothing new)."""
    from projections.notifications import count_notifications_after
    from web.demo.cases_closed import CASES_TO_THE_END
    from web.demo.cases_open import OPEN_WORK
    from web.demo.settlement import month_settlement

    clock = SimClock(real_now(), real_now)
    app = service_factory(clock)
    present = _first_run_present(app) or real_now().replace(microsecond=0)
    clock.now = present - timedelta(days=DEMO_DAYS)
    demo = Demo(app, clock, present, progress)
    before = app.recorder.max_notification_id() or 0
    scenario: Iterable[Callable[[Demo], None]] = (
        policies_and_orders,
        *CASES_TO_THE_END,
        *OPEN_WORK,
        month_settlement,
    )
    for part in scenario:
        part(demo)
    # Counted, not subtracted: PostgreSQL's notification ids may skip numbers.
    demo.report.new_events = count_notifications_after(app.recorder, before)
    return demo.report


def _first_run_present(app: AfterSales) -> datetime | None:
    """The present of the run that recorded the demo orders, if one did (orders are placed one
    hour into the scenario)."""
    try:
        order = app.get_order("DEMO-O-1001")
    except DomainError:
        return None
    return order.placed_at - timedelta(hours=1) + timedelta(days=DEMO_DAYS)


def demo_is_loaded(app: AfterSales) -> bool:
    try:
        app.get_case("DEMO-C-0011")
    except DomainError:
        return False
    return True
