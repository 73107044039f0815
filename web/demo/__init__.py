"""The scripted demo (`aftersales demo`): two stores publish policies, orders are handed over,
and at least one case of every kind is walked to its end, plus a few left open for the queues.

Everything runs through the ordinary ``AfterSales`` commands with deterministic request ids, so a
second run records nothing new. Time is simulated: the script starts ``DEMO_DAYS`` ago and moves a
clock forward step by step, never past the real present, so deadlines and breaches are real.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from domain.case_values import Evidence, Ruling, RulingOutcome
from domain.deadlines import Clock
from domain.errors import DomainError
from domain.lines import OrderLine, Tender
from domain.service import AfterSales, LineRequest
from domain.terms import CategoryNote, Exclusion, PolicyTerms
from domain.values import Actor, ExclusionKind, Role, TenderKind

DEMO_DAYS = 40

SHOP_DIGITAL = "m1001"  # 山海数码旗舰店
SHOP_FRESH = "m1002"  # 鲜果时光生鲜店
PLATFORM = Actor(Role.SYSTEM, "commerce-platform")
ZHANG = Actor(Role.CONSUMER, "c2001")
LI = Actor(Role.CONSUMER, "c2002")
WANG = Actor(Role.CONSUMER, "c2003")
DIGITAL_STAFF = Actor(Role.MERCHANT, "s3001", merchant_id=SHOP_DIGITAL)
FRESH_STAFF = Actor(Role.MERCHANT, "s3002", merchant_id=SHOP_FRESH)
AGENT = Actor(Role.PLATFORM_AGENT, "a4001")
ARBITRATOR = Actor(Role.ARBITRATOR, "r5001")
FINANCE = Actor(Role.FINANCE, "f6001")

#: Demo log-ins (username, password, role, display name, party id, merchant id). README lists them.
DEMO_ACCOUNTS: tuple[tuple[str, str, str, str, str, str | None], ...] = (
    ("zhangsan", "demo-consumer", "consumer", "张三", ZHANG.id, None),
    ("lisi", "demo-consumer", "consumer", "李四", LI.id, None),
    ("wangwu", "demo-consumer", "consumer", "王五", WANG.id, None),
    ("shanhai", "demo-merchant", "merchant", "山海数码 · 客服小周", DIGITAL_STAFF.id, SHOP_DIGITAL),
    ("xianguo", "demo-merchant", "merchant", "鲜果时光 · 客服小林", FRESH_STAFF.id, SHOP_FRESH),
    ("agent", "demo-agent", "platform_agent", "平台客服 陈晨", AGENT.id, None),
    ("arbiter", "demo-arbitrator", "arbitrator", "仲裁员 赵敏", ARBITRATOR.id, None),
    ("finance", "demo-finance", "finance", "财务 孙丽", FINANCE.id, None),
)


def _evidence(name: str, tag: str) -> Evidence:
    import hashlib

    return Evidence(hashlib.sha256(f"demo:{tag}".encode()).hexdigest(), name, "image/jpeg", 48_213)


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


def digital_terms() -> PolicyTerms:
    return PolicyTerms(
        categories=("phone", "earphones", "accessory"),
        warranty_parts=("battery", "charger"),
        accept_hours=2,
        free_return_shipping=False,
        repair_fee_cap_fen=50_000,
        after_sales_carrier="顺丰速运 售后专线",
        store_name="山海数码旗舰店",
        notes=(CategoryNote("phone", "防水等级 IP68，进水不在保修范围 (R23)"),),
    )


def fresh_terms() -> PolicyTerms:
    return PolicyTerms(
        store_name="鲜果时光生鲜店",
        categories=("fruit", "cosmetics", "gift_box"),
        exclusions=(
            Exclusion("fruit", ExclusionKind.FRESH, "生鲜易腐，签收后不支持七天无理由退货"),
            Exclusion("cosmetics", ExclusionKind.CONSUMABLE, "化妆品拆封后影响二次销售"),
        ),
    )


def line(
    no: int,
    sku: str,
    title: str,
    category: str,
    paid: int,
    *tenders: Tender,
    qty: int = 1,
    confirmed: bool = False,
) -> OrderLine:
    return OrderLine(no, sku, title, category, qty, paid, tuple(tenders), confirmed)


def run_demo(
    service_factory: Callable[[Callable[[], datetime]], AfterSales],
    progress: Callable[[str], None] = lambda _msg: None,
    real_now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> DemoReport:
    """Run the scenario. ``service_factory(clock)`` builds an ``AfterSales`` on the target store.

    The simulated present is fixed by the first run (it is read back from the first demo order),
    so a later run repeats the very same requests and the service replays them (nothing new)."""
    clock = SimClock(real_now(), real_now)
    app = service_factory(clock)
    present = _first_run_present(app) or real_now().replace(microsecond=0)
    clock.now = present - timedelta(days=DEMO_DAYS)
    report = DemoReport()
    before = app.recorder.max_notification_id() or 0

    def step(label: str, command: Callable[..., object], **kwargs: object) -> object:
        report.steps += 1
        progress(label)
        return command(request_id=f"demo:{label}", **kwargs)

    # -- policies (R11) and orders handed over by the commerce platform
    step(
        "policy:digital:v1",
        app.publish_policy,
        actor=PLATFORM,
        merchant_id=SHOP_DIGITAL,
        terms=digital_terms(),
        summary="首发售后政策",
    )
    step(
        "policy:fresh:v1",
        app.publish_policy,
        actor=PLATFORM,
        merchant_id=SHOP_FRESH,
        terms=fresh_terms(),
        summary="生鲜与美妆售后政策",
    )
    clock.advance(hours=1)
    card, wallet, points, coupon = (
        TenderKind.CARD,
        TenderKind.WALLET,
        TenderKind.POINTS,
        (TenderKind.COUPON),
    )
    orders = {
        "DEMO-O-1001": (
            ZHANG,
            SHOP_DIGITAL,
            [
                line(
                    1,
                    "PH-X1",
                    "山海 X1 手机 256G",
                    "phone",
                    399_900,
                    Tender(card, 389_900),
                    Tender(points, 10_000),
                ),
                line(2, "EP-A2", "山海 A2 降噪耳机", "earphones", 59_900, Tender(card, 59_900)),
            ],
            1_200,
        ),
        "DEMO-O-1002": (
            LI,
            SHOP_DIGITAL,
            [
                line(
                    1,
                    "EP-A2",
                    "山海 A2 降噪耳机",
                    "earphones",
                    59_900,
                    Tender(wallet, 54_900),
                    Tender(coupon, 5_000),
                ),
            ],
            0,
        ),
        "DEMO-O-1003": (
            WANG,
            SHOP_FRESH,
            [
                line(1, "FR-KIWI", "徐香猕猴桃 5斤装", "fruit", 6_990, Tender(wallet, 6_990)),
                line(2, "CO-MASK", "玻尿酸面膜 10片", "cosmetics", 12_900, Tender(card, 12_900)),
            ],
            0,
        ),
        "DEMO-O-1004": (
            ZHANG,
            SHOP_DIGITAL,
            [
                line(1, "AC-CH65", "65W 快充充电器", "accessory", 12_900, Tender(card, 12_900)),
            ],
            800,
        ),
        "DEMO-O-1005": (
            LI,
            SHOP_DIGITAL,
            [
                line(1, "PH-X1", "山海 X1 手机 256G", "phone", 399_900, Tender(card, 399_900)),
            ],
            0,
        ),
        "DEMO-O-1006": (
            WANG,
            SHOP_FRESH,
            [
                line(1, "GB-TEA", "新春茶礼盒", "gift_box", 25_800, Tender(card, 25_800)),
            ],
            0,
        ),
        "DEMO-O-1007": (
            ZHANG,
            SHOP_DIGITAL,
            [
                line(1, "EP-A2", "山海 A2 降噪耳机", "earphones", 59_900, Tender(card, 59_900)),
            ],
            0,
        ),
        "DEMO-O-1008": (
            LI,
            SHOP_DIGITAL,
            [
                line(1, "AC-CASE", "手机保护壳", "accessory", 4_900, Tender(wallet, 4_900)),
            ],
            0,
        ),
    }
    for order_no, (consumer, merchant, lines, shipping) in orders.items():
        step(
            f"order:{order_no}",
            app.record_order,
            actor=PLATFORM,
            order_no=order_no,
            consumer_id=consumer.id,
            merchant_id=merchant,
            placed_at=clock(),
            lines=lines,
            shipping_fee_fen=shipping,
        )
    clock.advance(days=2)
    for order_no in orders:
        # 1005 is never delivered (a refund_only case below); 1004 and 1008 arrive later.
        if order_no not in ("DEMO-O-1005", "DEMO-O-1004", "DEMO-O-1008"):
            step(
                f"delivered:{order_no}",
                app.record_delivery,
                actor=PLATFORM,
                order_no=order_no,
                signed_at=clock(),
            )
    clock.advance(days=1)

    def open_case(
        no: str,
        actor: Actor,
        order_no: str,
        kind: str,
        reason: str,
        lines: list[LineRequest],
        description: str,
        **extra: object,
    ) -> str:
        step(
            f"{no}:open",
            app.open_case,
            actor=actor,
            order_no=order_no,
            kind=kind,
            reason_code=reason,
            lines=lines,
            description=description,
            case_no=no,
            **extra,
        )
        report.cases.append(no)
        return no

    def send_back_and_inspect(
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
        step(
            f"{case_no}:ship",
            app.ship_return,
            actor=consumer,
            case_no=case_no,
            carrier=carrier,
            tracking_no=tracking_no,
            fee_fen=fee_fen,
        )
        clock.advance(seconds=transit.total_seconds())
        step(f"{case_no}:delivered", app.record_return_delivered, actor=PLATFORM, case_no=case_no)
        clock.advance(seconds=to_receipt.total_seconds())
        step(f"{case_no}:receipt", app.confirm_receipt, actor=staff, case_no=case_no)
        step(
            f"{case_no}:inspect",
            app.inspect,
            actor=staff,
            case_no=case_no,
            responsibility=responsibility,
            findings=findings,
        )

    # 1. return_refund, no reason (R1, R2 consumer pays the return leg, R3, R3.a split)
    c1 = open_case(
        "DEMO-C-0001",
        ZHANG,
        "DEMO-O-1001",
        "return_refund",
        "no_reason",
        [LineRequest(2, 1)],
        "耳机佩戴不舒服，七天无理由退货",
    )
    clock.advance(minutes=40)
    step(f"{c1}:accept", app.accept, actor=DIGITAL_STAFF, case_no=c1, reason="同意退货")
    clock.advance(hours=5)
    step(
        f"{c1}:ship",
        app.ship_return,
        actor=ZHANG,
        case_no=c1,
        carrier="顺丰速运",
        tracking_no="SF1400221378",
        fee_fen=1_200,
    )
    clock.advance(days=1, hours=2)
    step(f"{c1}:delivered", app.record_return_delivered, actor=PLATFORM, case_no=c1)
    clock.advance(hours=3)
    step(f"{c1}:receipt", app.confirm_receipt, actor=DIGITAL_STAFF, case_no=c1)
    clock.advance(hours=1)
    step(
        f"{c1}:inspect",
        app.inspect,
        actor=DIGITAL_STAFF,
        case_no=c1,
        responsibility="no_fault",
        findings="包装完好，配件齐全，不影响二次销售",
    )
    clock.advance(hours=2)
    step(f"{c1}:approve", app.approve_refund, actor=AGENT, case_no=c1)
    clock.advance(days=1)
    step(
        f"{c1}:paid",
        app.record_refund_paid,
        actor=FINANCE,
        case_no=c1,
        psp_reference="ALIPAY-RF-2026-0001",
    )
    clock.advance(hours=4)
    step(f"{c1}:rate", app.rate, actor=ZHANG, case_no=c1, score=5, comment="退款很快")

    # 2. return_refund for a defect: merchant pays both legs (R2), compensation (R14)
    c2 = open_case(
        "DEMO-C-0002",
        ZHANG,
        "DEMO-O-1001",
        "return_refund",
        "quality_defect",
        [LineRequest(1, 1)],
        "屏幕出现绿线",
        evidence=(_evidence("屏幕绿线.jpg", "c2"),),
    )
    clock.advance(hours=1)
    step(f"{c2}:accept", app.accept, actor=DIGITAL_STAFF, case_no=c2)
    clock.advance(hours=6)
    send_back_and_inspect(
        c2,
        ZHANG,
        DIGITAL_STAFF,
        ("顺丰速运", "SF1400229910", 1_800),
        "屏幕排线缺陷，确认质量问题",
        to_receipt=timedelta(hours=2),
        responsibility="product_defect",
    )
    step(
        f"{c2}:compensate",
        app.grant_compensation,
        actor=DIGITAL_STAFF,
        case_no=c2,
        amount_fen=5_000,
        reason="质量问题补偿",
    )
    clock.advance(hours=3)
    step(f"{c2}:approve", app.approve_refund, actor=AGENT, case_no=c2)
    clock.advance(days=2)
    step(
        f"{c2}:comp-paid",
        app.record_compensation_paid,
        actor=FINANCE,
        case_no=c2,
        psp_reference="ALIPAY-CP-2026-0002",
    )
    step(
        f"{c2}:paid",
        app.record_refund_paid,
        actor=FINANCE,
        case_no=c2,
        psp_reference="ALIPAY-RF-2026-0002",
    )

    # 3. refund_only: never delivered (R2 merchant pays the outbound leg)
    c3 = open_case(
        "DEMO-C-0003",
        LI,
        "DEMO-O-1005",
        "refund_only",
        "not_delivered",
        [LineRequest(1, 1)],
        "下单一周仍未发货",
    )
    clock.advance(minutes=30)
    step(f"{c3}:accept", app.accept, actor=DIGITAL_STAFF, case_no=c3)
    step(f"{c3}:approve", app.approve_refund, actor=AGENT, case_no=c3)
    clock.advance(days=1)
    step(
        f"{c3}:failed",
        app.record_refund_failed,
        actor=FINANCE,
        case_no=c3,
        reason="银行卡已注销，原路退回失败",
    )
    clock.advance(days=1)
    step(
        f"{c3}:paid",
        app.record_refund_paid,
        actor=FINANCE,
        case_no=c3,
        psp_reference="WXPAY-RF-2026-0003",
    )
    step(f"{c3}:rate", app.rate, actor=LI, case_no=c3, score=4)

    # 4. exchange: wrong item (R8)
    c4 = open_case(
        "DEMO-C-0004",
        WANG,
        "DEMO-O-1006",
        "exchange",
        "wrong_item",
        [LineRequest(1, 1)],
        "收到的是普洱礼盒，下单的是龙井礼盒",
    )
    clock.advance(hours=1)
    step(f"{c4}:accept", app.accept, actor=FRESH_STAFF, case_no=c4)
    send_back_and_inspect(
        c4,
        WANG,
        FRESH_STAFF,
        ("中通快递", "ZTO7731002931", 0),
        "确认发错货",
        transit=timedelta(days=2),
        to_receipt=timedelta(0),
        responsibility="product_defect",
    )
    step(
        f"{c4}:exchange",
        app.ship_exchange,
        actor=FRESH_STAFF,
        case_no=c4,
        carrier="中通快递",
        tracking_no="ZTO7731009954",
    )

    # 5. repair in warranty, not user-caused: free (R5, R6, R7)
    c5 = open_case(
        "DEMO-C-0005",
        ZHANG,
        "DEMO-O-1007",
        "repair",
        "quality_defect",
        [LineRequest(1, 1)],
        "左耳无声音",
    )
    clock.advance(hours=10)
    step(f"{c5}:accept", app.accept, actor=DIGITAL_STAFF, case_no=c5)
    send_back_and_inspect(
        c5,
        ZHANG,
        DIGITAL_STAFF,
        ("顺丰速运", "SF1400238812", 0),
        "左耳喇叭虚焊",
        to_receipt=timedelta(0),
        responsibility="product_defect",
    )
    clock.advance(days=2)
    step(
        f"{c5}:repaired",
        app.complete_repair,
        actor=DIGITAL_STAFF,
        case_no=c5,
        notes="更换左耳喇叭模组，免费保修",
        carrier="顺丰速运",
        tracking_no="SF1400240077",
    )

    # 6. repair of user damage: a quote the user accepts (R6)
    c6 = open_case(
        "DEMO-C-0006",
        LI,
        "DEMO-O-1002",
        "repair",
        "user_damage",
        [LineRequest(1, 1)],
        "耳机充电盒摔裂",
    )
    clock.advance(hours=3)
    step(f"{c6}:accept", app.accept, actor=DIGITAL_STAFF, case_no=c6)
    send_back_and_inspect(
        c6,
        LI,
        DIGITAL_STAFF,
        ("京东物流", "JDX0018827361", 0),
        "充电盒外壳摔裂，属人为损坏",
        to_receipt=timedelta(0),
        responsibility="user_damage",
    )
    step(
        f"{c6}:quote",
        app.quote_repair,
        actor=DIGITAL_STAFF,
        case_no=c6,
        fee_fen=8_800,
        reason="更换充电盒外壳",
    )
    clock.advance(hours=5)
    step(f"{c6}:quote-accepted", app.answer_quote, actor=LI, case_no=c6, accepted=True)
    clock.advance(days=1)
    step(
        f"{c6}:repaired",
        app.complete_repair,
        actor=DIGITAL_STAFF,
        case_no=c6,
        notes="已更换外壳",
        carrier="京东物流",
        tracking_no="JDX0018830012",
    )
    step(f"{c6}:rate", app.rate, actor=LI, case_no=c6, score=4)

    # 7. complaint (R9, R9.a)
    c7 = open_case(
        "DEMO-C-0007",
        WANG,
        "DEMO-O-1003",
        "complaint",
        "service",
        [],
        "客服态度差，多次催促不回复",
        channel="store",
    )
    clock.advance(hours=3)
    step(
        f"{c7}:respond",
        app.respond_to_complaint,
        actor=AGENT,
        case_no=c7,
        reason="已收到投诉，正在核实聊天记录",
    )
    step(
        f"{c7}:note",
        app.add_note,
        actor=AGENT,
        case_no=c7,
        text="商家客服近30天响应超时3次",
        internal=True,
    )
    clock.advance(hours=20)
    step(
        f"{c7}:opinion",
        app.give_opinion,
        actor=AGENT,
        case_no=c7,
        opinion="商家服务存在不足，已要求商家整改并向您致歉",
    )
    step(f"{c7}:close", app.close_case, actor=AGENT, case_no=c7, reason="处理意见已送达")
    step(f"{c7}:rate", app.rate, actor=WANG, case_no=c7, score=3)

    # 8. rejected no-reason return of an excluded item → arbitration → refund ruling (R1.a, R10)
    c8 = open_case(
        "DEMO-C-0008",
        WANG,
        "DEMO-O-1003",
        "return_refund",
        "quality_defect",
        [LineRequest(1, 1)],
        "猕猴桃到货即腐烂",
        evidence=(_evidence("腐烂.jpg", "c8"),),
    )
    clock.advance(hours=1)
    step(f"{c8}:reject", app.reject, actor=FRESH_STAFF, case_no=c8, reason="生鲜商品签收后不退不换")
    clock.advance(hours=2)
    step(
        f"{c8}:escalate",
        app.escalate,
        actor=WANG,
        case_no=c8,
        reason="到货即腐烂属质量问题，商家拒绝处理",
    )
    step(
        f"{c8}:evidence-consumer",
        app.submit_evidence,
        actor=WANG,
        case_no=c8,
        evidence=(_evidence("开箱视频截图.jpg", "c8b"),),
        reason="开箱视频",
    )
    step(
        f"{c8}:evidence-merchant",
        app.submit_evidence,
        actor=FRESH_STAFF,
        case_no=c8,
        evidence=(_evidence("发货前质检照.jpg", "c8c"),),
        reason="发货前质检照片",
    )
    clock.advance(days=1)
    step(
        f"{c8}:rule",
        app.rule,
        actor=ARBITRATOR,
        case_no=c8,
        ruling=Ruling(RulingOutcome.REFUND, refund_fen=6_990),
        reasoning="开箱证据显示到货即腐烂，属质量问题 (R1.c)，全额退款，无需退货",
    )
    step(f"{c8}:approve", app.approve_refund, actor=AGENT, case_no=c8)
    clock.advance(days=1)
    step(
        f"{c8}:paid",
        app.record_refund_paid,
        actor=FINANCE,
        case_no=c8,
        psp_reference="WXPAY-RF-2026-0008",
    )

    # 9. merchant silent: the R12 deadline breaches and the no-reason return is taken as agreed
    step(
        "delivered:DEMO-O-1008",
        app.record_delivery,
        actor=PLATFORM,
        order_no="DEMO-O-1008",
        signed_at=clock(),
    )
    clock.advance(hours=20)
    c9 = open_case(
        "DEMO-C-0009",
        LI,
        "DEMO-O-1008",
        "return_refund",
        "no_reason",
        [LineRequest(1, 1)],
        "颜色与图片不符，不想要了",
    )
    clock.advance(hours=2, seconds=1)
    app.expire(case_no=c9, clock=Clock.MERCHANT_DECISION)
    report.steps += 1
    step(f"{c9}:withdraw", app.withdraw, actor=LI, case_no=c9, reason="决定留下")

    # Open work for the queues, near the present.
    clock.now = present - timedelta(days=4)
    step(
        "delivered:DEMO-O-1004",
        app.record_delivery,
        actor=PLATFORM,
        order_no="DEMO-O-1004",
        signed_at=clock(),
    )
    clock.now = present - timedelta(days=3)
    c10 = open_case(
        "DEMO-C-0010",
        ZHANG,
        "DEMO-O-1004",
        "return_refund",
        "no_reason",
        [LineRequest(1, 1)],
        "买重复了",
    )
    clock.advance(hours=1)
    step(f"{c10}:accept", app.accept, actor=DIGITAL_STAFF, case_no=c10)
    step(
        f"{c10}:ship",
        app.ship_return,
        actor=ZHANG,
        case_no=c10,
        carrier="圆通速递",
        tracking_no="YT8890012231",
        fee_fen=800,
    )
    clock.now = present - timedelta(hours=20)
    step(f"{c10}:delivered", app.record_return_delivered, actor=PLATFORM, case_no=c10)
    # More open work for every audience, in the last week.
    clock.now = present - timedelta(days=6)
    recent = {
        "DEMO-O-1009": (
            LI,
            SHOP_DIGITAL,
            [
                line(1, "EP-A2", "山海 A2 降噪耳机", "earphones", 59_900, Tender(card, 59_900)),
                line(2, "AC-CASE", "手机保护壳", "accessory", 4_900, Tender(wallet, 4_900)),
            ],
        ),
        "DEMO-O-1010": (
            ZHANG,
            SHOP_DIGITAL,
            [
                line(1, "PH-X1", "山海 X1 手机 256G", "phone", 399_900, Tender(card, 399_900)),
            ],
        ),
        "DEMO-O-1011": (
            WANG,
            SHOP_FRESH,
            [
                line(1, "GB-TEA", "新春茶礼盒", "gift_box", 25_800, Tender(wallet, 25_800)),
            ],
        ),
    }
    for order_no, (consumer, merchant, lines) in recent.items():
        step(
            f"order:{order_no}",
            app.record_order,
            actor=PLATFORM,
            order_no=order_no,
            consumer_id=consumer.id,
            merchant_id=merchant,
            placed_at=clock(),
            lines=lines,
        )
    clock.now = present - timedelta(days=5)
    for order_no in recent:
        step(
            f"delivered:{order_no}",
            app.record_delivery,
            actor=PLATFORM,
            order_no=order_no,
            signed_at=clock(),
        )

    # 12. waiting for the arbitrator's ruling (R10)
    clock.now = present - timedelta(days=4)
    c12 = open_case(
        "DEMO-C-0012",
        LI,
        "DEMO-O-1009",
        "return_refund",
        "quality_defect",
        [LineRequest(1, 1)],
        "耳机底噪明显，降噪开启后有电流声",
        evidence=(_evidence("底噪录音截图.png", "c12"),),
    )
    clock.advance(hours=1, minutes=20)
    step(
        f"{c12}:reject",
        app.reject,
        actor=DIGITAL_STAFF,
        case_no=c12,
        reason="经检测底噪在出厂标准范围内，不属于质量问题",
    )
    clock.advance(hours=5)
    step(
        f"{c12}:escalate",
        app.escalate,
        actor=LI,
        case_no=c12,
        reason="同批次耳机均无此问题，商家检测结论不可信",
    )
    step(
        f"{c12}:evidence-consumer",
        app.submit_evidence,
        actor=LI,
        case_no=c12,
        evidence=(_evidence("对比视频.mp4.jpg", "c12b"),),
        reason="与另一副耳机的对比",
    )
    clock.advance(hours=20)
    step(
        f"{c12}:evidence-merchant",
        app.submit_evidence,
        actor=DIGITAL_STAFF,
        case_no=c12,
        evidence=(_evidence("出厂检测报告.pdf.jpg", "c12c"),),
        reason="出厂检测报告",
    )

    # 13. a complaint answered, the handling opinion still due (R9.a 72 h)
    clock.now = present - timedelta(hours=30)
    c13 = open_case(
        "DEMO-C-0013",
        ZHANG,
        "DEMO-O-1010",
        "complaint",
        "service",
        [],
        "下单页面承诺赠送的保护壳一直没有发",
        channel="platform",
    )
    clock.advance(hours=2)
    step(
        f"{c13}:respond",
        app.respond_to_complaint,
        actor=AGENT,
        case_no=c13,
        reason="您好，已联系商家核实赠品发放情况，72小时内给出处理意见",
    )

    # 14. refund approved, money on its way: finance's 3-7 working days (R3)
    clock.now = present - timedelta(days=4)
    c14 = open_case(
        "DEMO-C-0014",
        WANG,
        "DEMO-O-1011",
        "return_refund",
        "no_reason",
        [LineRequest(1, 1)],
        "礼盒包装与图片不一致，不想要了",
    )
    clock.advance(minutes=50)
    step(f"{c14}:accept", app.accept, actor=FRESH_STAFF, case_no=c14)
    clock.advance(hours=3)
    send_back_and_inspect(
        c14,
        WANG,
        FRESH_STAFF,
        ("中通快递", "ZTO7731112345", 1_000),
        "礼盒完好，未拆封",
        transit=timedelta(days=1, hours=4),
        to_receipt=timedelta(hours=6),
    )
    clock.now = present - timedelta(days=1)
    step(f"{c14}:approve", app.approve_refund, actor=AGENT, case_no=c14)

    # 15. goods received and inspected: the platform's refund review is due (R3)
    clock.now = present - timedelta(days=3, hours=12)
    c15 = open_case(
        "DEMO-C-0015",
        LI,
        "DEMO-O-1009",
        "return_refund",
        "no_reason",
        [LineRequest(2, 1)],
        "保护壳颜色偏差大",
    )
    clock.advance(hours=1)
    step(f"{c15}:accept", app.accept, actor=DIGITAL_STAFF, case_no=c15)
    clock.advance(hours=2)
    send_back_and_inspect(
        c15,
        LI,
        DIGITAL_STAFF,
        ("圆通速递", "YT8890077321", 600),
        "保护壳完好，可二次销售",
        transit=timedelta(days=1, hours=12),
    )

    clock.now = present - timedelta(minutes=50)
    open_case(
        "DEMO-C-0011",
        WANG,
        "DEMO-O-1003",
        "return_refund",
        "quality_defect",
        [LineRequest(2, 1)],
        "面膜有异味，使用后过敏",
    )
    report.new_events = (app.recorder.max_notification_id() or 0) - before
    return report


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
