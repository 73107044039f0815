"""Refund ledger: a double-entry journal of what the after-sales record owes and pays (R3, R3.a,
R6, R14).

The projection books Case events into ``journal`` lines; every entry balances (debits = credits,
one currency per entry) and is checked before it is written. Balances are ``debits - credits``.

Accounts (``<m>`` is the merchant id):

- ``merchant_payable:<m>``: what the merchant owes back for refunded goods (debit when a refund is
  approved).
- ``shipping_refund:<m>``: shipping the merchant refunds under R2 (the plan's ``shipping_fen``).
- ``consumer_refund_payable:card`` / ``consumer_refund_payable:wallet``: money owed to consumers,
  per tender (R3.a); credited at approval, cleared when the payment provider pays.
- ``points_liability`` / ``coupon_liability``: points and coupons given back in kind (Law art. 15),
  credited at approval (restored at once; they never pass through the payment provider).
- ``psp_clearing``: money sent out through the payment provider (credited at payment).
- ``compensation_expense:<m>`` / ``consumer_compensation_payable``: R14 compensation granted by the
  merchant (or a ruling, R10) and owed to the consumer until paid.
- ``repair_fee_receivable:<m>``: a repair fee the consumer accepted (R6) and owes the merchant;
  ``repair_fee_deferred:<m>`` holds it until the repair is completed, then
  ``repair_fee_income:<m>`` earns it.

Entries (``kind``):

==========================  =======================================================================
RefundApproved              ``refund_approved``: Dr merchant_payable (goods), Dr shipping_refund
                            (shipping) / Cr consumer_refund_payable:<tender> per money tender,
                            Cr points_liability / coupon_liability for in-kind tenders.
RefundPaid                  ``refund_paid``: one tender's payment (v3): Dr
                            consumer_refund_payable:<paid_to> / Cr psp_clearing for exactly its
                            amount; without a tender (and v2): every open payable of the case. No
                            entry when the whole refund was in kind.
RefundFailed                nothing moves: the payable stays open (the R3 clock keeps running);
RefundRetried               ``ledger_tender_payments`` records the tender's attempt.
RefundRerouted              ``refund_rerouted``: Dr consumer_refund_payable:<from> / Cr
                            consumer_refund_payable:wallet (the consumer's consent is the event's).
PaymentReopened             ``refund_reopened``: Dr psp_clearing / Cr
                            consumer_refund_payable:<paid_to>: owed again, the payment reopened.
CompensationGranted         ``compensation_granted``: Dr compensation_expense / Cr
                            consumer_compensation_payable.
CompensationPaid            ``compensation_paid``: Dr consumer_compensation_payable / Cr
                            psp_clearing.
QuoteAccepted               ``repair_fee_accepted``: Dr repair_fee_receivable / Cr
                            repair_fee_deferred.
RepairCompleted             ``repair_fee_earned``: Dr repair_fee_deferred (what was deferred) / Cr
                            repair_fee_income (the fee the event states); a difference is booked
                            against repair_fee_receivable.
Closed / Withdrawn          ``repair_fee_cancelled`` when an accepted fee is still deferred (the
                            case ended without the repair): Dr repair_fee_deferred / Cr
                            repair_fee_receivable.
==========================  =======================================================================

The package: ``accounts`` (account names, :class:`Posting`, :func:`dr`, :func:`cr`,
:func:`balanced`), ``booking`` (:class:`CaseRow`, :func:`post`, :func:`record_payment`),
``refunds`` and ``compensation_repair`` (the handlers), ``projection`` (the projection and the
``projections.ledger_fees`` hook) and ``queries``.

Idempotency: ``ledger_cases.last_version`` skips any event at or below the last one applied, and the
journal's primary key ``(case_no, event_version, line_no)`` makes a repeated line impossible.
A booking that would not balance, or a payment that does not clear what is owed, raises
:class:`LedgerError`: the batch rolls back and the runner stops rather than write wrong books.
"""

from projections.ledger.accounts import (
    COMPENSATION_EXPENSE,
    COMPENSATION_PAYABLE,
    CONSUMER_REFUND_PAYABLE,
    COUPON_LIABILITY,
    IN_KIND_ACCOUNT,
    LEDGER_PROJECTION,
    LEDGER_TABLES,
    MERCHANT_PAYABLE,
    POINTS_LIABILITY,
    PSP_CLEARING,
    REPAIR_FEE_DEFERRED,
    REPAIR_FEE_INCOME,
    REPAIR_FEE_RECEIVABLE,
    SHIPPING_REFUND,
    LedgerError,
    Posting,
    balanced,
    cr,
    dr,
)
from projections.ledger.booking import (
    CaseRow,
    last_day_before,
    load_case,
    post,
    record_payment,
    set_deferred,
)
from projections.ledger.projection import PROJECTIONS, Handler, LedgerProjection
from projections.ledger.queries import (
    AccountBalance,
    Grouping,
    JournalLine,
    RefundDue,
    TenderPaymentRow,
    balances,
    case_balances,
    daily_balances,
    journal_lines,
    journal_page,
    merchant_balances,
    refund_status,
    refunds_due,
    tender_payments,
    trial_balance,
)

__all__ = [
    "COMPENSATION_EXPENSE",
    "COMPENSATION_PAYABLE",
    "CONSUMER_REFUND_PAYABLE",
    "COUPON_LIABILITY",
    "IN_KIND_ACCOUNT",
    "LEDGER_PROJECTION",
    "LEDGER_TABLES",
    "MERCHANT_PAYABLE",
    "POINTS_LIABILITY",
    "PROJECTIONS",
    "PSP_CLEARING",
    "REPAIR_FEE_DEFERRED",
    "REPAIR_FEE_INCOME",
    "REPAIR_FEE_RECEIVABLE",
    "SHIPPING_REFUND",
    "AccountBalance",
    "CaseRow",
    "Grouping",
    "Handler",
    "JournalLine",
    "LedgerError",
    "LedgerProjection",
    "Posting",
    "RefundDue",
    "TenderPaymentRow",
    "balanced",
    "balances",
    "case_balances",
    "cr",
    "daily_balances",
    "dr",
    "journal_lines",
    "journal_page",
    "last_day_before",
    "load_case",
    "merchant_balances",
    "post",
    "record_payment",
    "refund_status",
    "refunds_due",
    "set_deferred",
    "tender_payments",
    "trial_balance",
]
