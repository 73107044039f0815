"""Issue 8, end to end per kind on SQLite and PostgreSQL: every shipping leg and fee ends in the
ledger as policy says (R2, R3.a, R6, R8), each journal line traces to one event with its rule,
the receivables age (R6), and a rebuild of the ledger and receivables equals the live tables."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from domain.case import Case
from projections.ledger import LedgerProjection, balances, journal_lines
from projections.receivables import ReceivablesProjection, aged, receivables
from projections.runner import Runner
from projections.tablehash import table_digest
from tests.integration.test_ledger import CARD, FINANCE, World, assert_sound

pytestmark = pytest.mark.usefixtures("store_url")

FEE_CAP = 1200  # the default unproven_leg_fee_fen (docs/money.md)
KEYS = {
    "journal": ["case_no", "event_version", "line_no"],
    "ledger_refunds": ["case_no"],
    "receivables": ["case_no", "kind"],
    "receivable_cases": ["case_id"],
}


@pytest.fixture
def world(store_url: str, tmp_path: Path) -> Iterator[World]:
    w = World(store_url, tmp_path)
    yield w
    w.close()


def runner(w: World) -> Runner:
    return Runner(w.app, w.db, [LedgerProjection(), ReceivablesProjection()])


def balance(w: World, case_no: str, account: str) -> int:
    """debits - credits of ``account`` on ``case_no``."""
    return sum(
        line.debit_fen - line.credit_fen
        for line in journal_lines(w.db, case_no=case_no)
        if line.account == account
    )


def assert_traced(w: World) -> None:
    """Every journal line is booked from one stored event of its case, which names its rule."""
    events: dict[str, dict[int, object]] = {}
    for line in journal_lines(w.db):
        if line.case_no not in events:
            stored = w.app.repository.event_store.get(Case.create_id(line.case_no))
            events[line.case_no] = {int(e.originator_version): e for e in stored}
        event = events[line.case_no][line.event_version]
        rule = getattr(event, "rule", "")
        assert rule and rule[0] in "RP", (line, rule)


def ship_replacement(w: World, case_no: str) -> None:
    w.app.ship_exchange(
        request_id=w.rid(),
        actor=w.m(case_no),
        case_no=case_no,
        carrier="SF",
        tracking_no=f"EX{case_no}",
    )
    w.app.confirm_goods_received(request_id=w.rid(), actor=w.c(case_no), case_no=case_no)


def test_return_refund_books_goods_capped_return_leg_and_outbound_share(world: World) -> None:
    """R2 on a defect: the merchant owes both legs; the declared 15 yuan return fee is capped at
    the unproven 12 yuan (no receipt), the outbound share comes from the order."""
    w = world
    w.policy("m1")
    w.order("O-R", "m1", [("phone", 1, [(CARD, 50000)])], shipping_fee_fen=1000)
    case = w.open("O-R", "return_refund", "quality_defect")
    w.return_goods(case, "product_defect", fee_fen=1500)
    w.approve(case)
    w.pay(case, "PSP-R")
    runner(w).catch_up()
    assert_sound(w)
    assert_traced(w)
    assert balance(w, case, "merchant_payable:m1") == 50000
    assert balance(w, case, "shipping_refund:m1") == FEE_CAP + 1000
    event = next(
        e
        for e in w.app.repository.event_store.get(Case.create_id(case))
        if type(e).__name__ == "RefundApproved"
    )
    legs = {i.item.value: (i.amount_fen, i.declared_fen) for i in event.entitlement.items}
    assert legs["return_leg"] == (FEE_CAP, 1500) and legs["outbound_leg"] == (1000, 1000)
    assert list(event.deductions) == []


def test_exchange_owes_the_consumers_leg_and_repays_it(world: World) -> None:
    """R8: each leg as R2; a defect exchange: the merchant owes the consumer's leg (10 yuan)."""
    w = world
    w.policy("m1")
    w.order("O-X", "m1", [("phone", 1, [(CARD, 50000)])])
    case = w.open("O-X", "exchange", "quality_defect")
    w.return_goods(case, "product_defect", fee_fen=1000)
    ship_replacement(w, case)
    runner(w).catch_up()
    assert balance(w, case, "shipping_refund:m1") == 1000
    assert balance(w, case, "consumer_shipping_payable") == -1000
    [owed] = receivables(w.db, w.now.date(), open_only=True)
    assert (owed.kind, owed.amount_fen, owed.rule) == ("shipping", 1000, "R8")
    w.app.record_shipping_repaid(
        request_id=w.rid(), actor=FINANCE, case_no=case, tender="card", psp_reference="PSP-XS"
    )
    runner(w).catch_up()
    assert balance(w, case, "consumer_shipping_payable") == 0
    assert balance(w, case, "psp_clearing") == -1000
    assert receivables(w.db, w.now.date(), open_only=True) == []
    assert_sound(w)
    assert_traced(w)


def test_a_no_reason_exchange_leaves_the_consumers_leg_with_the_consumer(world: World) -> None:
    w = world
    w.policy("m1")
    w.order("O-N", "m1", [("phone", 1, [(CARD, 50000)])])
    case = w.open("O-N", "exchange", "no_reason")
    w.return_goods(case, "no_fault", fee_fen=1000)
    ship_replacement(w, case)
    runner(w).catch_up()
    assert balance(w, case, "shipping_refund:m1") == 0
    assert receivables(w.db, w.now.date()) == []


def test_repairs_owe_the_send_in_leg_or_collect_the_accepted_fee(world: World) -> None:
    """R6: a free repair (defect in warranty): the merchant owes the send-in leg; a user-caused
    repair: the consumer owes the accepted fee, aged until paid or waived."""
    w = world
    w.policy("m1")
    w.order("O-F", "m1", [("phone", 1, [(CARD, 50000)])])
    w.order("O-U", "m1", [("watch", 1, [(CARD, 30000)])], consumer_id="c2")
    w.order("O-W", "m1", [("lamp", 1, [(CARD, 8000)])], consumer_id="c3")
    free = w.open("O-F", "repair", "quality_defect")
    w.return_goods(free, "product_defect", fee_fen=800)
    w.complete(free)
    paid = w.open("O-U", "repair", "user_damage", consumer_id="c2")
    w.return_goods(paid, "user_damage", fee_fen=900)
    w.quote(paid, 3000)
    w.answer(paid, True)
    w.complete(paid)
    waived = w.open("O-W", "repair", "user_damage", consumer_id="c3")
    w.return_goods(waived, "user_damage")
    w.quote(waived, 2000)
    w.answer(waived, True)
    w.complete(waived)
    runner(w).catch_up()
    assert balance(w, free, "shipping_refund:m1") == 800
    assert balance(w, paid, "shipping_refund:m1") == 0  # user-caused: the user's legs
    assert balance(w, paid, "repair_fee_receivable:m1") == 3000
    assert balance(w, paid, "repair_fee_income:m1") == -3000
    later = w.now.date() + timedelta(days=10)
    assert aged(w.db, later) == {("repair_fee", "8-30"): 5000, ("shipping", "8-30"): 800}
    w.app.record_repair_fee_paid(
        request_id=w.rid(), actor=FINANCE, case_no=paid, tender="wallet", psp_reference="PSP-U"
    )
    w.app.waive_repair_fee(
        request_id=w.rid(), actor=w.m(waived), case_no=waived, reason="老客户，免收维修费"
    )
    runner(w).catch_up()
    assert balance(w, paid, "repair_fee_receivable:m1") == 0
    assert balance(w, paid, "psp_clearing") == 3000
    assert balance(w, waived, "repair_fee_receivable:m1") == 0
    assert balance(w, waived, "repair_fee_waived:m1") == 2000
    assert aged(w.db, later) == {("shipping", "8-30"): 800}
    statuses = {(r.case_no, r.kind): r.status for r in receivables(w.db, later)}
    assert statuses[(paid, "repair_fee")] == "paid"
    assert statuses[(waived, "repair_fee")] == "waived"
    assert_sound(w)
    assert_traced(w)
    # a rebuild of the ledger and the receivables equals the live tables
    before = {t: table_digest(w.db, t, k) for t, k in KEYS.items()}
    runner(w).rebuild(batch_size=3)
    assert {t: table_digest(w.db, t, k) for t, k in KEYS.items()} == before
    assert balances(w.db)  # still there
