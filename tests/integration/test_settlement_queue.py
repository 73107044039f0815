"""Reconciliation as events and work (issue 8; R3, R3.a): a WeChat Pay refund bill (UTF-8 with
BOM) and an Alipay refund bill (GBK) are imported as Settlement events with matched, missing,
extra and amount-differs items; each discrepancy is resolved by an event (match by hand, mark
paid, write off, reopen the payment) until both settlements are clean; the reconciliation and
ledger tables rebuilt from the events equal the live ones. SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from domain.case_values import Status
from domain.errors import IllegalTransition, InvalidInput
from domain.values import Actor, Role
from projections.ledger import LedgerProjection, refund_status
from projections.reconcile import (
    ReconciliationProjection,
    discrepancies,
    reconcile,
    reconciliation_run,
)
from projections.runner import Runner
from projections.tablehash import table_digest
from tests.integration.test_ledger import Scenario, World, assert_sound, build_scenario

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
WECHAT = FIXTURES / "settlement_wechat_refund.csv"  # UTF-8 with BOM
ALIPAY = FIXTURES / "settlement_alipay_refund_gbk.csv"  # GBK
MARCH = (date(2026, 3, 1), date(2026, 3, 31))
FIN = Actor(Role.FINANCE, "fin1")
TABLES = {
    "reconciliation_runs": ["run_id"],
    "reconciliation_items": ["run_id", "item_no"],
    "journal": ["case_no", "event_version", "line_no"],
    "ledger_payments": ["case_no", "event_version"],
    "ledger_tender_payments": ["case_no", "tender"],
}


@pytest.fixture
def world(store_url: str, tmp_path: Path) -> Iterator[tuple[World, Scenario]]:
    w = World(store_url, tmp_path)
    s = build_scenario(w)
    Runner(w.app, w.db, [LedgerProjection()]).catch_up()
    yield w, s
    w.close()


def _outcomes(w: World, run_id: str) -> dict[str, str]:
    found = reconciliation_run(w.db, run_id)
    assert found is not None
    return {i.psp_reference: i.outcome for i in found.items}


def _item(w: World, run_id: str, reference: str) -> int:
    found = reconciliation_run(w.db, run_id)
    assert found is not None
    return next(i.item_no for i in found.items if i.psp_reference == reference)


def _resolve(w: World, run_id: str, reference: str, resolution: str, **extra: str) -> None:
    w.tick(minutes=5)
    w.app.resolve_discrepancy(
        request_id=w.rid(),
        actor=FIN,
        settlement_no=run_id,
        item_no=_item(w, run_id, reference),
        resolution=resolution,
        reason=extra.pop("reason", "核对后处理"),
        **extra,
    )
    Runner(w.app, w.db, [LedgerProjection(), ReconciliationProjection()]).catch_up()


def test_two_bills_reconcile_and_every_discrepancy_ends_in_an_event(
    world: tuple[World, Scenario],
) -> None:
    w, s = world
    w.tick(days=30)
    wx = reconcile(w.app, w.db, WECHAT, run_id="WX-03", period=MARCH, actor=FIN)
    ali = reconcile(w.app, w.db, ALIPAY, run_id="ALI-03", period=MARCH, actor=FIN)
    assert (wx.run.provider, wx.run.encoding) == ("wechatpay_refund_bill", "utf-8-sig")
    assert (ali.run.provider, ali.run.encoding) == ("alipay_refund_bill", "gbk")
    assert _outcomes(w, "WX-03") == {
        "PSP-A": "matched",
        "PSP-B": "amount_mismatch",
        "PSP-X": "missing_in_ledger",
        "PSP-Y": "not_settled",
        "PSP-E": "missing_in_report",
    }
    assert _outcomes(w, "ALI-03") == {
        "PSP-A": "matched",
        "PSP-B": "amount_mismatch",  # the bill says 80.00, the ledger paid 82.00
        "ALI-X": "missing_in_ledger",
        "PSP-E": "missing_in_report",
    }
    # recorded as events on the settlement: the file's hash and its rows in fen
    settlement = w.app.get_settlement("ALI-03")
    assert settlement.file_sha256 == ali.run.file_sha256 and len(settlement.open_discrepancies) == 3
    assert len(discrepancies(w.db)) == 6

    # a resolution the domain does not allow for the item is refused, and stores nothing
    with pytest.raises(IllegalTransition):
        _resolve(w, "WX-03", "PSP-X", "reopen_payment")
    with pytest.raises(InvalidInput):  # the row's 12.34 is not the 25.00 case C owes (R3)
        _resolve(w, "WX-03", "PSP-X", "mark_paid", case_no=s.due)
    with pytest.raises(IllegalTransition):  # case B was refunded and closed
        _resolve(w, "ALI-03", "ALI-X", "mark_paid", case_no=s.shipping)
    assert len(discrepancies(w.db)) == 6

    _resolve(w, "WX-03", "PSP-B", "match_by_hand", reason="微信多退0.50元手续费，已与商户核对")
    _resolve(w, "WX-03", "PSP-X", "write_off", reason="非本平台退款")
    _resolve(w, "WX-03", "PSP-E", "match_by_hand", reason="补偿经银行转账支付")
    # Alipay paid case B 80.00, not 82.00: the payment is reopened, the case owes again (R3)
    _resolve(w, "ALI-03", "PSP-B", "reopen_payment", reason="支付宝少退2.00元")
    assert w.app.get_case(s.shipping).status is Status.REFUND_FAILED
    # ALI-X is case C's wallet refund finance had not recorded: marked paid, the case closes
    _resolve(w, "ALI-03", "ALI-X", "mark_paid", case_no=s.due, tender="wallet")
    assert w.app.get_case(s.due).status is Status.CLOSED
    refund = refund_status(w.db, s.due)
    assert refund is not None and (refund.status, refund.psp_reference) == ("paid", "ALI-X")
    _resolve(w, "ALI-03", "PSP-E", "write_off", reason="补偿不经支付宝")

    assert discrepancies(w.db) == []
    for run_id in ("WX-03", "ALI-03"):
        found = reconciliation_run(w.db, run_id)
        assert found is not None and found.run.clean and found.run.discrepancies == 3
    assert w.app.get_settlement("ALI-03").clean
    assert_sound(w)

    # The same bill imported again is refused; the queue and the ledger rebuild from the events.
    with pytest.raises(Exception, match="exists already"):
        reconcile(w.app, w.db, ALIPAY, run_id="ALI-03", period=MARCH, actor=FIN)
    runner = Runner(w.app, w.db, [LedgerProjection(), ReconciliationProjection()])
    before = {t: table_digest(w.db, t, k) for t, k in TABLES.items()}
    runner.rebuild(batch_size=4)
    assert {t: table_digest(w.db, t, k) for t, k in TABLES.items()} == before
