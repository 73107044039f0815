"""Verify the whole store in one pass over the notification log (issue 10, tamper evidence):

1. every aggregate's own chain (Case, Order, MerchantPolicy, ConsumerMerchantHistory,
   RequestRecord, Settlement), named by its type, business key and first bad version;
2. the store chain (``domain.store_chain``), against a kept head when one is given;
3. cross-references that a deleted aggregate or a truncated tail leaves dangling: each
   RequestRecord names its target and the version the command left it at (the target must exist
   at least at that version); an order or history naming a case, and any aggregate naming an
   order, must find it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID

from eventsourcing.utils import resolve_topic

from domain import ids
from domain.case import Case
from domain.chain import ChainBreak, ChainChecker, ChainReport, StoredShape
from domain.history import ConsumerMerchantHistory
from domain.order import Order
from domain.policy import MerchantPolicy
from domain.request import RequestRecord
from domain.settlement import Settlement
from domain.store_chain import StoreHead, StoreProblem, StoreWalk

AGGREGATES: tuple[type[Any], ...] = (
    Case,
    Order,
    MerchantPolicy,
    ConsumerMerchantHistory,
    RequestRecord,
    Settlement,
)
PAGE = 500
KIND_WORDS = {  # how messages name each type
    "Case": "case",
    "Order": "order",
    "MerchantPolicy": "merchant policy",
    "ConsumerMerchantHistory": "consumer history",
    "RequestRecord": "request record",
    "Settlement": "settlement",
}


def word(kind: str) -> str:
    return KIND_WORDS.get(kind, kind)


@dataclass(frozen=True)
class StoreReport:
    chains: tuple[ChainReport, ...]
    problems: tuple[StoreProblem, ...]  # store chain and cross-references
    head: StoreHead
    events: int
    notes: tuple[str, ...]

    @property
    def broken_chains(self) -> tuple[ChainReport, ...]:
        return tuple(r for r in self.chains if not r.ok)

    @property
    def ok(self) -> bool:
        return not self.problems and not self.broken_chains

    def count_by_kind(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for report in self.chains:
            counts[report.kind] = counts.get(report.kind, 0) + 1
        return counts


def kind_of(topic: str) -> str:
    """The aggregate type a stored event's topic belongs to ("unknown" if none of ours)."""
    try:
        cls = resolve_topic(topic)
    except Exception:
        return "unknown"
    for aggregate in AGGREGATES:
        if isinstance(cls, type) and issubclass(cls, aggregate.Event):
            return str(aggregate.__name__)
    return "unknown"


def label_of(kind: str, attributes: Mapping[str, Any]) -> str:
    """The business key of an aggregate, from its first event."""
    keys = {
        "Case": ("case_no",),
        "Order": ("order_no",),
        "MerchantPolicy": ("merchant_id",),
        "ConsumerMerchantHistory": ("consumer_id", "merchant_id"),
        "RequestRecord": ("request_id",),
        "Settlement": ("settlement_no",),
    }.get(kind, ())
    return "/".join(str(attributes.get(k, "")) for k in keys)


def _key_of(record: Mapping[str, Any]) -> str:
    """The business key a request record's result names (case number, order number ...)."""
    try:
        key = json.loads(str(record.get("result", ""))).get("key")
    except (ValueError, AttributeError):
        key = None
    return str(key) if key else "its target"


@dataclass
class _Aggregate:
    checker: ChainChecker
    kind: str = "unknown"
    label: str = ""
    version: int = 0  # the highest version the log holds


@dataclass(frozen=True)
class _Reference:
    source: str  # who names it, e.g. "RequestRecord r-1 (accept)"
    target: UUID
    what: str  # e.g. "case C-1"
    version: int  # at least this version must exist (1: it must exist)


class StoreVerifier:
    """Fed the notification log in order, with each event's decoded attributes (or a break)."""

    def __init__(
        self, kept: StoreHead | None, gaps_are_breaks: bool, cross_references: bool = True
    ) -> None:
        self.cross_references = cross_references
        self.walk = StoreWalk(kept=kept, gaps_are_breaks=gaps_are_breaks)
        self.aggregates: dict[UUID, _Aggregate] = {}
        self.references: list[_Reference] = []

    def add(self, notification: Any, shape: StoredShape | ChainBreak) -> None:
        originator_id = UUID(str(notification.originator_id))
        version = int(notification.originator_version)
        self.walk.add(
            int(notification.id), originator_id, version, notification.topic, notification.state
        )
        agg = self.aggregates.get(originator_id)
        if agg is None:
            agg = _Aggregate(ChainChecker(originator_id), kind=kind_of(notification.topic))
            self.aggregates[originator_id] = agg
        agg.version = max(agg.version, version)
        agg.checker.feed(shape)
        if isinstance(shape, StoredShape):
            if version == 1:
                agg.label = label_of(agg.kind, shape.attributes)
            self._note_references(agg, shape.attributes)

    def _note_references(self, agg: _Aggregate, attrs: Mapping[str, Any]) -> None:
        source = f"{word(agg.kind)} {agg.label or agg.checker.originator_id}"
        if agg.kind == "RequestRecord" and "target_id" in attrs:
            target = attrs["target_id"]
            version = attrs.get("target_version")
            if isinstance(target, UUID) and isinstance(version, int):
                command = attrs.get("command", "")
                self.references.append(
                    _Reference(f"{source} ({command})", target, _key_of(attrs), version)
                )
            return
        case_no = attrs.get("case_no")
        if agg.kind != "Case" and isinstance(case_no, str) and case_no:
            self.references.append(_Reference(source, ids.case_id(case_no), f"case {case_no}", 1))
        order_no = attrs.get("order_no")
        if agg.kind != "Order" and isinstance(order_no, str) and order_no:
            self.references.append(
                _Reference(source, ids.order_id(order_no), f"order {order_no}", 1)
            )

    def _dangling(self) -> Iterator[StoreProblem]:
        """One problem per aggregate that references name beyond what the store holds."""
        by_target: dict[UUID, list[_Reference]] = {}
        for ref in self.references:
            by_target.setdefault(ref.target, []).append(ref)
        for target, refs in by_target.items():
            found = self.aggregates.get(target)
            have = found.version if found else 0
            short = [r for r in refs if r.version > have]
            if not short:
                continue
            if found is not None:
                name = f"{word(found.kind)} {found.label or target}"
            else:
                named = [r.what for r in refs if r.what.startswith(("case ", "order "))]
                name = f"{(named or [refs[0].what])[0]} ({target})"
            if found is None:
                sources = list(dict.fromkeys(r.source for r in short))
                more = f" and {len(sources) - 3} more" if len(sources) > 3 else ""
                yield StoreProblem(
                    name,
                    f"named by {', '.join(sources[:3])}{more}, but the store does not hold it: "
                    "deleted",
                )
                continue
            worst = max(short, key=lambda r: r.version)
            yield StoreProblem(
                name,
                f"named at version {worst.version} by {worst.source}, but the store holds it "
                f"only up to version {have}: its last events were deleted (truncated)",
            )

    def snapshotted(self, kinds: set[str]) -> Iterator[tuple[UUID, str, str]]:
        """Every aggregate of these types: id, type, key."""
        for originator_id, agg in self.aggregates.items():
            if agg.kind in kinds:
                yield originator_id, agg.kind, agg.label or str(originator_id)

    def report(self, more: Iterable[StoreProblem] = ()) -> StoreReport:
        problems = list(self.walk.finish())
        problems.extend(more)
        if self.cross_references:
            problems.extend(self._dangling())
        chains = tuple(
            replace(a.checker.report(a.label), kind=a.kind) for a in self.aggregates.values()
        )
        return StoreReport(
            chains=chains,
            problems=tuple(problems),
            head=self.walk.head,
            events=self.walk.count,
            notes=tuple(self.walk.notes),
        )
