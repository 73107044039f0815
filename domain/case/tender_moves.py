"""Per-tender refund payments on a case (R3, R3.a, R21; ``domain.tenders``): record a tender's
payment paid or failed, retry a failed one, reroute it to the wallet with the consumer's consent,
reopen one recorded paid that did not arrive. The case closes only when every tender is paid.

``Case`` lists this part before ``Refunds``: its ``record_refund_paid`` and
``record_refund_failed`` (per tender) are the ones the process declaration's moves call.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from domain.case import events_tenders as ev
from domain.case.guards import CaseGuards, text_input
from domain.case_values import Status
from domain.deadlines import Clock
from domain.errors import CaseRuledFinal, IllegalTransition, InvalidInput
from domain.process.moves import Move
from domain.tenders import MoneyTender, PaymentStatus, TenderPayment, in_kind_fen, payments_of
from domain.values import Actor, Role

RULE = "R3"


class TenderMoves(CaseGuards):
    # ------------------------------------------------------------------ reading
    @property
    def tender_payments(self) -> tuple[TenderPayment, ...]:
        """The refund's payments, one per money tender (empty before approval)."""
        if self.refund is None:
            return ()
        changes: dict[str, dict[str, Any]] = vars(self).get("tender_payments") or {}
        return tuple(payments_of(self.refund.split, changes))

    def _payments(self, status: PaymentStatus | None = None) -> list[TenderPayment]:
        return [p for p in self.tender_payments if status is None or p.status is status]

    def _payment(self, tender: Any, allowed: set[PaymentStatus], what: str) -> TenderPayment:
        """The payment of ``tender`` (or the only one in ``allowed`` when not given)."""
        candidates = [p for p in self.tender_payments if p.status in allowed]
        if tender is None or tender == "":
            if len(candidates) == 1:
                return candidates[0]
            names = ", ".join(p.tender.value for p in candidates) or "none"
            raise InvalidInput(
                f"{RULE}: name the tender to {what} (open: {names})", field="tender", rule=RULE
            )
        try:
            wanted = MoneyTender(getattr(tender, "value", tender))
        except ValueError:
            raise InvalidInput(
                f"unknown tender {tender!r}; one of {[t.value for t in MoneyTender]}",
                field="tender",
                rule="R3.a",
            ) from None
        for p in self.tender_payments:
            if p.tender is wanted:
                if p.status not in allowed:
                    raise IllegalTransition(
                        f"the {wanted.value} payment of case {self.case_no} is {p.status.value}; "
                        f"cannot {what} it",
                        rule=RULE,
                        field="tender",
                    )
                return p
        raise InvalidInput(
            f"the refund of case {self.case_no} pays nothing to {wanted.value} (R3.a: it goes "
            "back to the tenders the order was paid with)",
            field="tender",
            rule="R3.a",
        )

    def _status_after_payments(self, changed: TenderPayment, status: PaymentStatus) -> Status:
        others = [p for p in self.tender_payments if p.tender is not changed.tender]
        if status is PaymentStatus.FAILED or any(p.status is PaymentStatus.FAILED for p in others):
            return Status.REFUND_FAILED
        return Status.REFUND_APPROVED

    # ------------------------------------------------------------------ paid
    def _before_record_refund_paid(self, actor: Actor) -> None:
        if self.refund_paid:
            raise IllegalTransition(f"case {self.case_no} was refunded already", rule="R3.a")

    def _may_record_refund_paid(self, actor: Actor) -> None:
        if self.ruling is not None and self.ruling.compensation_fen and not self.compensation_fen:
            raise CaseRuledFinal(
                f"the ruling also grants compensation of {self.ruling.compensation_fen} fen: "
                "grant it before the case closes"
            )

    def record_refund_paid(
        self, *, actor: Actor, at: datetime, psp_reference: str, tender: Any = None
    ) -> None:
        """R3: the provider confirmed a tender's payment (without ``tender``: every open one, as
        one payment); the case closes when no payment is left open."""
        spec = self._begin(Move.RECORD_REFUND_PAID, actor, at)
        ref = text_input(psp_reference, "psp_reference", RULE, "name the payment reference")
        assert self.refund is not None
        open_ = {PaymentStatus.DUE, PaymentStatus.FAILED}
        if tender is None or tender == "":
            paying = self._payments(PaymentStatus.DUE) + self._payments(PaymentStatus.FAILED)
            name: str | None = None
        else:
            one = self._payment(tender, open_, "record as paid")
            paying, name = [one], one.tender.value
        left = [p for p in self.tender_payments if p.open and p not in paying]
        settles = not left
        status = None
        if not settles:
            status = (
                Status.REFUND_FAILED
                if any(p.status is PaymentStatus.FAILED for p in left)
                else Status.REFUND_APPROVED
            )
        self._record(
            ev.RefundPaid,
            spec.rule,
            actor=actor,
            at=at,
            psp_reference=ref,
            amount_fen=sum(p.amount_fen for p in paying)
            + (in_kind_fen(self.refund.split) if name is None else 0),
            tender=name,
            paid_to=paying[0].paid_to.value if name is not None else None,
            settles_refund=settles,
            refund_total_fen=self.refund.total_fen,
            reason="",
            status=status,
            deadlines=tuple(
                self._keep(Clock.REFUND_PAYMENT, Clock.STATUTORY_REFUND)
                if settles
                else self._keep()
            ),
        )
        if settles:
            self._close_now(actor, at, "refunded")

    # ------------------------------------------------------------------ failed
    def _may_record_refund_failed(self, actor: Actor) -> None:
        if self.tender_payments and not self._payments(PaymentStatus.DUE):
            raise IllegalTransition(
                f"no payment of case {self.case_no} is waiting for the provider: retry or "
                "reroute a failed one first",
                rule=RULE,
            )

    def record_refund_failed(
        self, *, actor: Actor, at: datetime, reason: str, tender: Any = None
    ) -> None:
        """A tender's payment failed (card closed, wallet frozen ...; without ``tender``: every
        open one); the R3 clock keeps running."""
        spec = self._begin(Move.RECORD_REFUND_FAILED, actor, at)
        why = text_input(reason, "reason", RULE, "say why the payment failed")
        name: str | None = None
        if tender is not None and tender != "":
            name = self._payment(tender, {PaymentStatus.DUE}, "record as failed").tender.value
        self._record(
            ev.RefundFailed,
            spec.rule,
            actor=actor,
            at=at,
            reason=why,
            tender=name,
            deadlines=tuple(self._keep()),
        )

    # ------------------------------------------------------------------ retry
    def _may_retry_refund_payment(self, actor: Actor) -> None:
        if not self._payments(PaymentStatus.FAILED):
            raise IllegalTransition(f"no payment of case {self.case_no} failed", rule=RULE)

    def retry_refund_payment(
        self, *, actor: Actor, at: datetime, tender: Any = None, reason: str = ""
    ) -> None:
        """R3: a failed tender's payment is sent again, to the same tender."""
        spec = self._begin(Move.RETRY_REFUND_PAYMENT, actor, at)
        payment = self._payment(tender, {PaymentStatus.FAILED}, "retry")
        self._record(
            ev.RefundRetried,
            spec.rule,
            actor=actor,
            at=at,
            tender=payment.tender.value,
            amount_fen=payment.amount_fen,
            reason=reason.strip(),
            status=self._status_after_payments(payment, PaymentStatus.DUE),
            deadlines=tuple(self._keep()),
        )

    # ------------------------------------------------------------------ reroute
    def _reroutable(self) -> list[TenderPayment]:
        return [
            p for p in self._payments(PaymentStatus.FAILED) if p.paid_to is not MoneyTender.WALLET
        ]

    def _may_reroute_refund_payment(self, actor: Actor) -> None:
        if not self._reroutable():
            raise IllegalTransition(
                f"no failed payment of case {self.case_no} can go to the wallet instead",
                rule="R3.a",
            )

    def reroute_refund_payment(
        self, *, actor: Actor, at: datetime, tender: Any = None, consent: str = ""
    ) -> None:
        """R3.a: money goes back to its tender unless the consumer agrees otherwise. A failed
        payment goes to the wallet with her consent: her own move, or finance recording how she
        gave it (``consent``: call, message, its reference)."""
        spec = self._begin(Move.REROUTE_REFUND_PAYMENT, actor, at)
        candidates = {p.tender for p in self._reroutable()}
        payment = self._payment(tender, {PaymentStatus.FAILED}, "reroute")
        if payment.tender not in candidates:
            raise IllegalTransition(
                f"the {payment.tender.value} payment goes to the wallet already", rule="R3.a"
            )
        if actor.role is Role.CONSUMER:
            how = consent.strip() or "given by the consumer on her case"
            by = actor.id
        else:
            how = text_input(
                consent,
                "consent",
                "R3.a",
                "say how the consumer agreed to be paid to her wallet instead",
            )
            by = self.consumer_id
        self._record(
            ev.RefundRerouted,
            "R3.a" if spec.rule == RULE else spec.rule,
            actor=actor,
            at=at,
            tender=payment.tender.value,
            from_tender=payment.paid_to.value,
            to_tender=MoneyTender.WALLET.value,
            amount_fen=payment.amount_fen,
            consent=how,
            consent_by=by,
            reason=how,
            status=self._status_after_payments(payment, PaymentStatus.DUE),
            deadlines=tuple(self._keep()),
        )

    # ------------------------------------------------------------------ reopen
    def _may_reopen_refund_payment(self, actor: Actor) -> None:
        if not self._payments(PaymentStatus.PAID):
            raise IllegalTransition(
                f"no payment of case {self.case_no} was recorded as paid", rule=RULE
            )
        if self.status is Status.CLOSED and self.outcome != "refunded":
            raise IllegalTransition(f"case {self.case_no} did not close refunded", rule=RULE)

    def reopen_refund_payment(
        self, *, actor: Actor, at: datetime, reason: str, tender: Any = None
    ) -> None:
        """R3: a payment recorded as paid did not reach the consumer (the provider's report lacks
        it, or it came back): it is owed again, as a failed payment; a closed case reopens."""
        spec = self._begin(Move.REOPEN_REFUND_PAYMENT, actor, at)
        why = text_input(reason, "reason", RULE, "say why the payment is reopened")
        payment = self._payment(tender, {PaymentStatus.PAID}, "reopen")
        self._record(
            ev.PaymentReopened,
            spec.rule,
            actor=actor,
            at=at,
            tender=payment.tender.value,
            paid_to=payment.paid_to.value,
            amount_fen=payment.amount_fen,
            psp_reference=payment.psp_reference,
            reason=why,
            deadlines=tuple(self._keep(Clock.POST_CLOSE)),
        )
