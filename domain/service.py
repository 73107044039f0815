"""AfterSales: the application service. One method per command; each runs on a fresh copy of the
aggregates, saves every aggregate it changed plus an idempotency record in one transaction, and
retries on a version conflict (another actor moved the case at the same time).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application, ProcessingEvent
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError, JSONTranscoder, Recording

from domain import ids
from domain.application_preview import LineAsked, preview
from domain.calendar import PrcCalendar, WorkingCalendar
from domain.case import Case
from domain.case_values import Evidence, RefundPlan
from domain.commands import CaseCommands
from domain.errors import ConcurrentChange, DomainError, InvalidInput, NotFound
from domain.group_commit import SWITCH as GROUP_COMMIT_SWITCH
from domain.group_commit import GroupCommit
from domain.group_commit import enabled as group_commit_enabled
from domain.history import ConsumerMerchantHistory
from domain.idempotency import command, current_arguments, fingerprint
from domain.order import Order
from domain.policy import MerchantPolicy
from domain.request import RequestRecord
from domain.service_fees import FeeCommands
from domain.service_orders import OrderCommands, Step
from domain.settlement.commands import SettlementCommands
from domain.short_reads import ShortReadRepository
from domain.store_settings import event_store_env
from domain.transcodings import transcodings
from domain.triage import classify
from domain.values import Actor, CaseKind, Channel, Reason, Role
from domain.verification import ChainVerification

T = TypeVar("T")
F = TypeVar("F", bound=Callable[..., Any])
MAX_ATTEMPTS = 8
CASE_NUMBER_ATTEMPTS = 16  # candidates tried for a new case's number (2**30 a day: one is plenty)
TRIAGE = Actor(Role.SYSTEM, "triage")  # R20 automatic triage


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Result:
    """What a command did: which aggregate, its version after, and whether it changed anything."""

    target_id: UUID
    key: str  # case number, order number or merchant id
    version: int
    changed: bool
    detail: Mapping[str, Any]
    # Issue 12: where the command's events stand in the notification log (the highest id it
    # stored), so a page can wait until the projections it reads have passed it. ``None`` when
    # nothing was stored (a no-op, or a repeated request answered from its first result).
    notification_id: int | None = None

    def to_json(self) -> str:
        return json.dumps({"key": self.key, "detail": dict(self.detail)}, sort_keys=True)


class _Moment:
    """The command's time: read from the service's clock once, when first asked."""

    def __init__(self, read: Callable[[], datetime]) -> None:
        self._read = read
        self._value: datetime | None = None

    def __call__(self) -> datetime:
        if self._value is None:
            self._value = self._read()
        return self._value


@dataclass(frozen=True)
class LineRequest:
    line_no: int
    quantity: int
    opened: bool = False  # R1.a: the consumer says the goods were opened (consumables)


class AfterSales(
    OrderCommands,
    CaseCommands,
    FeeCommands,
    SettlementCommands,
    ChainVerification,
    Application[UUID],
):
    name = "AfterSales"
    snapshotting_intervals = {  # noqa: RUF012 - the library's declared class variable
        Case: 25,
        Order: 50,
        MerchantPolicy: 20,
        ConsumerMerchantHistory: 50,
    }

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        *,
        clock: Callable[[], datetime] = utc_now,
        calendar: WorkingCalendar | None = None,
    ) -> None:
        super().__init__(env=env)
        self.clock = clock
        self.calendar: WorkingCalendar = calendar or PrcCalendar()
        self.group_commit: GroupCommit | None = (
            GroupCommit(self._record_processing)
            if group_commit_enabled(self.env.get(GROUP_COMMIT_SWITCH))
            else None
        )

    def construct_repository(self) -> Any:
        """The library's repository, skipping snapshot look-ups that cannot find one (issue 12)."""
        return ShortReadRepository.adopt(
            super().construct_repository(), self.snapshotting_intervals
        )

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """``Application.save``, through group commit when it is on (domain.group_commit): the
        commands of many threads in one transaction, each caller its own recordings or error."""
        if self.group_commit is None or kwargs:
            recordings = super().save(*objs, **kwargs)
        else:
            recordings = self.group_commit.save(objs)
        repository = self.repository
        if isinstance(repository, ShortReadRepository):
            for obj in objs:
                if isinstance(obj, Aggregate):
                    repository.note(obj)
        return recordings

    def _record_processing(self, processing: ProcessingEvent[UUID]) -> list[Recording[UUID]]:
        """What ``Application.save`` does once the events are collected: one transaction."""
        recordings = self._record(processing)
        self._take_snapshots(processing)
        self._notify(recordings)
        self.notify(processing.events)  # the library's deprecated hook, as save() calls it
        return recordings

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        clock: Callable[[], datetime] = utc_now,
        calendar: WorkingCalendar | None = None,
    ) -> AfterSales:
        return cls(env=event_store_env(url), clock=clock, calendar=calendar)

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        for transcoding in transcodings():
            transcoder.register(transcoding)

    # ------------------------------------------------------------------ plumbing
    def _now(self) -> datetime:
        now = self.clock()
        if now.tzinfo is None:
            raise InvalidInput("the clock must give aware datetimes")
        return now

    def _get(self, cls: type[T], aggregate_id: UUID, what: str) -> T:
        try:
            aggregate: Any = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise NotFound(f"unknown {what}") from None
        if not isinstance(aggregate, cls):
            raise NotFound(f"unknown {what}")
        return aggregate

    def _find(self, cls: type[T], aggregate_id: UUID) -> T | None:
        try:
            aggregate: Any = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            return None
        return aggregate if isinstance(aggregate, cls) else None

    def _run(
        self,
        request_id: str,
        command: str,
        actor: Actor,
        step: Callable[[Callable[[], datetime]], Step],
        key: str | None = None,
    ) -> Result:
        """Idempotent, conflict-retrying command execution.

        ``step(clock)`` loads fresh aggregates, reads ``clock()`` (once: the command's time, read
        after loading, so a command racing another is never "earlier" than the step it follows,
        issue 10), makes the move and returns (target, key, detail,
        every aggregate to save). A repeated ``request_id`` returns the first result unchanged;
        the same id from another actor or for another ``key`` (case number) is refused.
        """
        if not isinstance(request_id, str) or not request_id.strip() or len(request_id) > 200:
            raise InvalidInput(
                "every command carries a client request id (1-200 characters)", field="request_id"
            )
        record_id = ids.request_id(request_id)
        arguments_digest = fingerprint(command, current_arguments())
        for _attempt in range(MAX_ATTEMPTS):
            # Issue 12: insert first. A new request's record is saved with its change; a repeat is
            # found when that save conflicts on the record (or its move is refused, or it changes
            # nothing), not by a look-up that misses for every new request.
            moment = _Moment(self._now)
            try:
                target, number, detail, aggregates = step(moment)
            except DomainError:
                # A repeat whose move was made already (issue 10: or its twin, sent at the same
                # time, was stored meanwhile): the answer is the stored result, not a refusal.
                twin = self._find(RequestRecord, record_id)
                if twin is None:
                    raise
                return self._replayed(twin, command, actor, key, arguments_digest)
            now = moment()
            changed = any(a.pending_events for a in aggregates)
            version = target.version
            if not changed:  # a no-op (a timer that found nothing due) records nothing at all
                first = self._find(RequestRecord, record_id)
                if first is not None:
                    return self._replayed(first, command, actor, key, arguments_digest)
                return Result(target.id, number, version, False, detail)
            record = RequestRecord(
                request_id=request_id,
                command=command,
                target_id=target.id,
                target_version=version,
                result=json.dumps(
                    {"key": number, "detail": dict(detail)}, sort_keys=True, default=str
                ),
                actor=actor,
                at=now,
                fingerprint=arguments_digest,
            )
            try:
                recordings = self.save(*aggregates, record)
            except IntegrityError:
                first = self._find(RequestRecord, record_id)
                if first is not None:  # a repeat, or its twin won the race
                    return self._replayed(first, command, actor, key, arguments_digest)
                continue  # someone else moved first: reload and decide again
            stored_at = max((r.notification.id for r in recordings), default=None)
            return Result(target.id, number, version, changed, detail, stored_at)
        raise ConcurrentChange(
            f"{command}: the case kept changing under {MAX_ATTEMPTS} attempts; try again"
        )

    @staticmethod
    def _replayed(
        record: RequestRecord,
        command: str,
        actor: Actor,
        key: str | None = None,
        arguments_digest: str = "",
    ) -> Result:
        body = json.loads(record.result)
        # P4: a repeat is only the same request from the same actor on the same target; anyone
        # else learns nothing of the first one (its case number included).
        if getattr(record, "actor", actor) != actor or (key is not None and body["key"] != key):
            raise InvalidInput(
                f"request id {record.request_id!r} was already used for another request; "
                "send a new request id",
                field="request_id",
            )
        if record.command != command:
            raise InvalidInput(
                f"request id {record.request_id!r} was already used for {record.command}",
                field="request_id",
            )
        if record.fingerprint and arguments_digest and record.fingerprint != arguments_digest:
            raise InvalidInput(
                f"request id {record.request_id!r} was already used for a {command} with other "
                "values; nothing was done with these: send them with a new request id",
                field="request_id",
            )
        return Result(record.target_id, body["key"], record.target_version, False, body["detail"])

    # ------------------------------------------------------------------ opening a case
    def _free_case_number(self, request_id: str, at: datetime) -> str:
        """A new case's number (``ids.case_number``: short, readable, derived from the request): the
        first candidate that no case has. Two requests whose candidates meet at once both try to
        save the same case id; the loser's save conflicts and ``_run`` decides again, then finding
        that number taken."""
        for attempt in range(CASE_NUMBER_ATTEMPTS):
            number = ids.case_number(request_id, at, attempt)
            if self._find(Case, ids.case_id(number)) is None:
                return number
        raise ConcurrentChange("no free case number for this request; send a new request id")

    @command
    def open_case(
        self,
        *,
        request_id: str,
        actor: Actor,
        order_no: str,
        kind: CaseKind | str,
        reason_code: Reason | str,
        lines: Sequence[LineRequest] = (),
        description: str = "",
        evidence: Sequence[Evidence] = (),
        channel: Channel | str = Channel.PLATFORM,
        component: str = "unit",
        case_no: str | None = None,
    ) -> Result:
        case_kind: CaseKind = _enum(CaseKind, kind, "kind")
        reason: Reason = _enum(Reason, reason_code, "reason_code")
        chan: Channel = _enum(Channel, channel, "channel")
        seen: set[int] = set()
        for req in lines:
            if req.line_no in seen:
                raise InvalidInput(f"line {req.line_no} named twice", field="lines")
            seen.add(req.line_no)
            if (
                isinstance(req.quantity, bool)
                or not isinstance(req.quantity, int)
                or (req.quantity < 1)
            ):
                raise InvalidInput(
                    f"line {req.line_no}: quantity must be at least 1", field="lines.quantity"
                )

        def step(clock: Callable[[], datetime]) -> Step:
            now = clock()
            if not case_no:  # None or "": a number of the new format (issue 11 item 7)
                number = self._free_case_number(request_id, now)
            elif self._find(Case, ids.case_id(case_no)) is not None:
                raise InvalidInput(f"case {case_no} exists already", field="case_no")
            else:
                number = case_no
            order = self.get_order(order_no)
            policy = self.get_policy(order.merchant_id)
            version, terms = policy.applicable(order.placed_at, now)
            requested = list(lines)
            if not requested and case_kind is not CaseKind.COMPLAINT:
                raise InvalidInput("name at least one line of the order", field="lines")
            order_lines = [order.line(r.line_no) for r in requested]
            history = self._find(
                ConsumerMerchantHistory, ids.history_id(order.consumer_id, order.merchant_id)
            )
            prior_returns = history.prior_returns if history is not None else 0
            bought_again = history is not None and history.bought_again_since_first_return
            first_application = not any(True for _ in self._cases_of_order_hint(order))
            # What the review page showed (domain.application_preview): the same lines and clocks.
            asked = preview(
                kind=case_kind,
                reason=reason,
                asked=[
                    LineAsked(
                        ol,
                        r.quantity,
                        order.outbound_share_fen(r.line_no, r.quantity),
                        bool(r.opened),
                    )
                    for ol, r in zip(order_lines, requested, strict=True)
                ],
                terms=terms,
                prior_returns_to_merchant=prior_returns,
                bought_again_since_first_return=bought_again,
                first_application=first_application,
                at=now,
            )
            case_lines = asked.lines
            case = Case.open(
                case_no=number,
                kind=case_kind,
                reason_code=reason,
                description=description,
                evidence=tuple(evidence),
                order_id=order.id,
                order_no=order.order_no,
                consumer_id=order.consumer_id,
                merchant_id=order.merchant_id,
                placed_at=order.placed_at,
                delivered_at=order.delivered_at,
                lines=case_lines,
                policy_version=version.number,
                terms=terms,
                prior_returns_to_merchant=prior_returns,
                bought_again_since_first_return=bought_again,
                first_application=first_application,
                channel=chan,
                component=component,
                actor=actor,
                at=now,
                eligibility_lines=order_lines,
            )
            # R20: every application is triaged as it is opened, whatever door it came in by.
            verdict = classify(description, order.merchant_id)
            case.route(
                actor=TRIAGE,
                at=now,
                queue=verdict.queue,
                classified_kind=verdict.kind,
                confidence_pct=verdict.confidence_pct,
                reason=", ".join(verdict.matched) or "-",
            )
            touched: list[Aggregate] = [case]
            if case_kind in (CaseKind.RETURN_REFUND, CaseKind.REFUND_ONLY):
                order.claim(
                    case_no=number,
                    quantities={r.line_no: r.quantity for r in requested},
                    actor=actor,
                    at=now,
                )
            if (
                case_kind in (CaseKind.RETURN_REFUND, CaseKind.EXCHANGE)
                and reason is Reason.NO_REASON
            ):
                if history is None:  # R2: the consumer's first no-reason return here
                    history = self._history(order.consumer_id, order.merchant_id, actor, now)
                history.note_return(case_no=number, opened_at=now, actor=actor, at=now)
            if case_kind is not CaseKind.COMPLAINT:
                order.note_case(case_no=number, actor=actor, at=now)
            touched += [a for a in (order, history) if a is not None and a.pending_events]
            return case, number, {"case_no": number}, touched

        return self._run(request_id, "open_case", actor, step)

    @staticmethod
    def _cases_of_order_hint(order: Order) -> Iterator[str]:
        """R12.a "first application": the consumer's first case on this order."""
        yield from order.cases

    # ------------------------------------------------------------------ case moves
    def get_case(self, case_no: str, version: int | None = None) -> Case:
        try:
            aggregate: Any = self.repository.get(ids.case_id(case_no), version=version)
        except AggregateNotFoundError:
            raise NotFound(f"unknown case {case_no!r}") from None
        if not isinstance(aggregate, Case):
            raise NotFound(f"unknown case {case_no!r}")
        return aggregate

    def _on_case(
        self,
        request_id: str,
        command: str,
        actor: Actor,
        case_no: str,
        move: Callable[[Case, datetime], Mapping[str, Any] | None],
    ) -> Result:
        def step(clock: Callable[[], datetime]) -> Step:
            case = self.get_case(case_no)
            now = clock()  # after loading: a command racing another never goes back in time
            detail = move(case, now) or {}
            touched: list[Aggregate] = [case]
            order = self._order_claim(case, actor, now)
            if order is not None:
                touched.append(order)
            touched += self._withdrawn_return(case, actor, now)
            return case, case.case_no, detail, touched

        return self._run(request_id, command, actor, step, key=case_no)

    def _order_claim(self, case: Case, actor: Actor, now: datetime) -> Order | None:
        """R3.a: a case that refunds holds a claim on its lines, so no line is refunded twice
        across cases; an exchange or repair that comes to a refund (it became one, R8/P1, or a
        ruling ordered one, R10) claims them then, and is refused if another case holds them.
        A case that ends without a refund releases its claim."""
        if case.refund is None and not case.status.is_terminal:
            return None
        order = self._find(Order, case.order_id)
        if order is None:
            return None
        claimed = case.case_no in order.claims
        if case.refund is not None and not claimed and case.lines:
            quantities = {line.line_no: line.quantity for line in case.lines}
            order.claim(case_no=case.case_no, quantities=quantities, actor=actor, at=now)
        elif case.status.is_terminal and case.refund is None and claimed:
            order.release(case_no=case.case_no, actor=actor, at=now)
        return order if order.pending_events else None

    def _withdrawn_return(self, case: Case, actor: Actor, now: datetime) -> list[Aggregate]:
        """R2 (issue 8): a withdrawn no-reason return leaves the consumer's history of returns
        to this merchant, saved with the case that was withdrawn."""
        if not any(isinstance(e, Case.Withdrawn) for e in case.pending_events):
            return []
        history = self._find(
            ConsumerMerchantHistory, ids.history_id(case.consumer_id, case.merchant_id)
        )
        if history is None:
            return []
        history.note_withdrawal(case_no=case.case_no, actor=actor, at=now)
        return [history] if history.pending_events else []

    def refund_preview(self, case_no: str, amount_fen: int | None = None) -> RefundPlan:
        return self.get_case(case_no).refund_plan(amount_fen)


def _enum(cls: type[Any], value: Any, field: str) -> Any:
    try:
        return cls(value)
    except ValueError:
        choices = ", ".join(m.value for m in cls)
        raise InvalidInput(f"unknown {field} {value!r}; one of: {choices}", field=field) from None


__all__ = ["AfterSales", "DomainError", "LineRequest", "Result", "event_store_env"]
