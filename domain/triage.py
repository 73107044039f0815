"""R20 automatic triage: classify an application's kind (and likely reason) from its text and route
it. A transparent keyword classifier in Chinese and English: every decision lists the words that
decided it and a confidence, and a person can override it (``Case.route``)."""

from __future__ import annotations

from dataclasses import dataclass

from domain.values import CaseKind, Reason

# (keyword, weight). Longer, more specific phrases weigh more.
KIND_WORDS: dict[CaseKind, tuple[tuple[str, int], ...]] = {
    CaseKind.REFUND_ONLY: (
        ("仅退款", 4),
        ("未收到", 3),
        ("没收到", 3),
        ("未发货", 3),
        ("没发货", 3),
        ("少发", 3),
        ("漏发", 3),
        ("丢件", 3),
        ("not received", 3),
        ("never arrived", 3),
        ("not shipped", 3),
        ("missing", 2),
        ("refund only", 4),
        ("lost parcel", 3),
    ),
    CaseKind.EXCHANGE: (
        ("换货", 4),
        ("换一个", 3),
        ("换成", 2),
        ("尺码", 2),
        ("换个颜色", 3),
        ("exchange", 4),
        ("swap", 2),
        ("replace it", 3),
        ("replacement", 3),
        ("wrong size", 3),
    ),
    CaseKind.REPAIR: (
        ("维修", 4),
        ("修理", 4),
        ("返修", 4),
        ("保修", 3),
        ("不开机", 3),
        ("坏了", 2),
        ("无法充电", 2),
        ("repair", 4),
        ("fix", 2),
        ("warranty", 3),
        ("broken", 2),
        ("won't turn on", 3),
        ("not charging", 2),
    ),
    CaseKind.COMPLAINT: (
        ("投诉", 5),
        ("态度", 3),
        ("客服", 2),
        ("服务差", 3),
        ("不回复", 3),
        ("欺骗", 3),
        ("complain", 5),
        ("complaint", 5),
        ("rude", 3),
        ("no reply", 3),
        ("customer service", 2),
    ),
    CaseKind.RETURN_REFUND: (
        ("退货", 4),
        ("退款", 2),
        ("不想要", 3),
        ("七天无理由", 4),
        ("无理由", 3),
        ("不合适", 2),
        ("return", 3),
        ("refund", 2),
        ("don't want", 3),
        ("do not want", 3),
        ("changed my mind", 3),
    ),
}

REASON_WORDS: dict[Reason, tuple[str, ...]] = {
    Reason.WRONG_ITEM: ("发错", "错发", "不是我买的", "wrong item", "sent the wrong"),
    Reason.TRANSPORT_DAMAGE: ("运输", "快递压坏", "外箱破损", "damaged in transit", "crushed"),
    Reason.NOT_DELIVERED: ("未收到", "没收到", "未发货", "没发货", "not received", "never arrived"),
    Reason.MISSING_ITEM: ("少发", "漏发", "缺少", "missing"),
    Reason.USER_DAMAGE: ("摔", "进水", "不小心", "dropped", "water damage"),
    Reason.QUALITY_DEFECT: (
        "质量",
        "缺陷",
        "坏了",
        "故障",
        "不开机",
        "异味",
        "腐烂",
        "defect",
        "faulty",
        "broken",
        "doesn't work",
        "rotten",
    ),
    Reason.SERVICE: ("态度", "客服", "服务", "rude", "service"),
    Reason.NO_REASON: ("不想要", "无理由", "不合适", "买重复", "changed my mind", "don't want"),
}

DEFAULT_KIND = CaseKind.RETURN_REFUND
DEFAULT_CONFIDENCE = 30  # nothing matched: a person should look


@dataclass(frozen=True)
class Triage:
    kind: CaseKind
    reason: Reason | None
    confidence_pct: int
    matched: tuple[str, ...]
    queue: str

    @property
    def needs_review(self) -> bool:
        return self.confidence_pct < 60


def queue_for(kind: CaseKind, merchant_id: str) -> str:
    """R20 routing: complaints go to platform customer service, the rest to the merchant."""
    return "platform" if kind is CaseKind.COMPLAINT else f"merchant:{merchant_id}"


def classify(text: str, merchant_id: str) -> Triage:
    """R20: the kind whose keywords weigh most; confidence is its share of all the weight."""
    lowered = text.casefold()
    scores: dict[CaseKind, int] = {}
    matched: dict[CaseKind, list[str]] = {}
    for kind, words in KIND_WORDS.items():
        for word, weight in words:
            if word.casefold() in lowered:
                scores[kind] = scores.get(kind, 0) + weight
                matched.setdefault(kind, []).append(word)
    reason = next(
        (r for r, words in REASON_WORDS.items() if any(w.casefold() in lowered for w in words)),
        None,
    )
    if not scores:
        return Triage(
            DEFAULT_KIND, reason, DEFAULT_CONFIDENCE, (), queue_for(DEFAULT_KIND, merchant_id)
        )
    order = list(KIND_WORDS)
    best = max(scores, key=lambda k: (scores[k], -order.index(k)))
    total = sum(scores.values())
    confidence = scores[best] * 100 // total
    return Triage(best, reason, confidence, tuple(matched[best]), queue_for(best, merchant_id))
