"""Per-tender refund payments (R3, R3.a, R21): an approved refund goes back to the tenders the
order was paid with; each money tender (card, wallet) is one payment with its own reference and
state, so a refund paid to the card and failed on the wallet is recorded as exactly that.
Points and coupons come back in kind at approval and are no payment.

A payment's state, from the case's events:

- ``due``: sent or to be sent (after the approval, a retry, a reroute);
- ``failed``: the provider refused or returned it (``RefundFailed``, ``PaymentReopened``): it is
  retried (``RefundRetried``), rerouted to the wallet with the consumer's consent
  (``RefundRerouted``) or recorded paid;
- ``paid``: the provider confirmed it (``RefundPaid``).

The refund is settled, and the case closes, only when every payment is paid (R3).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from domain.values import TenderKind


class MoneyTender(StrEnum):
    """A tender whose part of a refund is paid through the payment provider (R3.a)."""

    CARD = "card"
    WALLET = "wallet"


class PaymentStatus(StrEnum):
    DUE = "due"
    FAILED = "failed"
    PAID = "paid"


@dataclass(frozen=True)
class TenderPayment:
    """One money tender's payment of a refund: ``tender`` is the tender the refund part belongs
    to (R3.a), ``paid_to`` where the money goes (the tender itself, or the wallet after a
    reroute)."""

    tender: MoneyTender
    amount_fen: int
    paid_to: MoneyTender
    status: PaymentStatus
    failed_attempts: int = 0
    psp_reference: str = ""
    consent: str = ""

    @property
    def settled(self) -> bool:
        return self.status is PaymentStatus.PAID

    @property
    def open(self) -> bool:
        return self.status is not PaymentStatus.PAID


def _field(value: Any, name: str) -> Any:
    return value.get(name) if isinstance(value, Mapping) else getattr(value, name)


def money_parts(split: Iterable[Any]) -> dict[MoneyTender, int]:
    """The money tenders of a refund's split and their amounts, in the split's order."""
    out: dict[MoneyTender, int] = {}
    for part in split:
        kind = TenderKind(_field(part, "kind"))
        if not kind.in_kind:
            tender = MoneyTender(kind.value)
            out[tender] = out.get(tender, 0) + int(_field(part, "amount_fen"))
    return out


def in_kind_fen(split: Iterable[Any]) -> int:
    """What comes back in kind (points, coupons) and is no payment."""
    return sum(int(_field(p, "amount_fen")) for p in split if TenderKind(_field(p, "kind")).in_kind)


def payments_of(
    split: Iterable[Any], changes: Mapping[str, Mapping[str, Any]]
) -> list[TenderPayment]:
    """The payments of a refund: one per money tender of ``split``, each as ``changes`` (the
    case's record of what happened to it, by tender) leaves it."""
    out: list[TenderPayment] = []
    for tender, amount in money_parts(split).items():
        change = changes.get(tender.value, {})
        out.append(
            TenderPayment(
                tender=tender,
                amount_fen=amount,
                paid_to=MoneyTender(change.get("paid_to", tender.value)),
                status=PaymentStatus(change.get("status", PaymentStatus.DUE.value)),
                failed_attempts=int(change.get("failed_attempts", 0)),
                psp_reference=str(change.get("psp_reference", "")),
                consent=str(change.get("consent", "")),
            )
        )
    return out


def changed(
    changes: Mapping[str, Mapping[str, Any]], tender: str, **values: Any
) -> dict[str, dict[str, Any]]:
    """``changes`` with one tender's record updated: a new dict each time (a case's state is
    copied shallowly to decide what a move would allow, so it is never changed in place)."""
    out = {k: dict(v) for k, v in changes.items()}
    out[tender] = {**out.get(tender, {}), **values}
    return out
