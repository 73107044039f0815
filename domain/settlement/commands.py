"""The service's settlement commands (mixed into ``AfterSales``): record an imported report with
its matching, and resolve one discrepancy; a resolution that pays or reopens a case's payment
saves the case and the settlement in one transaction (R3)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.errors import InvalidInput, NotFound
from domain.idempotency import command
from domain.settlement import Resolution, Settlement, settlement_id
from domain.tenders import PaymentStatus
from domain.values import Actor

if TYPE_CHECKING:
    from domain.case import Case
    from domain.service import Result
    from domain.service_orders import Step

T = TypeVar("T")


class SettlementCommands:
    if TYPE_CHECKING:

        def _find(self, cls: type[T], aggregate_id: UUID) -> T | None: ...

        def get_case(self, case_no: str, version: int | None = None) -> Case: ...

        def _run(
            self,
            request_id: str,
            command: str,
            actor: Actor,
            step: Callable[[Callable[[], datetime]], Step],
            key: str | None = None,
        ) -> Result: ...

    def get_settlement(self, settlement_no: str) -> Settlement:
        found = self._find(Settlement, settlement_id(settlement_no))
        if found is None:
            raise NotFound(f"no settlement {settlement_no}")
        return found

    def find_settlement(self, settlement_no: str) -> Settlement | None:
        return self._find(Settlement, settlement_id(settlement_no))

    @command
    def import_settlement(
        self,
        *,
        request_id: str,
        actor: Actor,
        settlement_no: str,
        file_name: str,
        file_sha256: str,
        source_format: str,
        encoding: str,
        period: tuple[date, date],
        rows: Sequence[Mapping[str, Any]],
        items: Sequence[Mapping[str, Any]],
    ) -> Result:
        def step(clock: Callable[[], datetime]) -> Step:
            if self.find_settlement(settlement_no) is not None:
                raise InvalidInput(
                    f"settlement {settlement_no!r} was imported already", field="settlement_no"
                )
            settlement = Settlement.record(
                settlement_no=settlement_no,
                file_name=file_name,
                file_sha256=file_sha256,
                source_format=source_format,
                encoding=encoding,
                period=period,
                rows=rows,
                items=items,
                actor=actor,
                at=clock(),
            )
            detail = {"open_discrepancies": len(settlement.open_discrepancies)}
            return settlement, settlement_no, detail, [settlement]

        return self._run(request_id, "import_settlement", actor, step, key=settlement_no)

    @command
    def resolve_discrepancy(
        self,
        *,
        request_id: str,
        actor: Actor,
        settlement_no: str,
        item_no: int,
        resolution: str,
        reason: str,
        case_no: str = "",
        tender: str = "",
    ) -> Result:
        """End one discrepancy (``domain.settlement.RESOLUTIONS``). ``mark_paid`` records the
        case's refund payment (``tender``, or every open one) with the row's reference and needs
        its amount to be the row's; ``reopen_payment`` reopens the case's payment the item names.
        """

        def step(clock: Callable[[], datetime]) -> Step:
            settlement = self.get_settlement(settlement_no)
            chosen = settlement.check_resolution(item_no, resolution, actor)
            item = settlement.item(item_no)
            now = clock()
            touched: list[Aggregate] = [settlement]
            named = (case_no or item.get("case_no") or "").strip()
            if chosen is Resolution.MARK_PAID and named:
                case = self.get_case(named)
                _mark_paid(case, item, tender, actor, now)
                touched.append(case)
            elif chosen is Resolution.REOPEN_PAYMENT and named:
                case = self.get_case(named)
                case.reopen_refund_payment(
                    actor=actor, at=now, reason=reason, tender=tender or item.get("tender") or None
                )
                touched.append(case)
            settlement.resolve(
                item_no=item_no,
                resolution=chosen,
                reason=reason,
                actor=actor,
                at=now,
                case_no=named,
                tender=tender,
            )
            detail = {"open_discrepancies": len(settlement.open_discrepancies)}
            return settlement, settlement_no, detail, touched

        return self._run(request_id, "resolve_discrepancy", actor, step, key=settlement_no)


def _mark_paid(
    case: Case, item: Mapping[str, Any], tender: str, actor: Actor, at: datetime
) -> None:
    """R3: the row is a refund payment finance did not record: record it, if its amount is what
    the named tender's payment (or every open one) owes."""
    open_payments = [p for p in case.tender_payments if p.status is not PaymentStatus.PAID]
    paying = [p for p in open_payments if not tender or p.tender.value == tender]
    owed = sum(p.amount_fen for p in paying)
    amount = int(item.get("report_amount_fen") or 0)
    if paying and owed != amount:
        raise InvalidInput(
            f"the report's row is {amount} fen; case {case.case_no} owes {owed} fen "
            f"{'to ' + tender if tender else 'in its open payments'}",
            field="tender",
            rule="R3",
        )
    case.record_refund_paid(
        actor=actor, at=at, psp_reference=str(item["psp_reference"]), tender=tender or None
    )
