"""MerchantPolicy aggregate: a merchant's published after-sales policy as numbered versions
(R11 publication, R19 updates). A version below the platform floor is refused (``check_terms``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from eventsourcing.domain import event

from domain import ids
from domain.chain import ChainedAggregate
from domain.errors import InvalidInput, NotFound
from domain.terms import PolicyTerms, check_terms, most_generous
from domain.values import Actor, Role


@dataclass(frozen=True)
class PolicyVersion:
    number: int
    terms: PolicyTerms
    published_at: datetime
    summary: str


class MerchantPolicy(ChainedAggregate):
    @staticmethod
    def create_id(merchant_id: str) -> UUID:
        return ids.policy_id(merchant_id)

    @event("Started")
    def __init__(self, merchant_id: str, actor: Actor, at: datetime) -> None:
        self.merchant_id = merchant_id
        self.versions: list[PolicyVersion] = []

    @classmethod
    def start(cls, *, merchant_id: str, actor: Actor, at: datetime) -> MerchantPolicy:
        if not merchant_id or not merchant_id.strip():
            raise InvalidInput("merchant_id is required", field="merchant_id")
        return cls(merchant_id=merchant_id, actor=actor, at=at)

    def publish(self, *, terms: PolicyTerms, summary: str, actor: Actor, at: datetime) -> int:
        """R11/R19: publish the next numbered version; returns its number."""
        if actor.role not in (Role.MERCHANT, Role.PLATFORM_AGENT, Role.SYSTEM):
            raise InvalidInput(f"a {actor.role.value} cannot publish a store policy", rule="R11")
        if actor.role is Role.MERCHANT and actor.merchant_id != self.merchant_id:
            raise NotFound(f"no policy of yours for merchant {self.merchant_id}", rule="R11")
        check_terms(terms)
        if self.versions and at < self.versions[-1].published_at:
            raise InvalidInput("a version cannot be published before the previous one", rule="R19")
        number = len(self.versions) + 1
        self._published(number=number, terms=terms, summary=summary.strip(), actor=actor, at=at)
        return number

    @event("VersionPublished")
    def _published(
        self, number: int, terms: PolicyTerms, summary: str, actor: Actor, at: datetime
    ) -> None:
        self.versions.append(PolicyVersion(number, terms, at, summary))

    @property
    def current(self) -> PolicyVersion:
        if not self.versions:
            raise NotFound(f"merchant {self.merchant_id} has published no policy yet", rule="R11")
        return self.versions[-1]

    def in_force_at(self, when: datetime) -> PolicyVersion:
        """The version in force at ``when`` (R19): the last one published at or before it."""
        chosen: PolicyVersion | None = None
        for version in self.versions:
            if version.published_at <= when:
                chosen = version
        if chosen is None:
            raise NotFound(
                f"merchant {self.merchant_id} had no published policy at {when.isoformat()} (R11)",
                rule="R11",
            )
        return chosen

    def applicable(self, placed_at: datetime, now: datetime) -> tuple[PolicyVersion, PolicyTerms]:
        """R19: the version in force at order time, made more generous term by term by any later one
        published up to ``now``. Returns that base version and the effective terms."""
        base = self.in_force_at(placed_at)
        later = [v for v in self.versions if v.number > base.number and v.published_at <= now]
        return base, most_generous([base.terms, *(v.terms for v in later)])
