"""The demo's orders as the commerce platform hands them over: (consumer, store, lines, shipping
fee in fen, or None where the platform sent none)."""

from __future__ import annotations

from domain.lines import OrderLine, Tender
from domain.values import Actor, TenderKind
from web.demo.cast import LI, SHOP_DIGITAL, SHOP_FRESH, WANG, ZHANG, line

Orders = dict[str, tuple[Actor, str, list[OrderLine], int | None]]

CARD, WALLET, POINTS, COUPON = (
    TenderKind.CARD,
    TenderKind.WALLET,
    TenderKind.POINTS,
    TenderKind.COUPON,
)
PHONE = ("PH-X1", "山海 X1 手机 256G", "phone", 399_900)
EARPHONES = ("EP-A2", "山海 A2 降噪耳机", "earphones", 59_900)
CASE = ("AC-CASE", "手机保护壳", "accessory", 4_900)
TEA = ("GB-TEA", "新春茶礼盒", "gift_box", 25_800)

#: Placed 40 days ago (``DEMO_DAYS``), an hour into the scenario.
FIRST_ORDERS: Orders = {
    "DEMO-O-1001": (
        ZHANG,
        SHOP_DIGITAL,
        [
            line(1, *PHONE, Tender(CARD, 389_900), Tender(POINTS, 10_000)),
            line(2, *EARPHONES, Tender(CARD, 59_900)),
        ],
        1_200,
    ),
    "DEMO-O-1002": (
        LI,
        SHOP_DIGITAL,
        [line(1, *EARPHONES, Tender(WALLET, 54_900), Tender(COUPON, 5_000))],
        0,
    ),
    "DEMO-O-1003": (
        WANG,
        SHOP_FRESH,
        [
            line(1, "FR-KIWI", "徐香猕猴桃 5斤装", "fruit", 6_990, Tender(WALLET, 6_990)),
            line(2, "CO-MASK", "玻尿酸面膜 10片", "cosmetics", 12_900, Tender(CARD, 12_900)),
        ],
        0,
    ),
    "DEMO-O-1004": (
        ZHANG,
        SHOP_DIGITAL,
        [line(1, "AC-CH65", "65W 快充充电器", "accessory", 12_900, Tender(CARD, 12_900))],
        800,
    ),
    "DEMO-O-1005": (LI, SHOP_DIGITAL, [line(1, *PHONE, Tender(CARD, 399_900))], 0),
    "DEMO-O-1006": (WANG, SHOP_FRESH, [line(1, *TEA, Tender(CARD, 25_800))], 0),
    "DEMO-O-1007": (ZHANG, SHOP_DIGITAL, [line(1, *EARPHONES, Tender(CARD, 59_900))], 0),
    "DEMO-O-1008": (LI, SHOP_DIGITAL, [line(1, *CASE, Tender(WALLET, 4_900))], 0),
}

#: 1005 is never delivered (a refund_only case); 1004 and 1008 arrive later in the scenario.
DELIVERED_LATER = ("DEMO-O-1005", "DEMO-O-1004", "DEMO-O-1008")

#: Placed six days before the present, delivered a day later: open work for every audience.
RECENT_ORDERS: Orders = {
    "DEMO-O-1009": (
        LI,
        SHOP_DIGITAL,
        [
            line(1, *EARPHONES, Tender(CARD, 59_900)),
            line(2, *CASE, Tender(WALLET, 4_900)),
        ],
        None,
    ),
    "DEMO-O-1010": (ZHANG, SHOP_DIGITAL, [line(1, *PHONE, Tender(CARD, 399_900))], None),
    "DEMO-O-1011": (WANG, SHOP_FRESH, [line(1, *TEA, Tender(WALLET, 25_800))], None),
}
