"""How the domain's value types are stored as JSON by the eventsourcing library.

``str`` enums are JSON strings already (the encoder never asks for them) and the aggregates coerce
them back on replay; dates and every dataclass get a registered transcoding, named for the class,
so a stored event decodes to the same objects it was made of (which the hash chain relies on).
"""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from eventsourcing.persistence import Transcoding

from domain.case_values import CaseLine, Evidence, RefundPlan, Ruling, Shipment
from domain.deadlines import Deadline
from domain.entitlement import Deduction, Entitlement, EntitlementItem
from domain.lines import OrderLine, Tender, TenderRefund
from domain.policy import PolicyVersion
from domain.terms import CategoryNote, Exclusion, KindHours, PolicyTerms, WarrantyPart
from domain.values import Actor


class DateAsISO(Transcoding):
    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class DataclassAsDict(Transcoding):
    """A frozen dataclass as a dict of its fields; lists come back as the tuples they were."""

    def __init__(self, cls: type[Any]) -> None:
        self.type = cls
        self.name = cls.__name__
        self._fields = tuple(f.name for f in dataclasses.fields(cls))

    def encode(self, obj: Any) -> dict[str, Any]:
        return {name: getattr(obj, name) for name in self._fields}

    def decode(self, data: dict[str, Any]) -> Any:
        values = {k: tuple(v) if isinstance(v, list) else v for k, v in data.items()}
        return self.type(**values)


VALUE_TYPES: tuple[type[Any], ...] = (
    Actor,
    Tender,
    TenderRefund,
    OrderLine,
    Exclusion,
    CategoryNote,
    KindHours,
    WarrantyPart,
    PolicyTerms,
    PolicyVersion,
    CaseLine,
    Evidence,
    Shipment,
    RefundPlan,
    Ruling,
    Deadline,
    EntitlementItem,
    Entitlement,
    Deduction,
)


def transcodings() -> list[Transcoding]:
    return [DateAsISO(), *(DataclassAsDict(cls) for cls in VALUE_TYPES)]
