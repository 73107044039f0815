"""Issue 8, property tests over whole cases (hypothesis, SQLite): random orders (lines, tenders,
outbound fee), kinds, reasons, declared shipping fees and deductions, booked through the real
service and ledger. Whatever happens: a refund never exceeds its entitlement and equals it less
the stated deductions; a refused approval stores nothing; the journal balances per entry and
currency; every journal line traces to one stored event that names its rule."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from domain.case import Case
from domain.errors import DomainError
from projections.ledger import LedgerProjection
from projections.receivables import ReceivablesProjection
from projections.runner import Runner
from tests.integration.test_ledger import CARD, POINTS, WALLET, World, assert_sound
from tests.integration.test_money_kinds import assert_traced, ship_replacement

TENDERS = st.sampled_from([CARD, WALLET, POINTS])
LINE = st.tuples(
    st.integers(1, 3),
    st.lists(st.tuples(TENDERS, st.integers(1, 200_000)), min_size=1, max_size=3),
)


@settings(max_examples=12)
@given(
    lines=st.lists(LINE, min_size=1, max_size=3),
    outbound=st.integers(0, 3000),
    kind=st.sampled_from(["return_refund", "exchange", "repair"]),
    fault=st.booleans(),
    fee=st.integers(0, 5000),
    short=st.integers(0, 5000),
)
def test_property_money_around_any_case(
    lines: list[tuple[int, list[tuple[object, int]]]],
    outbound: int,
    kind: str,
    fault: bool,
    fee: int,
    short: int,
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        w = World(f"sqlite:///{Path(folder) / 'read.db'}", Path(folder))
        try:
            run(w, lines, outbound, kind, fault, fee, short)
        finally:
            w.close()


def run(
    w: World,
    lines: list[tuple[int, list[tuple[object, int]]]],
    outbound: int,
    kind: str,
    fault: bool,
    fee: int,
    short: int,
) -> None:
    w.policy("m1")
    w.order(
        "O-P",
        "m1",
        [(f"sku{i}", qty, tenders) for i, (qty, tenders) in enumerate(lines)],  # type: ignore[misc]
        shipping_fee_fen=outbound,
    )
    reason = "quality_defect" if fault else "no_reason"
    if kind == "repair":
        reason = "quality_defect"
    case_no = w.open("O-P", kind, reason, [(n, q) for n, (q, _) in enumerate(lines, start=1)])
    w.return_goods(case_no, "product_defect" if fault else "no_fault", fee_fen=fee)
    if kind == "return_refund":
        case = w.app.get_case(case_no)
        entitled = case.entitlement().total_fen
        if 0 < short < entitled:  # below the entitlement, no deduction stated: refused (R3.a)
            stored = int(w.app.recorder.max_notification_id() or 0)
            try:
                w.approve(case_no, entitled - short)
            except DomainError as error:
                assert error.rule == "R3.a", error
            else:
                raise AssertionError("a refund below the entitlement was approved")
            assert int(w.app.recorder.max_notification_id() or 0) == stored
        w.approve(case_no)
        plan = w.app.get_case(case_no).refund
        assert plan is not None and plan.total_fen == entitled
        assert plan.total_fen <= plan.cap_fen
        assert sum(p.amount_fen for p in plan.split) == plan.total_fen
        w.pay(case_no, "PSP-P")
    elif kind == "exchange":
        ship_replacement(w, case_no)
    else:
        w.complete(case_no)
    Runner(w.app, w.db, [LedgerProjection(), ReceivablesProjection()]).catch_up()
    assert_sound(w)
    assert_traced(w)
    events = list(w.app.repository.event_store.get(Case.create_id(case_no)))
    assert all(getattr(e, "rule", "") for e in events)
