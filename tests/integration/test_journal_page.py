"""The finance journal is filtered, ordered (newest entry first) and paged in SQL, on both
stores; pages put together are the whole filtered journal in that order."""

from __future__ import annotations

from domain.service import AfterSales
from projections import ledger
from projections.db import Database
from projections.migrate import migrate
from projections.registry import make_runner
from web.demo import run_demo


def newest_first(lines: list[ledger.JournalLine]) -> list[ledger.JournalLine]:
    ordered = sorted(lines, key=lambda line: line.line_no)
    return sorted(
        ordered, key=lambda line: (line.at, line.case_no, line.event_version), reverse=True
    )


def test_pages_of_the_journal_add_up_to_the_filtered_journal(store_url: str) -> None:
    run_demo(lambda clock: AfterSales.from_url(store_url, clock=clock))
    with Database.from_url(store_url) as db:
        migrate(db)
        make_runner(AfterSales.from_url(store_url), db).catch_up()
        everything = ledger.journal_lines(db)
        assert len(everything) > 20
        pages: list[ledger.JournalLine] = []
        offset = 0
        while True:
            page, total = ledger.journal_page(db, limit=7, offset=offset)
            assert total == len(everything)
            if not page:
                break
            pages += page
            offset += 7
        assert pages == newest_first(everything)

        merchant = everything[0].merchant_id
        day = everything[0].cst_day
        page, total = ledger.journal_page(db, limit=None, merchant_id=merchant, cst_day=day)
        expected = [ln for ln in everything if ln.merchant_id == merchant and ln.cst_day == day]
        assert total == len(expected) and page == newest_first(expected)
