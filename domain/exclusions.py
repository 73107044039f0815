"""The platform's list of categories a merchant may exclude from the no-reason return (R1.a, R1.b,
R19): each excludable category with the exclusion kinds allowed for it and why.

A merchant's policy version may only exclude a category on this list, with one of its kinds
(``check_exclusion``, called by ``terms.check_terms``): phones cannot be published as "fresh goods".
Category names are matched without case and surrounding blanks; the Chinese names the platform
knows are listed beside the English ones. ``reason`` is English (the site translates it);
``reason_zh`` the platform's own wording.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import PolicyBelowFloor
from domain.values import ExclusionKind

_FRESH = (ExclusionKind.FRESH,)
_CUSTOM = (ExclusionKind.CUSTOM,)
_DIGITAL = (ExclusionKind.DIGITAL,)
_CONSUMABLE = (ExclusionKind.CONSUMABLE,)
_HYGIENE = (ExclusionKind.HYGIENE,)


@dataclass(frozen=True)
class ExcludableCategory:
    """One category on the platform's list (R1.a / R1.b) and the exclusion kinds it allows."""

    names: tuple[str, ...]  # the category's name first, then the other names it is known by
    kinds: tuple[ExclusionKind, ...]
    reason: str
    reason_zh: str

    @property
    def category(self) -> str:
        return self.names[0]

    @property
    def rule(self) -> str:
        return "R1.b" if all(k.requires_confirmation for k in self.kinds) else "R1.a"


_FRESH_WHY = ("fresh and perishable goods spoil and cannot be resold (Law art. 6)", "生鲜易腐")
_DIGITAL_WHY = (
    "digital content delivered online cannot be given back (Law art. 6)",
    "在线下载或者消费者拆封的音像制品、计算机软件等数字化商品",
)
_CONSUMABLE_WHY = (
    "consumables once opened cannot be resold (R1.a)",
    "易损耗品、化妆品试用装，拆封后影响二次销售",
)
_HYGIENE_WHY = (
    "worn next to the skin: excluded for hygiene when the buyer confirmed it at purchase "
    "(R1.b, Law art. 7)",
    "贴身衣物等拆封后易影响人身安全或者生命健康的商品，经消费者购买时确认",
)

PLATFORM_EXCLUDABLE: tuple[ExcludableCategory, ...] = (
    ExcludableCategory(("fresh", "生鲜"), _FRESH, *_FRESH_WHY),
    ExcludableCategory(("fruit", "水果"), _FRESH, *_FRESH_WHY),
    ExcludableCategory(("vegetables", "蔬菜"), _FRESH, *_FRESH_WHY),
    ExcludableCategory(("seafood", "海鲜", "水产"), _FRESH, *_FRESH_WHY),
    ExcludableCategory(("meat", "肉类"), _FRESH, *_FRESH_WHY),
    ExcludableCategory(("dairy", "乳品"), _FRESH, *_FRESH_WHY),
    ExcludableCategory(("flowers", "鲜花"), _FRESH, *_FRESH_WHY),
    ExcludableCategory(
        ("custom", "custom_made", "定制"),
        _CUSTOM,
        "made to the buyer's order (Law art. 6)",
        "消费者定作的商品",
    ),
    ExcludableCategory(("digital", "数字商品"), _DIGITAL, *_DIGITAL_WHY),
    ExcludableCategory(("e_books", "ebooks", "电子书"), _DIGITAL, *_DIGITAL_WHY),
    ExcludableCategory(("software", "software_keys", "软件"), _DIGITAL, *_DIGITAL_WHY),
    ExcludableCategory(("game_keys", "游戏激活码"), _DIGITAL, *_DIGITAL_WHY),
    ExcludableCategory(("cosmetics", "化妆品"), _CONSUMABLE, *_CONSUMABLE_WHY),
    ExcludableCategory(("cosmetics_samples", "化妆品试用装"), _CONSUMABLE, *_CONSUMABLE_WHY),
    ExcludableCategory(("consumables", "易损耗品"), _CONSUMABLE, *_CONSUMABLE_WHY),
    ExcludableCategory(("underwear", "内衣"), _HYGIENE, *_HYGIENE_WHY),
    ExcludableCategory(("swimwear", "泳衣"), _HYGIENE, *_HYGIENE_WHY),
    ExcludableCategory(("socks", "袜子"), _HYGIENE, *_HYGIENE_WHY),
    ExcludableCategory(
        ("personal_care", "个人护理"),
        (ExclusionKind.CONSUMABLE, ExclusionKind.HYGIENE),
        "personal-care goods: once opened (R1.a), or for hygiene when confirmed at purchase (R1.b)",
        "个人护理用品：拆封后不退，或经消费者购买时确认",
    ),
)


def _key(name: str) -> str:
    return name.strip().lower()


_BY_NAME: dict[str, ExcludableCategory] = {
    _key(name): entry for entry in PLATFORM_EXCLUDABLE for name in entry.names
}


def excludable(category: str) -> ExcludableCategory | None:
    """The platform's entry for ``category`` (R1.a), or None when it may not be excluded."""
    return _BY_NAME.get(_key(category))


def _listing() -> str:
    return "; ".join(
        f"{e.category} ({', '.join(k.value for k in e.kinds)})" for e in PLATFORM_EXCLUDABLE
    )


def check_exclusion(category: str, kind: ExclusionKind) -> None:
    """Refuse an exclusion the platform's list does not allow (R1.a, R19)."""
    entry = excludable(category)
    if entry is None:
        raise PolicyBelowFloor(
            f"category {category!r} is not on the platform's list of categories that may be "
            f"excluded from no-reason returns (R1.a, R19); excludable: {_listing()}",
            field="exclusions",
        )
    if kind not in entry.kinds:
        allowed = ", ".join(k.value for k in entry.kinds)
        raise PolicyBelowFloor(
            f"category {category!r} may be excluded only as {allowed} ({entry.rule}, R19), "
            f"not as {kind.value}: {entry.reason}",
            field="exclusions",
        )
