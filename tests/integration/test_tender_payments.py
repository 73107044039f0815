"""Per-tender refund payments (issue 8; R3, R3.a, R21) through the real domain into the ledger,
on SQLite and PostgreSQL: a refund paid to one tender and failed on another is recorded as such,
retried, rerouted to the wallet with the consumer's consent, reopened; the case closes only when
every tender is paid; the books balance per currency after any of it; a rebuild equals the live
tables."""

from __future__ import annotations

import contextlib
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.case_values import Status
from domain.errors import DomainError, IllegalTransition, InvalidInput
from domain.tenders import PaymentStatus, in_kind_fen
from projections.case_queries import timeline
from projections.ledger import (
    CONSUMER_REFUND_PAYABLE,
    PSP_CLEARING,
    balances,
    journal_lines,
    refund_status,
    tender_payments,
)
from projections.registry import make_runner
from projections.tablehash import table_digest
from tests.integration.test_ledger import (
    CARD,
    COUPON,
    FINANCE,
    POINTS,
    WALLET,
    World,
    assert_sound,
    fresh_store_url,
    ledger_runner,
)


@pytest.fixture
def world(store_url: str, tmp_path: Path) -> Iterator[World]:
    w = World(store_url, tmp_path)
    yield w
    w.close()


@pytest.fixture
def property_store(request: pytest.FixtureRequest, store_url: str) -> tuple[str, str | None]:
    if store_url.startswith("sqlite"):
        return "sqlite", None
    return "postgresql", str(request.getfixturevalue("pg_database_url"))


LEDGER_KEYS = {
    "journal": ["case_no", "event_version", "line_no"],
    "ledger_cases": ["case_id"],
    "ledger_refunds": ["case_no"],
    "ledger_payments": ["case_no", "event_version"],
    "ledger_tender_payments": ["case_no", "tender"],
}


def _refunded_case(w: World, tenders: list[tuple[object, int]], order_no: str = "O-T") -> str:
    w.policy("m1")
    w.order(order_no, "m1", [("phone", 1, tenders)])
    case_no = w.open(order_no, "return_refund", "no_reason")
    w.tick(minutes=30)
    w.return_goods(case_no, "no_fault")
    w.approve(case_no)
    w.tick(hours=1)
    return case_no


def _do(w: World, command: str, case_no: str, **inputs: object) -> None:
    actor = inputs.pop("actor", FINANCE)
    getattr(w.app, command)(request_id=w.rid(), actor=actor, case_no=case_no, **inputs)
    w.tick(minutes=20)


def _owed(w: World, case_no: str, tender: str) -> int:
    rows = balances(w.db, case_no=case_no, account=f"{CONSUMER_REFUND_PAYABLE}:{tender}")
    return -sum(r.balance_fen for r in rows)


def test_paid_on_one_tender_failed_on_another_then_rerouted_and_reopened(world: World) -> None:
    w = world
    case_no = _refunded_case(w, [(CARD, 6000), (WALLET, 3000), (POINTS, 1000)])
    _do(w, "record_refund_paid", case_no, tender="wallet", psp_reference="WX-W1")
    _do(w, "record_refund_failed", case_no, tender="card", reason="银行卡已注销")
    case = w.app.get_case(case_no)
    assert case.status is Status.REFUND_FAILED  # R3: not closed while a tender is unpaid
    assert {p.tender.value: p.status for p in case.tender_payments} == {
        "card": PaymentStatus.FAILED,
        "wallet": PaymentStatus.PAID,
    }
    # R3.a: finance reroutes only with the consumer's consent stated
    with pytest.raises(InvalidInput) as refused:
        _do(w, "reroute_refund_payment", case_no, tender="card")
    assert refused.value.field == "consent"
    with pytest.raises(IllegalTransition):  # the wallet was paid: nothing to pay twice
        _do(w, "record_refund_paid", case_no, tender="wallet", psp_reference="WX-W2")
    _do(w, "retry_refund_payment", case_no, tender="card")
    _do(w, "record_refund_failed", case_no, tender="card", reason="卡被冻结")
    _do(w, "reroute_refund_payment", case_no, tender="card", actor=w.c(case_no))  # her consent
    assert w.app.get_case(case_no).status is Status.REFUND_APPROVED
    _do(w, "record_refund_paid", case_no, tender="card", psp_reference="WX-C1")
    assert w.app.get_case(case_no).status is Status.CLOSED

    ledger_runner(w).catch_up()
    assert_sound(w)
    rows = {r.tender: r for r in tender_payments(w.db, case_no)}
    assert (rows["card"].status, rows["card"].paid_to, rows["card"].failed_attempts) == (
        "paid",
        "wallet",
        2,
    )
    assert rows["card"].retries == 1 and rows["card"].consent
    assert [x.kind for x in journal_lines(w.db, case_no=case_no)].count("refund_rerouted") == 2
    assert _owed(w, case_no, "card") == 0 and _owed(w, case_no, "wallet") == 0
    refund = refund_status(w.db, case_no)
    assert refund is not None and refund.status == "paid"

    # The provider's report lacks WX-C1: finance reopens it; the closed case reopens (R3).
    _do(w, "reopen_refund_payment", case_no, tender="card", reason="结算单中没有这笔退款")
    assert w.app.get_case(case_no).status is Status.REFUND_FAILED
    ledger_runner(w).catch_up()
    assert _owed(w, case_no, "wallet") == 6000
    refund = refund_status(w.db, case_no)
    assert refund is not None and refund.status == "failed" and refund.paid_at is None
    _do(w, "record_refund_paid", case_no, tender="card", psp_reference="WX-C2")
    assert w.app.get_case(case_no).status is Status.CLOSED
    ledger_runner(w).catch_up()
    assert_sound(w)
    psp = balances(w.db, case_no=case_no, account=PSP_CLEARING)
    assert -sum(r.balance_fen for r in psp) == 9000  # the money that reached her, once

    # R21: the consumer's timeline names the failed tender.
    make_runner(w.app, w.db).catch_up()
    steps = [s for s in timeline(w.db, case_no) if s.event_name == "RefundFailed"]
    assert [s.details["tender"] for s in steps] == ["card", "card"]


def test_a_tender_is_named_when_more_than_one_payment_is_open(world: World) -> None:
    case_no = _refunded_case(world, [(CARD, 5000), (WALLET, 5000)])
    _do(world, "record_refund_failed", case_no, tender="wallet", reason="钱包冻结")
    with pytest.raises(InvalidInput) as refused:
        _do(world, "retry_refund_payment", case_no, tender="coupon")
    assert refused.value.field == "tender"
    # without a tender, the move pays every open payment at once (as before issue 8)
    _do(world, "record_refund_paid", case_no, psp_reference="WX-ALL")
    assert world.app.get_case(case_no).status is Status.CLOSED
    ledger_runner(world).catch_up()
    assert_sound(world)
    assert {r.status for r in tender_payments(world.db, case_no)} == {"paid"}


# -- properties --------------------------------------------------------------------------------

amounts = st.integers(0, 50_000)
ACTIONS = ("pay", "fail", "retry", "reroute", "reopen", "pay_all", "fail_all")


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    card=amounts,
    wallet=amounts,
    points=amounts,
    coupon=amounts,
    steps=st.lists(
        st.tuples(st.sampled_from(ACTIONS), st.sampled_from(("card", "wallet"))), max_size=14
    ),
)
def test_tenders_sum_exactly_and_the_books_balance_after_any_payment_story(
    property_store: tuple[str, str | None],
    card: int,
    wallet: int,
    points: int,
    coupon: int,
    steps: list[tuple[str, str]],
) -> None:
    tenders = [
        (k, v) for k, v in ((CARD, card), (WALLET, wallet), (POINTS, points), (COUPON, coupon)) if v
    ]
    if not tenders:
        return
    dialect, pg_database_url = property_store
    folder = Path(tempfile.mkdtemp(prefix="tender-prop-"))
    urls = fresh_store_url(dialect, folder, pg_database_url)
    try:
        w = World(next(urls), folder)
        try:
            _story(w, tenders, steps)
        finally:
            w.close()
    finally:
        urls.close()
        shutil.rmtree(folder, ignore_errors=True)


def _story(w: World, tenders: list[tuple[object, int]], steps: list[tuple[str, str]]) -> None:
    case_no = _refunded_case(w, tenders)
    c = w.c(case_no)
    for n, (action, tender) in enumerate(steps):
        with contextlib.suppress(DomainError):  # the domain refused: nothing stored
            if action == "pay":
                _do(w, "record_refund_paid", case_no, tender=tender, psp_reference=f"P{n}")
            elif action == "pay_all":
                _do(w, "record_refund_paid", case_no, psp_reference=f"A{n}")
            elif action == "fail_all":
                _do(w, "record_refund_failed", case_no, reason="全部失败")
            elif action == "fail":
                _do(w, "record_refund_failed", case_no, tender=tender, reason="失败")
            elif action == "retry":
                _do(w, "retry_refund_payment", case_no, tender=tender)
            elif action == "reroute":
                _do(w, "reroute_refund_payment", case_no, tender=tender, actor=c)
            else:
                _do(w, "reopen_refund_payment", case_no, tender=tender, reason="未到账")
    case = w.app.get_case(case_no)
    plan = case.refund
    assert plan is not None
    # R3.a: the tenders' parts sum exactly to the refund, and never exceed what each paid
    assert (
        sum(p.amount_fen for p in case.tender_payments) + in_kind_fen(plan.split) == plan.total_fen
    )
    paid_by = dict(tenders)
    for part in plan.split:
        assert 0 < part.amount_fen <= paid_by[part.kind]
    # R3: closed exactly when every payment is paid
    assert (case.status is Status.CLOSED) == all(p.settled for p in case.tender_payments)

    runner = ledger_runner(w)
    runner.catch_up(batch_size=7)
    assert_sound(w)  # debits = credits per entry and per currency
    for t in ("card", "wallet"):  # what is owed per tender is exactly the open payments to it
        open_to_t = sum(
            p.amount_fen for p in case.tender_payments if p.open and p.paid_to.value == t
        )
        assert _owed(w, case_no, t) == open_to_t
    paid = sum(p.amount_fen for p in case.tender_payments if p.settled)
    assert (
        -sum(r.balance_fen for r in balances(w.db, case_no=case_no, account=PSP_CLEARING)) == paid
    )
    rows = {r.tender: r for r in tender_payments(w.db, case_no)}
    assert {t: (r.status, r.paid_to, r.amount_fen) for t, r in rows.items()} == {
        p.tender.value: (p.status.value, p.paid_to.value, p.amount_fen)
        for p in case.tender_payments
    }
    # a rebuild gives the same tables
    before = {t: table_digest(w.db, t, k) for t, k in LEDGER_KEYS.items()}
    runner.rebuild(batch_size=3)
    assert {t: table_digest(w.db, t, k) for t, k in LEDGER_KEYS.items()} == before
