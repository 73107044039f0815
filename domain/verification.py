"""Tamper evidence for the application: re-read each case's stored events, exactly as the store
holds them (decoded, not upcast), and check their hash chain (``domain.chain``); ``verify_store``
checks every aggregate and the whole store (``domain.store_verification``)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any
from uuid import UUID

from eventsourcing.utils import get_topic

from domain import ids
from domain.case import Case
from domain.chain import ChainBreak, ChainReport, StoredShape, verify_chain
from domain.errors import NotFound
from domain.store_chain import StoreHead, StoreProblem
from domain.store_verification import PAGE, StoreReport, StoreVerifier, word


class ChainVerification:
    """Mixed into the application: ``verify`` one case or all."""

    recorder: Any
    mapper: Any

    def case_ids(self) -> Iterator[UUID]:
        """Every case, in the order they were opened (from the notification log)."""
        topic = get_topic(Case.Opened)
        start = 1
        while True:
            page = self.recorder.select_notifications(start, 500, topics=[topic])
            if not page:
                return
            for notification in page:
                yield UUID(str(notification.originator_id))
            start = page[-1].id + 1

    def decode_stored(self, stored: Any) -> StoredShape | ChainBreak:
        """One stored event's decoded attributes (not upcast), or a break if unreadable."""
        try:
            data = stored.state
            if self.mapper.cipher:
                data = self.mapper.cipher.decrypt(data)
            if self.mapper.compressor:
                data = self.mapper.compressor.decompress(data)
            attributes = self.mapper.transcoder.decode(data)
            if not isinstance(attributes, dict):
                raise ValueError("not an object")
        except Exception as exc:
            return ChainBreak(
                stored.originator_version,
                stored.topic,
                f"stored bytes cannot be read ({type(exc).__name__})",
            )
        return StoredShape(stored.originator_version, stored.topic, attributes)

    def _stored_shapes(self, originator_id: UUID) -> Iterator[StoredShape | ChainBreak]:
        for stored in self.recorder.select_events(originator_id):
            shape = self.decode_stored(stored)
            yield shape
            if isinstance(shape, ChainBreak):
                return

    def verify_store(self, kept: StoreHead | None = None, *, partial: bool = False) -> StoreReport:
        """Every aggregate's chain, the store chain (against ``kept`` if given) and the
        cross-references, in one pass over the notification log (issue 10). ``partial``: a store
        restored from an export of some cases, whose ids skip and whose orders are elsewhere:
        the chains and the head only."""
        sqlite = type(self.recorder).__module__.startswith("eventsourcing.sqlite")
        verifier = StoreVerifier(kept, sqlite and not partial, not partial)
        start = 1
        while True:
            page = self.recorder.select_notifications(start, PAGE)
            if not page:
                break
            for notification in page:
                verifier.add(notification, self.decode_stored(notification))
            start = page[-1].id + 1
        problems = [
            problem
            for originator_id, kind, label in verifier.snapshotted(self._snapshotted_kinds())
            for problem in self._snapshot_problems(originator_id, f"{word(kind)} {label}")
        ]
        return verifier.report(problems)

    def _snapshotted_kinds(self) -> set[str]:
        if getattr(self, "snapshots", None) is None:
            return set()
        intervals = getattr(self, "snapshotting_intervals", None) or {}
        return {cls.__name__ for cls in intervals}

    def _snapshot_problems(self, originator_id: UUID, name: str) -> Iterator[StoreProblem]:
        """A snapshot is what the service loads instead of replaying: it must equal the events
        replayed to its version (attributes both hold; code may add or drop attributes)."""
        snapshots: Any = getattr(self, "snapshots", None)
        events: Any = getattr(self, "events", None)
        for stored in snapshots.recorder.select_events(originator_id):
            where = f"snapshot of {name} at version {stored.originator_version}"
            try:
                kept = self.mapper.transcoder.decode(stored.state)["state"]
                replayed: Any = None
                for event in events.get(originator_id, lte=stored.originator_version):
                    replayed = event.mutate(replayed)
                if replayed is None or replayed.version != stored.originator_version:
                    yield StoreProblem(where, "the events do not reach that version")
                    continue
                taken = type(replayed).Snapshot.take(replayed)
                fresh = self.mapper.transcoder.decode(
                    snapshots.mapper.to_stored_event(taken).state
                )["state"]
            except Exception as exc:
                yield StoreProblem(where, f"cannot be read or replayed ({type(exc).__name__})")
                continue
            differ = sorted(k for k in kept.keys() & fresh.keys() if kept[k] != fresh[k])
            if differ:
                yield StoreProblem(
                    where,
                    f"differs from its events in {', '.join(differ[:5])}: edited (or taken by "
                    "code that read these attributes differently)",
                )

    def verify(self, case_no: str | None = None) -> list[ChainReport]:
        """Check one case's hash chain, or every case's. The first bad event is named."""
        targets = [ids.case_id(case_no)] if case_no else list(self.case_ids())
        if case_no and not self.recorder.select_events(targets[0], limit=1):
            raise NotFound(f"unknown case {case_no!r}")
        return [self._verify_one(t) for t in targets]

    def _verify_one(self, originator_id: UUID) -> ChainReport:
        seen: dict[str, str] = {}

        def shapes() -> Iterator[StoredShape | ChainBreak]:
            for item in self._stored_shapes(originator_id):
                if isinstance(item, StoredShape) and item.version == 1:
                    seen["case_no"] = str(item.attributes.get("case_no", ""))
                yield item

        report = verify_chain(originator_id, shapes())
        return replace(report, label=seen.get("case_no", ""))
