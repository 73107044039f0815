"""Value types that only cases use: statuses, lines under a case, evidence, rulings, refunds."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from domain.chain import added_later
from domain.errors import InvalidInput
from domain.lines import OrderLine, Tender, TenderRefund
from domain.values import Party


class Status(StrEnum):
    REQUESTED = "requested"  # waiting for the merchant's decision (R12) / platform (R9.a)
    REJECTED = "rejected"  # R12 rejected with a reason
    AWAITING_RETURN = "awaiting_return"  # accepted: consumer ships the goods back (R13)
    RETURN_IN_TRANSIT = "return_in_transit"
    RETURN_DELIVERED = "return_delivered"  # carrier delivered to the merchant: R3 24 h clock
    RECEIVED = "received"  # merchant confirmed receipt (R3)
    INSPECTION_FAILED = "inspection_failed"  # R14 user damage on a return/exchange
    AWAITING_REFUND = "awaiting_refund"  # platform review (R3)
    REFUND_APPROVED = "refund_approved"  # money on its way: 3-7 working days (R3)
    REFUND_FAILED = "refund_failed"
    AWAITING_EXCHANGE = "awaiting_exchange"  # R8 replacement to ship
    AWAITING_QUOTE_ANSWER = "awaiting_quote_answer"  # R6 consumer accepts or declines a fee
    REPAIRING = "repairing"  # R7
    RETURNING_UNREPAIRED = "returning_unrepaired"  # R6 quote declined: goods go back as they are
    GOODS_RETURNING = "goods_returning"  # R7/R8: goods on their way back to the consumer
    AWAITING_COMPENSATION = "awaiting_compensation"  # R10: a ruled compensation to pay
    COMPLAINT_OPEN = "complaint_open"  # R9 complaint case waiting for the platform
    COMPLAINT_ANSWERED = "complaint_answered"  # R9.a responded, opinion due
    OPINION_GIVEN = "opinion_given"  # R9.a handling opinion given
    IN_ARBITRATION = "in_arbitration"  # R10
    RULED = "ruled"  # R10 final ruling (version 1 cases only: now the carrying-out state)
    CLOSED = "closed"
    WITHDRAWN = "withdrawn"

    @property
    def is_terminal(self) -> bool:
        return self in (Status.CLOSED, Status.WITHDRAWN)


class RulingOutcome(StrEnum):
    REFUND = "refund"
    EXCHANGE = "exchange"
    REPAIR = "repair"
    COMPENSATION = "compensation"
    DISMISSED = "dismissed"


@dataclass(frozen=True)
class CaseLine:
    """The facts of one order line a case covers, copied at opening so later steps need no order."""

    line_no: int
    sku: str
    title: str
    category: str
    quantity: int  # units under this case
    line_quantity: int  # units bought
    paid_fen: int  # paid for the units under this case (R3.a cap)
    tenders: tuple[Tender, ...]  # how the whole line was paid
    outbound_share_fen: int  # this case's share of the order's outbound shipping (R2)
    opened: bool = added_later(False)  # R1.a: the consumer said the goods were opened

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "tenders",
            tuple(t if isinstance(t, Tender) else Tender(**t) for t in self.tenders),
        )

    @classmethod
    def of(
        cls, line: OrderLine, quantity: int, outbound_share_fen: int, *, opened: bool = False
    ) -> CaseLine:
        return cls(
            line_no=line.line_no,
            sku=line.sku,
            title=line.title,
            category=line.category,
            quantity=quantity,
            line_quantity=line.quantity,
            paid_fen=line.paid_for(quantity),
            tenders=line.tenders,
            outbound_share_fen=outbound_share_fen,
            opened=opened,
        )


@dataclass(frozen=True)
class Evidence:
    """A photo or document, stored elsewhere by content hash; the event records the hash (R21)."""

    sha256: str
    name: str
    media_type: str
    size: int

    def __post_init__(self) -> None:
        digest = self.sha256
        if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
            raise InvalidInput("evidence is named by its lowercase hex SHA-256", field="evidence")
        if isinstance(self.size, bool) or not isinstance(self.size, int) or self.size < 0:
            raise InvalidInput(
                "evidence size must be a non-negative number of bytes", field="evidence"
            )


@dataclass(frozen=True)
class Shipment:
    """R13 / R25: carrier and tracking number, and what the sender paid the carrier."""

    carrier: str
    tracking_no: str
    fee_fen: int = 0

    def __post_init__(self) -> None:
        if not self.carrier.strip():
            raise InvalidInput("R13: a shipment names its carrier", field="carrier")
        if not self.tracking_no.strip():
            raise InvalidInput("R13: a shipment needs a tracking number", field="tracking_no")
        if isinstance(self.fee_fen, bool) or not isinstance(self.fee_fen, int) or self.fee_fen < 0:
            raise InvalidInput("a shipping fee is a non-negative number of fen", field="fee_fen")


@dataclass(frozen=True)
class RefundPlan:
    """What an approved refund pays (R3.a) and why its shipping part is owed (R2)."""

    goods_fen: int
    shipping_fen: int
    total_fen: int
    cap_fen: int
    split: tuple[TenderRefund, ...]
    return_leg_payer: Party
    outbound_leg_payer: Party
    currency: str

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "split",
            tuple(s if isinstance(s, TenderRefund) else TenderRefund(**s) for s in self.split),
        )
        for name in ("return_leg_payer", "outbound_leg_payer"):
            value = getattr(self, name)
            if not isinstance(value, Party):
                object.__setattr__(self, name, Party(value))


@dataclass(frozen=True)
class Ruling:
    """R10: the arbitrator's final ruling."""

    outcome: RulingOutcome
    refund_fen: int = 0
    compensation_fen: int = 0
    return_required: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.outcome, RulingOutcome):
            try:
                object.__setattr__(self, "outcome", RulingOutcome(self.outcome))
            except ValueError:
                raise InvalidInput(
                    f"unknown ruling outcome {self.outcome!r}; one of "
                    f"{[o.value for o in RulingOutcome]}",
                    field="outcome",
                    rule="R10",
                ) from None
        for name in ("refund_fen", "compensation_fen"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise InvalidInput(f"{name} must be a non-negative number of fen", field=name)
        if self.outcome is RulingOutcome.REFUND and self.refund_fen == 0:
            raise InvalidInput("a refund ruling names the amount", field="refund_fen", rule="R10")
        if self.outcome is RulingOutcome.COMPENSATION and self.compensation_fen == 0:
            raise InvalidInput(
                "a compensation ruling names the amount", field="compensation_fen", rule="R10"
            )
