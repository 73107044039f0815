"""Issue 10, "an edited byte in each aggregate type, a deleted case, a truncated case: verify names
each", as an operator meets it: ``aftersales verify`` (exit 1, the type, the business key and the
version) on both stores, for every aggregate type the code chains (a new type that is not added to
``EDITS`` fails the first test)."""

from __future__ import annotations

from datetime import date

import pytest
from click.testing import CliRunner

from domain.chain import ChainedAggregate
from domain.store_verification import word
from domain.values import Actor, Role
from tests.integration.test_store_tamper import bump_after, delete_events, first_of
from tests.integration.test_tamper import read_state, refunded_case, rewrite_state
from tests.unit.builders import Shop
from web.cli import main

# The byte edited in each type: the one after this marker in one of its stored events.
EDITS = {
    "Case": b'"case_no":"',
    "Order": b'"merchant_id":"m',
    "MerchantPolicy": b'"return_window_days":',
    "ConsumerMerchantHistory": b'"merchant_id":"m',
    "RequestRecord": b'"target_version":',
    "Settlement": b'"settlement_no":"',
}


def _chained_types() -> set[str]:
    seen, todo = set(), list(ChainedAggregate.__subclasses__())
    while todo:
        cls = todo.pop()
        if cls.__module__.startswith("domain.") and not cls.__qualname__.count("."):
            seen.add(cls.__name__)
        todo += cls.__subclasses__()
    return seen


def test_every_chained_aggregate_type_has_an_edit_below() -> None:
    assert _chained_types() == set(EDITS)


@pytest.mark.parametrize("kind", sorted(EDITS))
def test_verify_names_an_edited_byte_in_each_aggregate_type(
    shop: Shop, cli: CliRunner, event_store_url: str, kind: str
) -> None:
    refunded_case(shop)
    if kind == "Settlement":  # issue 8: an imported settlement report is an aggregate too
        shop.app.import_settlement(
            request_id="settle-1",
            actor=Actor(Role.FINANCE, "fin1"),
            settlement_no="S1",
            file_name="bill.csv",
            file_sha256="0" * 64,
            source_format="wechatpay_refund_bill",
            encoding="utf-8",
            period=(date(2026, 9, 1), date(2026, 9, 30)),
            rows=[],
            items=[],
        )
    assert cli.invoke(main, ["verify"]).exit_code == 0
    originator_id, last = first_of(shop.app, kind)
    marker = EDITS[kind]
    version = next(
        v for v in range(1, last + 1) if marker in read_state(event_store_url, originator_id, v)
    )
    rewrite_state(event_store_url, originator_id, version, bump_after(marker))
    result = cli.invoke(main, ["verify"])
    assert result.exit_code == 1, result.output
    line = next(x for x in result.output.splitlines() if x.startswith("TAMPERED"))
    assert line.startswith(f"TAMPERED {word(kind)} ") and f"event version {version} " in line
    assert "1 broken chain(s)" in result.output


def test_verify_names_a_truncated_case_then_the_whole_case_deleted(
    shop: Shop, cli: CliRunner, event_store_url: str
) -> None:
    case = refunded_case(shop)
    delete_events(event_store_url, case.id, from_version=case.version - 1)
    cut = cli.invoke(main, ["verify"])
    assert cut.exit_code == 1
    assert f"case {case.case_no}: named at version {case.version}" in cut.output
    assert "truncated" in cut.output
    delete_events(event_store_url, case.id)
    deleted = cli.invoke(main, ["verify"])
    assert deleted.exit_code == 1
    assert f"case {case.case_no}" in deleted.output and "deleted" in deleted.output
    assert "order O1" in deleted.output
