"""Who plays in the demo: two stores and their policies (R11), three consumers, a member of staff
per store, a platform agent, an arbitrator and finance; their log-ins; demo evidence files."""

from __future__ import annotations

import hashlib

from domain.case_values import Evidence
from domain.lines import OrderLine, Tender
from domain.terms import CategoryNote, Exclusion, PolicyTerms
from domain.values import Actor, ExclusionKind, Role

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


def evidence(name: str, tag: str) -> Evidence:
    """A demo evidence item: its hash is that of ``demo:<tag>`` (no file is stored)."""
    return Evidence(hashlib.sha256(f"demo:{tag}".encode()).hexdigest(), name, "image/jpeg", 48_213)


def digital_terms() -> PolicyTerms:
    return PolicyTerms(
        categories=("phone", "earphones", "accessory"),
        warranty_parts=("battery", "charger"),
        accept_hours=2,
        free_return_shipping=False,
        repair_fee_cap_fen=50_000,
        after_sales_carrier="顺丰速运 售后专线",
        store_name="山海数码旗舰店",
        return_address="广东省深圳市南山区科技园南路 18 号 山海数码售后中心（收）0755-8888 1234",
        notes=(CategoryNote("phone", "防水等级 IP68，进水不在保修范围 (R23)"),),
    )


def fresh_terms() -> PolicyTerms:
    return PolicyTerms(
        store_name="鲜果时光生鲜店",
        return_address="浙江省杭州市余杭区仓前街道鲜果路 6 号 鲜果时光退货组（收）0571-8666 5678",
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
