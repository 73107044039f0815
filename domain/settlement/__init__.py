"""A payment provider's settlement report, imported and reconciled as events (R3, R3.a, R21).

``Settlement.Imported`` records the file (its SHA-256, name, source format, encoding), the period
it covers, its rows normalised to fen (``ROW_FIELDS``) and the items its matching against the
ledger's payments gave (``domain.settlement.matching``). Each discrepancy is then work for
finance: it ends with one resolution, each an event: matched by hand (with the reason), marked
paid (the case's refund payment is recorded with the row's reference, in the same transaction),
written off (with the reason) or its payment reopened (the case's payment is owed again). Which
resolution fits which discrepancy is declared here (``RESOLUTIONS``), once; pages and the API
read it. A settlement is clean when no discrepancy is left open.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID, uuid5

from eventsourcing.domain import event

from domain.chain import ChainedAggregate
from domain.errors import IllegalTransition, InvalidInput, NotFound
from domain.ids import NAMESPACE
from domain.settlement.matching import DISCREPANCIES, OUTCOMES
from domain.values import Actor, Role

ROW_FIELDS = (
    "line",
    "psp_reference",
    "refund_id",
    "amount_fen",
    "currency",
    "status",
    "settled_at",
    "requested_at",
    "order_ref",
)
SOURCE_FORMATS = ("wechatpay_refund_bill", "alipay_refund_bill")


class Resolution(StrEnum):
    MATCH_BY_HAND = "match_by_hand"
    MARK_PAID = "mark_paid"
    WRITE_OFF = "write_off"
    REOPEN_PAYMENT = "reopen_payment"


# The resolutions each kind of discrepancy may end with (R3): a row the ledger lacks may be a
# payment finance did not record (mark paid); a payment the report lacks, or reports otherwise,
# may not have reached the consumer (reopen it). Any of them may be explained by hand or written
# off, always with a reason.
RESOLUTIONS: Mapping[str, tuple[Resolution, ...]] = {
    "missing_in_ledger": (Resolution.MARK_PAID, Resolution.MATCH_BY_HAND, Resolution.WRITE_OFF),
    "missing_in_report": (
        Resolution.REOPEN_PAYMENT,
        Resolution.MATCH_BY_HAND,
        Resolution.WRITE_OFF,
    ),
    "amount_mismatch": (Resolution.REOPEN_PAYMENT, Resolution.MATCH_BY_HAND, Resolution.WRITE_OFF),
    "status_mismatch": (Resolution.REOPEN_PAYMENT, Resolution.MATCH_BY_HAND, Resolution.WRITE_OFF),
}
RULE = "R3"


def settlement_id(settlement_no: str) -> UUID:
    return uuid5(NAMESPACE, f"settlement:{settlement_no}")


class Settlement(ChainedAggregate):
    """One imported settlement report and the resolution of its discrepancies."""

    @staticmethod
    def create_id(settlement_no: str) -> UUID:
        return settlement_id(settlement_no)

    @event("Imported")
    def __init__(
        self,
        settlement_no: str,
        file_name: str,
        file_sha256: str,
        source_format: str,
        encoding: str,
        period_start: str,
        period_end: str,
        rows: tuple[dict[str, Any], ...],
        items: tuple[dict[str, Any], ...],
        actor: Actor,
        at: datetime,
    ) -> None:
        self.settlement_no = settlement_no
        self.file_sha256 = file_sha256
        self.items = {int(i["item_no"]): dict(i) for i in items}
        self.resolved: dict[int, str] = {}

    @classmethod
    def record(
        cls,
        *,
        settlement_no: str,
        file_name: str,
        file_sha256: str,
        source_format: str,
        encoding: str,
        period: tuple[date, date],
        rows: Sequence[Mapping[str, Any]],
        items: Sequence[Mapping[str, Any]],
        actor: Actor,
        at: datetime,
    ) -> Settlement:
        """R3: finance (or the system, for the CLI) records an imported report and its matching."""
        if actor.role not in (Role.FINANCE, Role.SYSTEM):
            raise IllegalTransition(
                f"a {actor.role.value} cannot import a settlement report", rule="P2", field="actor"
            )
        if not settlement_no or not settlement_no.strip():
            raise InvalidInput("name the settlement", field="settlement_no")
        if source_format not in SOURCE_FORMATS:
            raise InvalidInput(
                f"unknown report format {source_format!r}; one of {list(SOURCE_FORMATS)}",
                field="source_format",
            )
        if period[1] < period[0]:
            raise InvalidInput(
                f"the period ends ({period[1]}) before it starts ({period[0]})", field="period"
            )
        for item in items:
            if item["outcome"] not in OUTCOMES:
                raise InvalidInput(f"unknown outcome {item['outcome']!r}", field="items")
        return cls(
            settlement_no=settlement_no.strip(),
            file_name=file_name,
            file_sha256=file_sha256,
            source_format=source_format,
            encoding=encoding,
            period_start=period[0].isoformat(),
            period_end=period[1].isoformat(),
            rows=tuple({k: row.get(k) for k in ROW_FIELDS} for row in rows),
            items=tuple(dict(i) for i in items),
            actor=actor,
            at=at,
        )

    # ------------------------------------------------------------------ reading
    @property
    def open_discrepancies(self) -> list[int]:
        return [
            n
            for n, item in sorted(self.items.items())
            if item["outcome"] in DISCREPANCIES and n not in self.resolved
        ]

    @property
    def clean(self) -> bool:
        return not self.open_discrepancies

    def item(self, item_no: int) -> dict[str, Any]:
        found = self.items.get(item_no)
        if found is None:
            raise NotFound(f"settlement {self.settlement_no} has no item {item_no}")
        return found

    def check_resolution(
        self, item_no: int, resolution: Resolution | str, actor: Actor
    ) -> Resolution:
        """The resolution, if ``actor`` may end item ``item_no`` with it (else a refusal)."""
        if actor.role is not Role.FINANCE:
            raise IllegalTransition(
                f"a {actor.role.value} cannot resolve a discrepancy (who may: finance)",
                rule="P2",
                field="actor",
            )
        try:
            chosen = Resolution(resolution)
        except ValueError:
            raise InvalidInput(
                f"unknown resolution {resolution!r}; one of {[r.value for r in Resolution]}",
                field="resolution",
            ) from None
        item = self.item(item_no)
        if item["outcome"] not in DISCREPANCIES:
            raise IllegalTransition(
                f"item {item_no} of settlement {self.settlement_no} is {item['outcome']}: "
                "not a discrepancy",
                rule=RULE,
            )
        if item_no in self.resolved:
            raise IllegalTransition(
                f"item {item_no} of settlement {self.settlement_no} was resolved already "
                f"({self.resolved[item_no]})",
                rule=RULE,
            )
        if chosen not in RESOLUTIONS[item["outcome"]]:
            possible = ", ".join(r.value for r in RESOLUTIONS[item["outcome"]])
            raise IllegalTransition(
                f"a {item['outcome']} item cannot be resolved by {chosen.value} "
                f"(possible: {possible})",
                rule=RULE,
                field="resolution",
            )
        return chosen

    # ------------------------------------------------------------------ resolving
    def resolve(
        self,
        *,
        item_no: int,
        resolution: Resolution | str,
        reason: str,
        actor: Actor,
        at: datetime,
        case_no: str = "",
        tender: str = "",
    ) -> None:
        chosen = self.check_resolution(item_no, resolution, actor)
        why = reason.strip() if isinstance(reason, str) else ""
        if not why:
            raise InvalidInput(
                f"{RULE}: say why the discrepancy is resolved so", field="reason", rule=RULE
            )
        case_no = (case_no or self.item(item_no).get("case_no") or "").strip()
        if chosen in (Resolution.MARK_PAID, Resolution.REOPEN_PAYMENT) and not case_no:
            raise InvalidInput("name the case the payment belongs to", field="case_no", rule=RULE)
        fields: dict[str, Any] = dict(
            item_no=item_no, case_no=case_no, reason=why, actor=actor, at=at
        )
        if chosen is Resolution.MATCH_BY_HAND:
            self._matched_by_hand(**fields)
        elif chosen is Resolution.WRITE_OFF:
            self._written_off(**fields)
        elif chosen is Resolution.MARK_PAID:
            self._marked_paid(tender=tender or "", **fields)
        else:
            self._payment_reopened(tender=tender or "", **fields)

    @event("MatchedByHand")
    def _matched_by_hand(
        self, item_no: int, case_no: str, reason: str, actor: Actor, at: datetime
    ) -> None:
        self.resolved[item_no] = Resolution.MATCH_BY_HAND.value

    @event("WrittenOff")
    def _written_off(
        self, item_no: int, case_no: str, reason: str, actor: Actor, at: datetime
    ) -> None:
        self.resolved[item_no] = Resolution.WRITE_OFF.value

    @event("MarkedPaid")
    def _marked_paid(
        self, item_no: int, case_no: str, tender: str, reason: str, actor: Actor, at: datetime
    ) -> None:
        self.resolved[item_no] = Resolution.MARK_PAID.value

    @event("PaymentReopened")
    def _payment_reopened(
        self, item_no: int, case_no: str, tender: str, reason: str, actor: Actor, at: datetime
    ) -> None:
        self.resolved[item_no] = Resolution.REOPEN_PAYMENT.value


__all__ = [
    "RESOLUTIONS",
    "ROW_FIELDS",
    "SOURCE_FORMATS",
    "Resolution",
    "Settlement",
    "settlement_id",
]
