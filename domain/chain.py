"""Tamper evidence: each aggregate's events form a hash chain, computed in the domain.

Every event carries ``prev_hash`` (its predecessor's ``event_hash``, or ``GENESIS``) and
``event_hash``: SHA-256 over a canonical JSON of the event's topic, aggregate id, version,
recording timestamp, ``prev_hash`` and every payload attribute. Because the hash is computed before
the event is stored, every store (SQLite, PostgreSQL) gets it; ``verify_chain`` recomputes it from
what the store gives back, so one changed byte of one stored event is found.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any, Self, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate, _create_id_param_names
from eventsourcing.utils import get_topic

GENESIS = "0" * 64

# Attributes that are not payload: either hashed separately or the hash itself.
_NOT_PAYLOAD = frozenset(
    {
        "originator_id",
        "originator_version",
        "originator_topic",
        "timestamp",
        "prev_hash",
        "event_hash",
        "_class_version_",
        "class_version",
    }
)


_ADDED_LATER = "chain.added_later"
_T = TypeVar("_T")


def added_later(default: _T) -> _T:
    """A dataclass field added to a value type after events holding it were stored.

    ``canonical`` leaves such a field out while it holds its default, so an event stored before
    the field existed (decoded now with the default) hashes as it did when it was recorded, and
    a new value that sets the field is covered by its hash. ``default`` must be immutable.
    """
    result: _T = field(default=default, metadata={_ADDED_LATER: True})
    return result


_FIELDS: dict[type, tuple[tuple[str, bool, Any], ...]] = {}


def _hashed_fields(value: Any) -> dict[str, Any]:
    shape = _FIELDS.get(type(value))
    if shape is None:  # each value type's fields, read once (issue 12)
        shape = tuple(
            (f.name, bool(f.metadata.get(_ADDED_LATER)), f.default)
            for f in dataclasses.fields(value)
        )
        _FIELDS[type(value)] = shape
    out: dict[str, Any] = {}
    for name, later, default in shape:
        item = getattr(value, name)
        if later and item == default:
            continue
        out[name] = canonical(item)
    return out


def canonical(value: Any) -> Any:
    """A JSON-ready form that is identical for an object and for its stored-and-decoded copy."""
    kind = type(value)
    if kind is str or kind is int or kind is bool:  # the common leaves, told at once (issue 12)
        return value
    if kind in _FIELDS:
        return _hashed_fields(value)
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, Enum):
        return canonical(value.value)
    if isinstance(value, str):
        return value
    if isinstance(value, float):  # pragma: no cover - money is never a float (DEVELOPERS.md)
        raise TypeError("floats are not allowed in events")
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise TypeError("naive datetimes are not allowed in events")
        return value.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return _hashed_fields(value)
    if isinstance(value, Mapping):
        return {str(k): canonical(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, list | tuple | frozenset | set):
        items = [canonical(v) for v in value]
        if isinstance(value, frozenset | set):
            items.sort(key=lambda v: json.dumps(v, sort_keys=True))
        return items
    raise TypeError(f"cannot hash a {type(value).__name__} in an event")


def event_digest(
    *,
    topic: str,
    originator_id: UUID,
    version: int,
    timestamp: datetime,
    prev_hash: str,
    payload: Mapping[str, Any],
) -> str:
    body = {
        "topic": topic,
        "id": str(originator_id),
        "version": version,
        "timestamp": canonical(timestamp),
        "prev": prev_hash,
        "payload": canonical({k: v for k, v in payload.items() if k not in _NOT_PAYLOAD}),
    }
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class ChainedAggregate(Aggregate):
    """An aggregate whose events carry ``prev_hash`` and ``event_hash``."""

    chain_head: str

    class Event(Aggregate.Event):
        prev_hash: str
        event_hash: str

        def mutate(self, aggregate: Any) -> Any:
            result = super().mutate(aggregate)
            if result is not None:
                result.chain_head = self.event_hash
            return result

    class Created(Event, Aggregate.Created):
        pass

    @classmethod
    def _create(cls, event_class: type[Any], *, id: Any = None, **kwargs: Any) -> Self:
        if id is None:
            names = _create_id_param_names[cls]
            id = cls.create_id(**{k: v for k, v in kwargs.items() if k in names})
        timestamp = event_class.create_timestamp()
        payload = dict(kwargs)
        digest = event_digest(
            topic=get_topic(event_class),
            originator_id=id,
            version=cls.INITIAL_VERSION,
            timestamp=timestamp,
            prev_hash=GENESIS,
            payload=payload,
        )
        created = super()._create(
            event_class,
            id=id,
            timestamp=timestamp,
            prev_hash=GENESIS,
            event_hash=digest,
            **kwargs,
        )
        return created

    def trigger_event(self, event_class: type[Any], **kwargs: Any) -> None:
        timestamp = kwargs.pop("timestamp", None) or event_class.create_timestamp()
        digest = event_digest(
            topic=get_topic(event_class),
            originator_id=self.id,
            version=self.version + 1,
            timestamp=timestamp,
            prev_hash=self.chain_head,
            payload=kwargs,
        )
        super().trigger_event(
            event_class, timestamp=timestamp, prev_hash=self.chain_head, event_hash=digest, **kwargs
        )


@dataclass(frozen=True)
class ChainBreak:
    version: int
    topic: str
    problem: str


@dataclass(frozen=True)
class ChainReport:
    originator_id: UUID
    events_checked: int
    head: str
    first_break: ChainBreak | None
    label: str = ""  # the business key (case number, order number ...) when known
    kind: str = "Case"  # the aggregate type

    @property
    def ok(self) -> bool:
        return self.first_break is None


@dataclass(frozen=True)
class StoredShape:
    """What verification needs of one stored event: the decoded attributes, before upcasting."""

    version: int
    topic: str
    attributes: Mapping[str, Any]


class ChainChecker:
    """One aggregate's chain, checked event by event (so a whole store is checked in one pass
    over its notification log, in order)."""

    def __init__(self, originator_id: UUID) -> None:
        self.originator_id = originator_id
        self.head = GENESIS
        self.checked = 0
        self.last_version: int | None = None
        self.first_break: ChainBreak | None = None

    def feed(self, item: StoredShape | ChainBreak) -> ChainBreak | None:
        """Check the next event; return the break if this is where the chain first fails."""
        if self.first_break is not None:
            return None
        if isinstance(item, ChainBreak):
            self.first_break = item
            return item
        self.checked += 1
        problem = self._problem(item)
        if problem is not None:
            self.first_break = ChainBreak(item.version, item.topic, problem)
            return self.first_break
        self.last_version = item.version
        self.head = str(item.attributes["event_hash"])
        return None

    def _problem(self, item: StoredShape) -> str | None:
        attrs = item.attributes
        expected = 1 if self.last_version is None else self.last_version + 1
        if self.last_version is not None and item.version != expected:
            return f"version {item.version} follows version {expected - 1}: gap"
        stored_prev = attrs.get("prev_hash")
        stored_hash = attrs.get("event_hash")
        timestamp = attrs.get("timestamp")
        if not isinstance(stored_prev, str) or not isinstance(stored_hash, str):
            return "carries no hash chain fields"
        if stored_prev != self.head:
            return "prev_hash does not match the previous event's hash"
        if not isinstance(timestamp, datetime):
            return "timestamp is missing or unreadable"
        digest = event_digest(
            topic=item.topic,
            originator_id=self.originator_id,
            version=item.version,
            timestamp=timestamp,
            prev_hash=stored_prev,
            payload=attrs,
        )
        if digest != stored_hash:
            return "content does not match its event_hash (altered after it was recorded)"
        return None

    def report(self, label: str = "") -> ChainReport:
        return ChainReport(self.originator_id, self.checked, self.head, self.first_break, label)


def verify_chain(originator_id: UUID, events: Iterable[StoredShape | ChainBreak]) -> ChainReport:
    """Recompute every hash and link; report the first event that does not match.

    ``events`` yields a ``ChainBreak`` in place of an event the store could not decode.
    """
    checker = ChainChecker(originator_id)
    for item in events:
        if checker.feed(item) is not None:
            break
    return checker.report()
