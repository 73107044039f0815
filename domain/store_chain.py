"""Whole-store tamper evidence (issue 10): a running hash over the notification log, in order.

Each aggregate's own chain (``domain.chain``) finds an edited event, but not a deleted aggregate or
the deleted last events of one. The store chain links every stored event, in notification order:

    head_0 = GENESIS
    head_n = SHA-256(head_{n-1}, notification id, originator id, version, topic, SHA-256(state))

over the bytes the store holds (``state`` exactly as stored), so it survives an export and import
that keep those bytes and ids. An operator keeps the head (``aftersales verify --export-head``)
somewhere else; verifying against a kept head (``--head ID:HASH``) proves that nothing at or
before notification ID was edited, inserted or deleted, and that the log was not truncated before
it. A gap in the notification ids is a deletion on SQLite (row ids never skip); PostgreSQL's
sequence skips an id for every rolled-back insert (a lost version race), so there a gap is only
reported as a note: the kept head, the per-aggregate chains and the cross-references decide.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from uuid import UUID

from domain.chain import GENESIS

_HEAD = re.compile(r"^(\d{1,19}):([0-9a-f]{64})$")


@dataclass(frozen=True)
class StoreHead:
    """Where the store chain stands: the last notification id and the running hash there."""

    notification_id: int
    digest: str

    def __str__(self) -> str:
        return f"{self.notification_id}:{self.digest}"

    @classmethod
    def parse(cls, text: str) -> StoreHead:
        match = _HEAD.match(text.strip())
        if match is None:
            raise ValueError(
                f"a kept head is NOTIFICATION_ID:SHA256 (as printed by --export-head), "
                f"not {text.strip()[:80]!r}"
            )
        return cls(int(match.group(1)), match.group(2))


EMPTY_HEAD = StoreHead(0, GENESIS)


def link(
    prev: str, notification_id: int, originator_id: UUID, version: int, topic: str, state: bytes
) -> str:
    """The running hash after one more stored event."""
    body = "\n".join(
        (
            prev,
            str(notification_id),
            str(originator_id),
            str(version),
            topic,
            hashlib.sha256(state).hexdigest(),
        )
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class StoreProblem:
    """Something wrong with the store as a whole, named by where it was found."""

    where: str
    problem: str

    def __str__(self) -> str:
        return f"{self.where}: {self.problem}"


@dataclass
class StoreWalk:
    """The store chain, fed the notification log in order; compared with a kept head if given.

    ``gaps_are_breaks``: True on SQLite (a gap in the ids is a deletion), False on PostgreSQL.
    """

    kept: StoreHead | None = None
    gaps_are_breaks: bool = True
    head: StoreHead = EMPTY_HEAD
    count: int = 0
    problems: list[StoreProblem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    kept_matched: bool = False
    gaps: list[str] = field(default_factory=list)  # missing notification ids (SQLite)

    def add(
        self, notification_id: int, originator_id: UUID, version: int, topic: str, state: bytes
    ) -> None:
        last = self.head.notification_id
        if notification_id <= last:
            self.problems.append(
                StoreProblem(
                    f"notification {notification_id}", f"out of order after notification {last}"
                )
            )
        elif notification_id > last + 1:
            missing = f"{last + 1}" + (
                f"-{notification_id - 1}" if notification_id > last + 2 else ""
            )
            if self.gaps_are_breaks:
                self.gaps.append(missing)
            else:
                self.notes.append(
                    f"notification id(s) {missing} absent "
                    "(PostgreSQL skips the ids of rolled-back inserts)"
                )
        self._pass_kept(notification_id)
        digest = link(self.head.digest, notification_id, originator_id, version, topic, state)
        self.head = StoreHead(notification_id, digest)
        self.count += 1
        if self.kept is not None and notification_id == self.kept.notification_id:
            self.kept_matched = digest == self.kept.digest
            if not self.kept_matched:
                self.problems.append(
                    StoreProblem(
                        f"notification {notification_id} (the kept head)",
                        "the store chain differs from the kept head: an event at or before it "
                        "was edited, inserted or deleted",
                    )
                )

    def _pass_kept(self, notification_id: int) -> None:
        """The kept head's own notification is gone: the log skips from before it to after it."""
        kept = self.kept
        if kept is not None and self.head.notification_id < kept.notification_id < notification_id:
            self.problems.append(
                StoreProblem(
                    f"notification {kept.notification_id} (the kept head)",
                    "missing from the log: deleted",
                )
            )

    def finish(self) -> list[StoreProblem]:
        if self.gaps:
            shown = ", ".join(self.gaps[:10]) + (
                f" and {len(self.gaps) - 10} more gap(s)" if len(self.gaps) > 10 else ""
            )
            self.problems.append(
                StoreProblem(f"notification(s) {shown}", "missing from the log: deleted")
            )
            self.gaps = []
        kept = self.kept
        if kept is not None and kept.notification_id > self.head.notification_id:
            self.problems.append(
                StoreProblem(
                    f"notification {kept.notification_id} (the kept head)",
                    f"truncated: the log ends at notification {self.head.notification_id}, "
                    "before the kept head",
                )
            )
        return self.problems
