"""The demo's open work near the present (cases 10-15 and 11), one function per step, in order.

Each step keeps the request id and values of the original script, so a rerun over a database an
earlier version filled records nothing new."""

from __future__ import annotations

from datetime import timedelta

from domain.service import LineRequest
from web.demo.cast import (
    AGENT,
    DIGITAL_STAFF,
    FRESH_STAFF,
    LI,
    PLATFORM,
    WANG,
    ZHANG,
    evidence,
)
from web.demo.orders import RECENT_ORDERS
from web.demo.script import Demo


def case_10_return_delivered_back(d: Demo) -> None:
    """10. near the present: a no-reason return delivered back, receipt due (R3)."""
    d.clock.now = d.present - timedelta(days=4)
    d.step(
        "delivered:DEMO-O-1004",
        d.app.record_delivery,
        actor=PLATFORM,
        order_no="DEMO-O-1004",
        signed_at=d.clock(),
    )
    d.clock.now = d.present - timedelta(days=3)
    c10 = d.open_case(
        "DEMO-C-0010",
        ZHANG,
        "DEMO-O-1004",
        "return_refund",
        "no_reason",
        [LineRequest(1, 1)],
        "买重复了",
    )
    d.clock.advance(hours=1)
    d.step(f"{c10}:accept", d.app.accept, actor=DIGITAL_STAFF, case_no=c10)
    d.step(
        f"{c10}:ship",
        d.app.ship_return,
        actor=ZHANG,
        case_no=c10,
        carrier="圆通速递",
        tracking_no="YT8890012231",
        fee_fen=800,
    )
    d.clock.now = d.present - timedelta(hours=20)
    d.step(f"{c10}:delivered", d.app.record_return_delivered, actor=PLATFORM, case_no=c10)


def recent_orders(d: Demo) -> None:
    """More open work for every audience: orders placed and delivered in the last week."""
    d.clock.now = d.present - timedelta(days=6)
    d.record_orders(RECENT_ORDERS)
    d.clock.now = d.present - timedelta(days=5)
    d.deliver(*RECENT_ORDERS)


def case_12_waiting_for_ruling(d: Demo) -> None:
    """12. waiting for the arbitrator's ruling (R10)."""
    d.clock.now = d.present - timedelta(days=4)
    c12 = d.open_case(
        "DEMO-C-0012",
        LI,
        "DEMO-O-1009",
        "return_refund",
        "quality_defect",
        [LineRequest(1, 1)],
        "耳机底噪明显，降噪开启后有电流声",
        evidence=(evidence("底噪录音截图.png", "c12"),),
    )
    d.clock.advance(hours=1, minutes=20)
    d.step(
        f"{c12}:reject",
        d.app.reject,
        actor=DIGITAL_STAFF,
        case_no=c12,
        reason="经检测底噪在出厂标准范围内，不属于质量问题",
    )
    d.clock.advance(hours=5)
    d.step(
        f"{c12}:escalate",
        d.app.escalate,
        actor=LI,
        case_no=c12,
        reason="同批次耳机均无此问题，商家检测结论不可信",
    )
    d.step(
        f"{c12}:evidence-consumer",
        d.app.submit_evidence,
        actor=LI,
        case_no=c12,
        evidence=(evidence("对比视频.mp4.jpg", "c12b"),),
        reason="与另一副耳机的对比",
    )
    d.clock.advance(hours=20)
    d.step(
        f"{c12}:evidence-merchant",
        d.app.submit_evidence,
        actor=DIGITAL_STAFF,
        case_no=c12,
        evidence=(evidence("出厂检测报告.pdf.jpg", "c12c"),),
        reason="出厂检测报告",
    )


def case_13_complaint_opinion_due(d: Demo) -> None:
    """13. a complaint answered, the handling opinion still due (R9.a 72 h)."""
    d.clock.now = d.present - timedelta(hours=30)
    c13 = d.open_case(
        "DEMO-C-0013",
        ZHANG,
        "DEMO-O-1010",
        "complaint",
        "service",
        [],
        "下单页面承诺赠送的保护壳一直没有发",
        channel="platform",
    )
    d.clock.advance(hours=2)
    d.step(
        f"{c13}:respond",
        d.app.respond_to_complaint,
        actor=AGENT,
        case_no=c13,
        reason="您好，已联系商家核实赠品发放情况，72小时内给出处理意见",
    )


def case_14_refund_on_its_way(d: Demo) -> None:
    """14. refund approved, money on its way: finance's 3-7 working days (R3)."""
    d.clock.now = d.present - timedelta(days=4)
    c14 = d.open_case(
        "DEMO-C-0014",
        WANG,
        "DEMO-O-1011",
        "return_refund",
        "no_reason",
        [LineRequest(1, 1)],
        "礼盒包装与图片不一致，不想要了",
    )
    d.clock.advance(minutes=50)
    d.step(f"{c14}:accept", d.app.accept, actor=FRESH_STAFF, case_no=c14)
    d.clock.advance(hours=3)
    d.send_back_and_inspect(
        c14,
        WANG,
        FRESH_STAFF,
        ("中通快递", "ZTO7731112345", 1_000),
        "礼盒完好，未拆封",
        transit=timedelta(days=1, hours=4),
        to_receipt=timedelta(hours=6),
    )
    d.clock.now = d.present - timedelta(days=1)
    d.step(f"{c14}:approve", d.app.approve_refund, actor=AGENT, case_no=c14)


def case_15_refund_review_due(d: Demo) -> None:
    """15. goods received and inspected: the platform's refund review is due (R3)."""
    d.clock.now = d.present - timedelta(days=3, hours=12)
    c15 = d.open_case(
        "DEMO-C-0015",
        LI,
        "DEMO-O-1009",
        "return_refund",
        "no_reason",
        [LineRequest(2, 1)],
        "保护壳颜色偏差大",
    )
    d.clock.advance(hours=1)
    d.step(f"{c15}:accept", d.app.accept, actor=DIGITAL_STAFF, case_no=c15)
    d.clock.advance(hours=2)
    d.send_back_and_inspect(
        c15,
        LI,
        DIGITAL_STAFF,
        ("圆通速递", "YT8890077321", 600),
        "保护壳完好，可二次销售",
        transit=timedelta(days=1, hours=12),
    )


def case_11_just_opened(d: Demo) -> None:
    """11. just opened: waiting for the merchant's first answer (R12, R12.a)."""
    d.clock.now = d.present - timedelta(minutes=50)
    d.open_case(
        "DEMO-C-0011",
        WANG,
        "DEMO-O-1003",
        "return_refund",
        "quality_defect",
        [LineRequest(2, 1)],
        "面膜有异味，使用后过敏",
    )


OPEN_WORK = (
    case_10_return_delivered_back,
    recent_orders,
    case_12_waiting_for_ruling,
    case_13_complaint_opinion_due,
    case_14_refund_on_its_way,
    case_15_refund_review_due,
    case_11_just_opened,
)
