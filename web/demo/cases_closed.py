"""The demo's cases walked to their end (1-9), one function per case, in the order they run.

Each step keeps the request id and values of the original script, so a rerun over a database an
earlier version filled records nothing new."""

from __future__ import annotations

from datetime import timedelta

from domain.case_values import Ruling, RulingOutcome
from domain.deadlines import Clock
from domain.service import LineRequest
from web.demo.cast import (
    AGENT,
    ARBITRATOR,
    DIGITAL_STAFF,
    FINANCE,
    FRESH_STAFF,
    LI,
    PLATFORM,
    WANG,
    ZHANG,
    evidence,
)
from web.demo.script import Demo


def case_1_no_reason_return(d: Demo) -> None:
    """1. return_refund, no reason (R1, R2 consumer pays the return leg, R3, R3.a split)."""
    c1 = d.open_case(
        "DEMO-C-0001",
        ZHANG,
        "DEMO-O-1001",
        "return_refund",
        "no_reason",
        [LineRequest(2, 1)],
        "耳机佩戴不舒服，七天无理由退货",
    )
    d.clock.advance(minutes=40)
    d.step(f"{c1}:accept", d.app.accept, actor=DIGITAL_STAFF, case_no=c1, reason="同意退货")
    d.clock.advance(hours=5)
    d.step(
        f"{c1}:ship",
        d.app.ship_return,
        actor=ZHANG,
        case_no=c1,
        carrier="顺丰速运",
        tracking_no="SF1400221378",
        fee_fen=1_200,
    )
    d.clock.advance(days=1, hours=2)
    d.step(f"{c1}:delivered", d.app.record_return_delivered, actor=PLATFORM, case_no=c1)
    d.clock.advance(hours=3)
    d.step(f"{c1}:receipt", d.app.confirm_receipt, actor=DIGITAL_STAFF, case_no=c1)
    d.clock.advance(hours=1)
    d.step(
        f"{c1}:inspect",
        d.app.inspect,
        actor=DIGITAL_STAFF,
        case_no=c1,
        responsibility="no_fault",
        findings="包装完好，配件齐全，不影响二次销售",
    )
    d.clock.advance(hours=2)
    d.step(f"{c1}:approve", d.app.approve_refund, actor=AGENT, case_no=c1)
    d.clock.advance(days=1)
    d.step(
        f"{c1}:paid",
        d.app.record_refund_paid,
        actor=FINANCE,
        case_no=c1,
        psp_reference="ALIPAY-RF-2026-0001",
    )
    d.clock.advance(hours=4)
    d.step(f"{c1}:rate", d.app.rate, actor=ZHANG, case_no=c1, score=5, comment="退款很快")


def case_2_defect_return_with_compensation(d: Demo) -> None:
    """2. return_refund for a defect: the merchant pays both legs (R2), compensation (R14)."""
    c2 = d.open_case(
        "DEMO-C-0002",
        ZHANG,
        "DEMO-O-1001",
        "return_refund",
        "quality_defect",
        [LineRequest(1, 1)],
        "屏幕出现绿线",
        evidence=(evidence("屏幕绿线.jpg", "c2"),),
    )
    d.clock.advance(hours=1)
    d.step(f"{c2}:accept", d.app.accept, actor=DIGITAL_STAFF, case_no=c2)
    d.clock.advance(hours=6)
    d.send_back_and_inspect(
        c2,
        ZHANG,
        DIGITAL_STAFF,
        ("顺丰速运", "SF1400229910", 1_800),
        "屏幕排线缺陷，确认质量问题",
        to_receipt=timedelta(hours=2),
        responsibility="product_defect",
    )
    d.step(
        f"{c2}:compensate",
        d.app.grant_compensation,
        actor=DIGITAL_STAFF,
        case_no=c2,
        amount_fen=5_000,
        reason="质量问题补偿",
    )
    d.clock.advance(hours=3)
    d.step(f"{c2}:approve", d.app.approve_refund, actor=AGENT, case_no=c2)
    d.clock.advance(days=2)
    d.step(
        f"{c2}:comp-paid",
        d.app.record_compensation_paid,
        actor=FINANCE,
        case_no=c2,
        psp_reference="ALIPAY-CP-2026-0002",
    )
    d.step(
        f"{c2}:paid",
        d.app.record_refund_paid,
        actor=FINANCE,
        case_no=c2,
        psp_reference="ALIPAY-RF-2026-0002",
    )


def case_3_refund_never_delivered(d: Demo) -> None:
    """3. refund_only: never delivered (R2 merchant pays the outbound leg); the first payment
    fails."""
    c3 = d.open_case(
        "DEMO-C-0003",
        LI,
        "DEMO-O-1005",
        "refund_only",
        "not_delivered",
        [LineRequest(1, 1)],
        "下单一周仍未发货",
    )
    d.clock.advance(minutes=30)
    d.step(f"{c3}:accept", d.app.accept, actor=DIGITAL_STAFF, case_no=c3)
    d.step(f"{c3}:approve", d.app.approve_refund, actor=AGENT, case_no=c3)
    d.clock.advance(days=1)
    d.step(
        f"{c3}:failed",
        d.app.record_refund_failed,
        actor=FINANCE,
        case_no=c3,
        reason="银行卡已注销，原路退回失败",
    )
    d.clock.advance(days=1)
    d.step(
        f"{c3}:paid",
        d.app.record_refund_paid,
        actor=FINANCE,
        case_no=c3,
        psp_reference="WXPAY-RF-2026-0003",
    )
    d.step(f"{c3}:rate", d.app.rate, actor=LI, case_no=c3, score=4)


def case_4_exchange_wrong_item(d: Demo) -> None:
    """4. exchange: wrong item (R8)."""
    c4 = d.open_case(
        "DEMO-C-0004",
        WANG,
        "DEMO-O-1006",
        "exchange",
        "wrong_item",
        [LineRequest(1, 1)],
        "收到的是普洱礼盒，下单的是龙井礼盒",
    )
    d.clock.advance(hours=1)
    d.step(f"{c4}:accept", d.app.accept, actor=FRESH_STAFF, case_no=c4)
    d.send_back_and_inspect(
        c4,
        WANG,
        FRESH_STAFF,
        ("中通快递", "ZTO7731002931", 1_000),  # R8: the merchant owes it back (issue 8)
        "确认发错货",
        transit=timedelta(days=2),
        to_receipt=timedelta(0),
        responsibility="product_defect",
    )
    d.step(
        f"{c4}:exchange",
        d.app.ship_exchange,
        actor=FRESH_STAFF,
        case_no=c4,
        carrier="中通快递",
        tracking_no="ZTO7731009954",
    )
    d.clock.advance(days=2)  # R8 (issue 7): the exchange ends when the replacement arrived
    d.step(f"{c4}:received", d.app.confirm_goods_received, actor=WANG, case_no=c4)
    d.clock.advance(hours=4)  # R2/R8 (issue 8): finance pays the consumer's leg back
    repaid = {"tender": "wallet", "psp_reference": "WX-SHIP-0004"}
    d.step(f"{c4}:repaid", d.app.record_shipping_repaid, actor=FINANCE, case_no=c4, **repaid)


def case_5_free_repair_in_warranty(d: Demo) -> None:
    """5. repair in warranty, not user-caused: free (R5, R6, R7)."""
    c5 = d.open_case(
        "DEMO-C-0005",
        ZHANG,
        "DEMO-O-1007",
        "repair",
        "quality_defect",
        [LineRequest(1, 1)],
        "左耳无声音",
    )
    d.clock.advance(hours=10)
    d.step(f"{c5}:accept", d.app.accept, actor=DIGITAL_STAFF, case_no=c5)
    d.send_back_and_inspect(
        c5,
        ZHANG,
        DIGITAL_STAFF,
        # 15 yuan declared without a receipt: owed back at the policy's 12 yuan (R2, issue 8)
        ("顺丰速运", "SF1400238812", 1_500),
        "左耳喇叭虚焊",
        to_receipt=timedelta(0),
        responsibility="product_defect",
    )
    d.clock.advance(days=2)
    d.step(
        f"{c5}:repaired",
        d.app.complete_repair,
        actor=DIGITAL_STAFF,
        case_no=c5,
        notes="更换左耳喇叭模组，免费保修",
        carrier="顺丰速运",
        tracking_no="SF1400240077",
    )
    d.clock.advance(days=1)  # R7 (issue 7): the repair ends when the goods are back
    d.step(f"{c5}:received", d.app.confirm_goods_received, actor=ZHANG, case_no=c5)


def case_6_paid_repair_on_a_quote(d: Demo) -> None:
    """6. repair of user damage: a quote the user accepts (R6)."""
    c6 = d.open_case(
        "DEMO-C-0006",
        LI,
        "DEMO-O-1002",
        "repair",
        "user_damage",
        [LineRequest(1, 1)],
        "耳机充电盒摔裂",
    )
    d.clock.advance(hours=3)
    d.step(f"{c6}:accept", d.app.accept, actor=DIGITAL_STAFF, case_no=c6)
    d.send_back_and_inspect(
        c6,
        LI,
        DIGITAL_STAFF,
        ("京东物流", "JDX0018827361", 0),
        "充电盒外壳摔裂，属人为损坏",
        to_receipt=timedelta(0),
        responsibility="user_damage",
    )
    d.step(
        f"{c6}:quote",
        d.app.quote_repair,
        actor=DIGITAL_STAFF,
        case_no=c6,
        fee_fen=8_800,
        reason="更换充电盒外壳",
    )
    d.clock.advance(hours=5)
    d.step(f"{c6}:quote-accepted", d.app.answer_quote, actor=LI, case_no=c6, accepted=True)
    d.clock.advance(days=1)
    d.step(
        f"{c6}:repaired",
        d.app.complete_repair,
        actor=DIGITAL_STAFF,
        case_no=c6,
        notes="已更换外壳",
        carrier="京东物流",
        tracking_no="JDX0018830012",
    )
    d.clock.advance(days=1)
    d.step(f"{c6}:received", d.app.confirm_goods_received, actor=LI, case_no=c6)
    d.step(f"{c6}:rate", d.app.rate, actor=LI, case_no=c6, score=4)


def case_7_complaint(d: Demo) -> None:
    """7. complaint (R9, R9.a)."""
    c7 = d.open_case(
        "DEMO-C-0007",
        WANG,
        "DEMO-O-1003",
        "complaint",
        "service",
        [],
        "客服态度差，多次催促不回复",
        channel="store",
    )
    d.clock.advance(hours=3)
    d.step(
        f"{c7}:respond",
        d.app.respond_to_complaint,
        actor=AGENT,
        case_no=c7,
        reason="已收到投诉，正在核实聊天记录",
    )
    d.step(
        f"{c7}:note",
        d.app.add_note,
        actor=AGENT,
        case_no=c7,
        text="商家客服近30天响应超时3次",
        internal=True,
    )
    d.clock.advance(hours=20)
    d.step(
        f"{c7}:opinion",
        d.app.give_opinion,
        actor=AGENT,
        case_no=c7,
        opinion="商家服务存在不足，已要求商家整改并向您致歉",
    )
    d.step(f"{c7}:close", d.app.close_case, actor=AGENT, case_no=c7, reason="处理意见已送达")
    d.step(f"{c7}:rate", d.app.rate, actor=WANG, case_no=c7, score=3)


def case_8_rejected_then_ruled_refund(d: Demo) -> None:
    """8. rejected return of an excluded item → arbitration → refund ruling (R1.a, R10)."""
    c8 = d.open_case(
        "DEMO-C-0008",
        WANG,
        "DEMO-O-1003",
        "return_refund",
        "quality_defect",
        [LineRequest(1, 1)],
        "猕猴桃到货即腐烂",
        evidence=(evidence("腐烂.jpg", "c8"),),
    )
    d.clock.advance(hours=1)
    d.step(
        f"{c8}:reject", d.app.reject, actor=FRESH_STAFF, case_no=c8, reason="生鲜商品签收后不退不换"
    )
    d.clock.advance(hours=2)
    d.step(
        f"{c8}:escalate",
        d.app.escalate,
        actor=WANG,
        case_no=c8,
        reason="到货即腐烂属质量问题，商家拒绝处理",
    )
    d.step(
        f"{c8}:evidence-consumer",
        d.app.submit_evidence,
        actor=WANG,
        case_no=c8,
        evidence=(evidence("开箱视频截图.jpg", "c8b"),),
        reason="开箱视频",
    )
    d.step(
        f"{c8}:evidence-merchant",
        d.app.submit_evidence,
        actor=FRESH_STAFF,
        case_no=c8,
        evidence=(evidence("发货前质检照.jpg", "c8c"),),
        reason="发货前质检照片",
    )
    d.clock.advance(days=1)
    d.step(
        f"{c8}:rule",
        d.app.rule,
        actor=ARBITRATOR,
        case_no=c8,
        ruling=Ruling(RulingOutcome.REFUND, refund_fen=6_990),
        reasoning="开箱证据显示到货即腐烂，属质量问题 (R1.c)，全额退款，无需退货",
    )
    d.step(f"{c8}:approve", d.app.approve_refund, actor=AGENT, case_no=c8)
    d.clock.advance(days=1)
    d.step(
        f"{c8}:paid",
        d.app.record_refund_paid,
        actor=FINANCE,
        case_no=c8,
        psp_reference="WXPAY-RF-2026-0008",
    )


def case_9_merchant_silent(d: Demo) -> None:
    """9. merchant silent: the R12 deadline breaches, the return is taken as agreed, withdrawn."""
    d.step(
        "delivered:DEMO-O-1008",
        d.app.record_delivery,
        actor=PLATFORM,
        order_no="DEMO-O-1008",
        signed_at=d.clock(),
    )
    d.clock.advance(hours=20)
    c9 = d.open_case(
        "DEMO-C-0009",
        LI,
        "DEMO-O-1008",
        "return_refund",
        "no_reason",
        [LineRequest(1, 1)],
        "颜色与图片不符，不想要了",
    )
    d.clock.advance(hours=2, seconds=1)
    d.app.expire(case_no=c9, clock=Clock.MERCHANT_DECISION)
    d.report.steps += 1
    d.step(f"{c9}:withdraw", d.app.withdraw, actor=LI, case_no=c9, reason="决定留下")


CASES_TO_THE_END = (
    case_1_no_reason_return,
    case_2_defect_return_with_compensation,
    case_3_refund_never_delivered,
    case_4_exchange_wrong_item,
    case_5_free_repair_in_warranty,
    case_6_paid_repair_on_a_quote,
    case_7_complaint,
    case_8_rejected_then_ruled_refund,
    case_9_merchant_silent,
)
