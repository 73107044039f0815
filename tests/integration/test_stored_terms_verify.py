"""Stored events written before the issue 7 terms (PolicyTerms' new fields, R19) still load and
their hash chains still verify: tests/fixtures/store_before_process_v1.sqlite (demo events)."""

from __future__ import annotations

import shutil
from pathlib import Path

from domain.service import AfterSales

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "store_before_process_v1.sqlite"


def test_cases_stored_before_the_new_terms_verify_and_load_with_their_defaults(
    tmp_path: Path,
) -> None:
    copy = tmp_path / "store.sqlite"
    shutil.copy(FIXTURE, copy)
    app = AfterSales.from_url(f"sqlite:///{copy}")
    reports = app.verify()
    assert len(reports) == 15
    assert [r.label for r in reports if not r.ok] == []
    case = app.get_case(reports[0].label)
    assert case.terms.inspection_hours == 48  # the default of a term added later (R14)
