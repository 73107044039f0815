"""Plain value types shared by the aggregates, the rules and the read side.

Everything here is standard library only, immutable, and JSON-friendly: enums are ``str`` enums and
the dataclasses hold only str/int/bool/datetime/date fields or tuples of other values.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    """Who acted. Every event carries one (DEVELOPERS.md: events carry who acted)."""

    CONSUMER = "consumer"
    MERCHANT = "merchant"
    PLATFORM_AGENT = "platform_agent"
    ARBITRATOR = "arbitrator"
    FINANCE = "finance"
    SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    """Who acted: a role and an id; merchant staff also name their store (``merchant_id``)."""

    role: Role
    id: str
    merchant_id: str = ""

    def __post_init__(self) -> None:
        if not isinstance(self.role, Role):
            object.__setattr__(self, "role", Role(self.role))
        if not isinstance(self.id, str) or not self.id.strip():
            raise ValueError("an actor needs an id")
        if self.role is Role.MERCHANT and not self.merchant_id:
            raise ValueError("merchant staff act for one store: merchant_id is required")

    def __str__(self) -> str:
        return f"{self.role.value}:{self.id}"


SYSTEM = Actor(Role.SYSTEM, "system")


class CaseKind(StrEnum):
    """policy.md "Case kinds" (售后类型)."""

    RETURN_REFUND = "return_refund"
    REFUND_ONLY = "refund_only"
    EXCHANGE = "exchange"
    REPAIR = "repair"
    COMPLAINT = "complaint"


class Reason(StrEnum):
    """Why the consumer opened the case. Fault decides shipping (R2) and eligibility (R1, R1.c)."""

    NO_REASON = "no_reason"  # R1 七天无理由
    QUALITY_DEFECT = "quality_defect"  # R1.c, R4
    WRONG_ITEM = "wrong_item"  # R2: merchant's fault
    TRANSPORT_DAMAGE = "transport_damage"  # R2: carrier's fault
    NOT_DELIVERED = "not_delivered"  # refund_only: goods never arrived
    MISSING_ITEM = "missing_item"  # refund_only: part of the parcel missing
    USER_DAMAGE = "user_damage"  # repair of damage the user caused (R6)
    SERVICE = "service"  # complaint about the merchant's service (R9)

    @property
    def is_quality(self) -> bool:
        """A reason that is never "no reason" (R1.c): the merchant or the carrier is at fault."""
        return self in QUALITY_REASONS


QUALITY_REASONS = frozenset(
    {Reason.QUALITY_DEFECT, Reason.WRONG_ITEM, Reason.TRANSPORT_DAMAGE, Reason.MISSING_ITEM}
)


class Responsibility(StrEnum):
    """R14 inspection outcome (质量检测与责任认定)."""

    PRODUCT_DEFECT = "product_defect"
    TRANSPORT_DAMAGE = "transport_damage"
    USER_DAMAGE = "user_damage"
    NO_FAULT = "no_fault"


class TenderKind(StrEnum):
    """How a line was paid (R3.a): money goes back to its tenders, points and coupons in kind."""

    CARD = "card"
    WALLET = "wallet"
    POINTS = "points"
    COUPON = "coupon"

    @property
    def in_kind(self) -> bool:
        """Points and coupons come back in kind (Law art. 15), not as money."""
        return self in (TenderKind.POINTS, TenderKind.COUPON)


class ExclusionKind(StrEnum):
    """Special goods excluded from the no-reason return (R1.a), each with its condition.

    - R1.a, never eligible (Law art. 6): fresh/perishable, custom-made, digital goods once
      delivered; and consumables (易损耗品, 化妆品试用装) once opened: the case line records
      whether the consumer opened it (``opened_bites``).
    - R1.b (Law art. 7): goods excluded only if the consumer confirmed it at purchase, such as
      underwear and swimwear for hygiene; the order line records that confirmation
      (``requires_confirmation``).

    Stored policies hold ``consumable`` from before R1.a and R1.b were told apart; it now reads
    as R1.a "once opened", as policy.md says.
    """

    FRESH = "fresh"  # 生鲜 (Law art. 6)
    CUSTOM = "custom"  # 定制 (Law art. 6)
    DIGITAL = "digital"  # 数字商品 once delivered (Law art. 6)
    CONSUMABLE = "consumable"  # 易损耗品 / 化妆品试用装 once opened (R1.a)
    HYGIENE = "hygiene"  # 贴身衣物等, excluded when confirmed at purchase (R1.b, Law art. 7)

    @property
    def requires_confirmation(self) -> bool:
        """R1.b: excluded only if the order line records the buyer's confirmation at purchase."""
        return self is ExclusionKind.HYGIENE

    @property
    def opened_bites(self) -> bool:
        """R1.a: excluded only once the consumer opened the goods (the case line says so)."""
        return self is ExclusionKind.CONSUMABLE

    @property
    def rule(self) -> str:
        return "R1.b" if self.requires_confirmation else "R1.a"


class Channel(StrEnum):
    """R9 complaint channels."""

    PLATFORM = "platform"  # platform customer service
    STORE = "store"  # complaint entry in the merchant's store


class Party(StrEnum):
    """Who pays a shipping leg (R2) or a repair (R6)."""

    CONSUMER = "consumer"
    MERCHANT = "merchant"
