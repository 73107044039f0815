"""Whole-store tamper evidence (issue 10) on both stores: one edited byte in each aggregate type,
a deleted case, a truncated case, an inserted event, a rewrite with every hash recomputed and a
cut tail are each named by ``verify_store``; an untouched store and the store written by the old
code (tests/fixtures/store_before_process_v1.sqlite) verify clean."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest
from psycopg import sql

from domain import ids
from domain.case import Case
from domain.chain import event_digest
from domain.service import AfterSales, event_store_env
from domain.store_chain import StoreHead
from domain.store_verification import StoreReport
from tests.integration.test_tamper import read_state, refunded_case, rewrite_state
from tests.unit.builders import FakeClock, Shop, cst, seed

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "store_before_process_v1.sqlite"


@contextmanager
def events_table(url: str) -> Iterator[tuple[Callable[..., Any], str, bool]]:
    """(execute, table, is_postgres) on the store's events table, committed at the end."""
    env = event_store_env(url)
    if env["PERSISTENCE_MODULE"] == "eventsourcing.sqlite":
        conn = sqlite3.connect(env["SQLITE_DBNAME"])
        try:
            yield (
                (lambda q, args=(): conn.execute(q.replace("%s", "?"), args)),
                "stored_events",
                False,
            )
            conn.commit()
        finally:
            conn.close()
        return
    name = sql.Identifier(env["POSTGRES_SCHEMA"], AfterSales.name.lower() + "_events")
    with psycopg.connect(url, autocommit=True) as pg:
        yield (lambda q, args=(): pg.execute(q, args)), name.as_string(pg), True


def _key(originator_id: UUID, is_pg: bool) -> Any:
    return originator_id if is_pg else originator_id.hex


def delete_events(url: str, originator_id: UUID, from_version: int = 1) -> int:
    with events_table(url) as (run, table, is_pg):
        cur = run(
            f"DELETE FROM {table} WHERE originator_id = %s AND originator_version >= %s",
            (_key(originator_id, is_pg), from_version),
        )
        return int(cur.rowcount)


def first_of(app: AfterSales, kind: str) -> tuple[UUID, int]:
    """The id and last version of the first aggregate of this type in the log."""
    report = app.verify_store()
    chain = next(c for c in report.chains if c.kind == kind)
    return chain.originator_id, chain.events_checked


def bump_after(marker: bytes) -> Callable[[bytes], bytes]:
    """Change the one byte that follows ``marker`` (a digit to the next digit, else a letter)."""

    def edit(state: bytes) -> bytes:
        at = state.index(marker) + len(marker)
        old = state[at]
        new = ord("0") + (old - ord("0") + 1) % 10 if chr(old).isdigit() else old ^ 0x01
        return state[:at] + bytes([new]) + state[at + 1 :]

    return edit


def break_of(report: StoreReport, originator_id: UUID) -> tuple[str, str, int, str]:
    (chain,) = [c for c in report.broken_chains if c.originator_id == originator_id]
    assert chain.first_break is not None
    return chain.kind, chain.label, chain.first_break.version, chain.first_break.problem


def test_an_untouched_store_verifies_clean_and_counts_every_type(shop: Shop) -> None:
    refunded_case(shop)
    report = shop.app.verify_store()
    assert report.ok, (report.problems, report.broken_chains)
    counts = report.count_by_kind()
    for kind in ("Case", "Order", "MerchantPolicy", "ConsumerMerchantHistory", "RequestRecord"):
        assert counts.get(kind, 0) >= 1, kind
    assert report.events == sum(c.events_checked for c in report.chains)
    assert shop.app.verify_store(report.head).ok  # its own head


@pytest.mark.parametrize(
    ("kind", "marker"),
    [
        ("Case", b'"case_no":"'),
        ("Order", b'"merchant_id":"m'),
        ("MerchantPolicy", b'"return_window_days":'),
        ("ConsumerMerchantHistory", b'"merchant_id":"m'),
        ("RequestRecord", b'"target_version":'),
    ],
)
def test_one_edited_byte_in_each_aggregate_type_is_named(
    shop: Shop, event_store_url: str, kind: str, marker: bytes
) -> None:
    refunded_case(shop)
    originator_id, last = first_of(shop.app, kind)
    version = next(
        v for v in range(1, last + 1) if marker in read_state(event_store_url, originator_id, v)
    )
    rewrite_state(event_store_url, originator_id, version, bump_after(marker))
    report = shop.app.verify_store()
    assert not report.ok
    found_kind, label, bad_version, problem = break_of(report, originator_id)
    assert (found_kind, bad_version) == (kind, version)
    assert label and "altered" in problem
    assert len(report.broken_chains) == 1


def test_a_deleted_case_is_named_by_the_records_that_name_it(
    shop: Shop, event_store_url: str
) -> None:
    case = refunded_case(shop)
    assert delete_events(event_store_url, case.id) == case.version
    report = shop.app.verify_store()
    assert not report.ok and not report.broken_chains
    text = "\n".join(map(str, report.problems))
    assert f"case {case.case_no}" in text and "deleted" in text
    assert "order O1" in text  # the order that names the case


def test_a_truncated_case_is_named_with_its_lost_versions(shop: Shop, event_store_url: str) -> None:
    case = refunded_case(shop)
    assert delete_events(event_store_url, case.id, from_version=case.version - 1) == 2
    report = shop.app.verify_store()
    assert not report.ok and not report.broken_chains
    text = "\n".join(map(str, report.problems))
    assert f"case {case.case_no}: named at version {case.version}" in text
    assert f"only up to version {case.version - 2}" in text and "truncated" in text


def test_an_inserted_event_is_named_at_its_version(shop: Shop, event_store_url: str) -> None:
    case = refunded_case(shop)
    state = read_state(event_store_url, case.id, case.version)
    with events_table(event_store_url) as (run, table, is_pg):
        run(
            f"INSERT INTO {table} (originator_id, originator_version, topic, state) "
            "VALUES (%s, %s, %s, %s)",
            (_key(case.id, is_pg), case.version + 1, "domain.case:Case.NoteAdded", state),
        )
    report = shop.app.verify_store()
    assert break_of(report, case.id)[:3] == ("Case", case.case_no, case.version + 1)
    assert "prev_hash" in break_of(report, case.id)[3]


def rehash(app: AfterSales, url: str, originator_id: UUID, version: int, **changes: Any) -> None:
    """Rewrite an event as an attacker who knows the algorithm would: content and hash."""
    (stored,) = app.recorder.select_events(originator_id, gt=version - 1, lte=version)
    attrs = app.mapper.transcoder.decode(stored.state)
    attrs.update(changes)
    attrs["event_hash"] = event_digest(
        topic=stored.topic,
        originator_id=originator_id,
        version=version,
        timestamp=attrs["timestamp"],
        prev_hash=attrs["prev_hash"],
        payload=attrs,
    )
    rewrite_state(url, originator_id, version, lambda _old: app.mapper.transcoder.encode(attrs))


def test_a_rewrite_with_recomputed_hashes_fails_only_against_a_kept_head(
    shop: Shop, event_store_url: str
) -> None:
    case = refunded_case(shop)
    kept = shop.app.verify_store().head
    rehash(shop.app, event_store_url, case.id, case.version, psp_reference="PSP-999")
    assert shop.app.verify_store().ok  # every chain is consistent again
    report = shop.app.verify_store(kept)
    assert [p.where for p in report.problems] == [
        f"notification {kept.notification_id} (the kept head)"
    ]
    assert "edited, inserted or deleted" in report.problems[0].problem


def test_a_cut_tail_fails_against_the_kept_head(shop: Shop, event_store_url: str) -> None:
    refunded_case(shop)
    kept = shop.app.verify_store().head
    last = shop.app.recorder.select_notifications(kept.notification_id, 1)[0]
    delete_events(event_store_url, UUID(str(last.originator_id)), last.originator_version)
    report = shop.app.verify_store(kept)
    assert any("truncated" in p.problem for p in report.problems), report.problems


def test_a_malformed_kept_head_is_refused() -> None:
    with pytest.raises(ValueError, match="NOTIFICATION_ID:SHA256"):
        StoreHead.parse("12:nothex")


def test_the_store_written_by_the_old_code_verifies(tmp_path: Path) -> None:
    copy = tmp_path / "store.sqlite"
    shutil.copy(FIXTURE, copy)
    app = AfterSales.from_url(f"sqlite:///{copy}")
    try:
        report = app.verify_store()
        assert report.ok, (report.problems, report.broken_chains)
        assert report.events == 281
        assert report.count_by_kind() == {
            "Case": 15,
            "Order": 11,
            "MerchantPolicy": 2,
            "ConsumerMerchantHistory": 3,
            "RequestRecord": 114,
        }
        assert ids.case_id("DEMO-C-0001") in {c.originator_id for c in report.chains}
    finally:
        app.close()


class Snapshotting(AfterSales):
    snapshotting_intervals = {Case: 4}  # noqa: RUF012 - the library's declared class variable


def test_an_edited_snapshot_is_named(event_store_url: str) -> None:
    clock = FakeClock()
    app = Snapshotting.from_url(event_store_url, clock=clock)
    try:
        shop = seed(app, clock)
        clock.now = cst(2026, 9, 24, 9)
        case = refunded_case(shop)
        assert app.verify_store().ok  # snapshots at versions 4 and 8 equal their events
        table = app.snapshots.recorder.events_table_name  # type: ignore[union-attr]
        if event_store_url.startswith("postgresql"):
            table = f'"{event_store_env(event_store_url)["POSTGRES_SCHEMA"]}".{table}'
        with events_table(event_store_url) as (run, _events, is_pg):
            (state,) = run(
                f"SELECT state FROM {table} WHERE originator_id = %s AND originator_version = 8",
                (_key(case.id, is_pg),),
            ).fetchone()
            edited = bytes(state).replace(b'"PSP-', b'"PSQ-', 1).replace(b"10000", b"90000", 1)
            assert edited != bytes(state)
            run(
                f"UPDATE {table} SET state = %s WHERE originator_id = %s "
                "AND originator_version = 8",
                (edited, _key(case.id, is_pg)),
            )
        report = app.verify_store()
        assert [p.where for p in report.problems] == [
            f"snapshot of case {case.case_no} at version 8"
        ]
        assert "differs from its events" in report.problems[0].problem
        assert not report.broken_chains
    finally:
        app.close()
