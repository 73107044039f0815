"""Money: the refund (R3, R3.a, R2) and compensation (R14, R10)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain import rules
from domain.calendar import WorkingCalendar, cst_date
from domain.case import events as ev
from domain.case.entitled import Entitled
from domain.case.guards import text_input
from domain.case_values import RefundPlan, RulingOutcome, Status
from domain.deadlines import Clock, Deadline
from domain.errors import CaseRuledFinal, IllegalTransition, InvalidInput, RefundExceedsPaid
from domain.lines import Tender, TenderRefund
from domain.money import allocate
from domain.process.moves import Move
from domain.values import Actor, CaseKind, Responsibility, TenderKind


class Refunds(Entitled):
    @property
    def refund_bearing(self) -> bool:
        return self.kind in (CaseKind.RETURN_REFUND, CaseKind.REFUND_ONLY)

    @property
    def currency(self) -> str:
        return self.terms.currency

    def refund_plan(self, amount_fen: int | None = None) -> RefundPlan:
        """R3.a + R2: the refund's cap, its shipping part and its split over the tenders."""
        liability = self.shipping_liability  # R2 per leg (domain.case.entitled)
        entitlement = self.entitlement()  # R3.a + R2, each leg capped unless proven
        shipping = entitlement.shipping_fen
        goods_cap = entitlement.goods_fen
        cap = goods_cap + shipping
        total = cap if amount_fen is None else amount_fen
        if isinstance(total, bool) or not isinstance(total, int):
            raise InvalidInput("a refund is a whole number of fen", field="amount_fen")
        if total <= 0:
            raise InvalidInput(
                f"a refund must be positive, got {total} fen", field="amount_fen", rule="R3.a"
            )
        if total > cap:
            raise RefundExceedsPaid(
                f"a refund of {total} fen exceeds what was paid for the goods ({goods_cap} fen) "
                f"plus shipping owed under R2 ({shipping} fen)",
                field="amount_fen",
                params={"cap_fen": cap},
            )
        goods = min(total, goods_cap)
        ship_part = total - goods
        return RefundPlan(
            goods_fen=goods,
            shipping_fen=ship_part,
            total_fen=total,
            cap_fen=cap,
            split=self._split(goods, ship_part),
            return_leg_payer=liability.return_leg,
            outbound_leg_payer=liability.outbound_leg,
            currency=self.currency,
        )

    def _split(self, goods_fen: int, shipping_fen: int) -> tuple[Any, ...]:
        """Goods back to each line's tenders in proportion (R3.a); shipping back as money."""
        combined: dict[TenderKind, int] = {}
        for line in self.lines:
            # What these units were paid, spread over the line's tenders so it sums exactly.
            shares = allocate(line.paid_fen, [t.amount_fen for t in line.tenders])
            for tender, share in zip(line.tenders, shares, strict=True):
                combined[tender.kind] = combined.get(tender.kind, 0) + share
        tenders = tuple(Tender(kind, amount) for kind, amount in combined.items())
        parts = {p.kind: p.amount_fen for p in rules.split_refund(goods_fen, tenders)}
        if shipping_fen:
            money = [k for k in (TenderKind.CARD, TenderKind.WALLET) if k in parts]
            target = money[0] if money else TenderKind.WALLET
            parts[target] = parts.get(target, 0) + shipping_fen
        return tuple(TenderRefund(k, v) for k, v in parts.items() if v)

    # ------------------------------------------------------------------ R3 refunds
    def _before_approve_refund(self, actor: Actor) -> None:
        if self.refund is not None:
            raise IllegalTransition(
                f"case {self.case_no} already has an approved refund of "
                f"{self.refund.total_fen} fen; a case is refunded once",
                rule="R3.a",
                code="refunded_once",
            )

    def approve_refund(
        self,
        *,
        actor: Actor,
        at: datetime,
        calendar: WorkingCalendar,
        amount_fen: int | None = None,
        reason: str = "",
        deduction_kind: Any = None,
        deduction_fen: int | None = None,
        deduction_evidence: str = "",
        deductions: tuple[Any, ...] = (),
    ) -> RefundPlan:
        """R3: the platform approves the refund after review; the money is due within the
        policy's working days (3-7, PRC calendar). R3.a: the amount is the entitlement less
        the published deductions stated (domain.case.entitled); R10 fixes it."""
        spec = self._begin(Move.APPROVE_REFUND, actor, at)
        entitlement, stated, amount_fen = self.stated_deductions(
            amount_fen=amount_fen,
            deductions=deductions,
            deduction_kind=deduction_kind,
            deduction_fen=deduction_fen,
            deduction_evidence=deduction_evidence,
            reason=reason,
        )
        plan = self.refund_plan(amount_fen)
        working = rules.refund_deadline(at, self.terms, calendar)
        statutory = self.deadlines.get(Clock.STATUTORY_REFUND)
        statutory_due = statutory.due_at if statutory is not None else None
        # R3: both clocks hold and the earlier wins (Law art. 13's 7 natural days from the
        # goods' delivery back, and the policy's working days after approval).
        due = min(working, statutory_due) if statutory_due is not None else working
        authoritative = getattr(calendar, "is_authoritative", None)
        provisional = (
            due == working
            and authoritative is not None
            and not all(authoritative(cst_date(d)) for d in (at, working))
        )
        payment = Deadline.of(Clock.REFUND_PAYMENT, due, provisional=provisional)
        rule = "R10" if self.ruling is not None else spec.rule
        self._record(
            ev.RefundApproved,
            rule,
            actor=actor,
            at=at,
            plan=plan,
            entitlement=entitlement,
            deductions=stated,
            reason=reason.strip(),
            working_days_due_at=working,
            statutory_due_at=statutory_due,
            deadlines=self._deadlines_to(Status.REFUND_APPROVED, at, add=(payment,)),
        )
        return plan

    # paying the refund, per tender (R3, R3.a): ``domain/case/tender_moves.py``

    # ------------------------------------------------------------------ R14 compensation
    def _may_grant_compensation(self, actor: Actor) -> None:
        if self.compensation_fen:
            raise IllegalTransition("compensation was granted already", rule="R14")
        if self.ruling is None and self.responsibility in (
            None,
            Responsibility.USER_DAMAGE,
            Responsibility.NO_FAULT,
        ):
            raise IllegalTransition(
                "compensation follows an inspection that found the merchant or carrier responsible",
                rule="R14",
            )

    def grant_compensation(
        self, *, actor: Actor, at: datetime, amount_fen: int, reason: str
    ) -> None:
        """R14 repair plus compensation (维修+补偿), or a ruling's compensation (R10)."""
        if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or amount_fen <= 0:
            self._begin(Move.GRANT_COMPENSATION, actor, at)
            raise InvalidInput(
                "compensation is a positive number of fen", field="amount_fen", rule="R14"
            )
        spec = self._begin(Move.GRANT_COMPENSATION, actor, at)
        if self.ruling is not None and amount_fen != self.ruling.compensation_fen:
            raise CaseRuledFinal(
                f"the ruling fixed compensation at {self.ruling.compensation_fen} fen"
            )
        why = text_input(reason, "reason", "R14", "say what the compensation is for")
        rule = "R10" if self.ruling is not None else spec.rule
        self._record(
            ev.CompensationGranted,
            rule,
            actor=actor,
            at=at,
            amount_fen=amount_fen,
            reason=why,
            deadlines=tuple(self._keep()),
        )

    def _may_record_compensation_paid(self, actor: Actor) -> None:
        if not self.compensation_fen:
            raise IllegalTransition("no compensation was granted", rule="R14")
        if self.compensation_paid:
            raise IllegalTransition("compensation was paid already", rule="R14")

    def record_compensation_paid(self, *, actor: Actor, at: datetime, psp_reference: str) -> None:
        spec = self._begin(Move.RECORD_COMPENSATION_PAID, actor, at)
        ref = text_input(psp_reference, "psp_reference", "R14", "name the payment reference")
        rule = "R10" if self.ruling is not None else spec.rule
        self._record(
            ev.CompensationPaid,
            rule,
            actor=actor,
            at=at,
            amount_fen=self.compensation_fen,
            psp_reference=ref,
            reason="",
            deadlines=tuple(self._keep()),
        )
        if self.ruling is not None and self.ruling.outcome is RulingOutcome.COMPENSATION:
            self._close_now(actor, at, "compensated")
