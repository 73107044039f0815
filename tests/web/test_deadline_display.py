"""The web names a natural-day deadline's last day (policy.md "Clocks", issue 7): a period that
ends at 24:00 CST of 2026-10-07 (stored as 2026-10-08 00:00 CST) reads "2026-10-07 24:00" for a
viewer in China, never "2026-10-08 00:00"; a viewer elsewhere sees the instant in their own zone."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask, render_template_string

from domain.calendar import end_of_natural_days, format_deadline_cst
from web.common.timefmt import countdown, localtime

#: 2026-10-08 00:00 CST: the end of a 7-day window for goods signed for on 2026-09-30.
END = end_of_natural_days(datetime(2026, 9, 30, 12, 0, tzinfo=UTC), 7)


def _render(app: Flask, template: str, path: str = "/", **context: Any) -> str:
    headers = context.pop("headers", None)
    with app.test_request_context(path, headers=headers or {}):
        app.preprocess_request()
        return render_template_string(template, **context)


def test_the_fixture_is_the_domains_midnight_end() -> None:
    assert datetime(2026, 10, 7, 16, 0, tzinfo=UTC) == END
    assert format_deadline_cst(END) == "2026-10-07 24:00 CST"


def test_a_day_end_reads_as_24_00_of_the_last_day_in_both_languages(app: Flask) -> None:
    zh = _render(app, "{{ t | localtime }}", t=END)
    en = _render(app, "{{ t | localtime }}", "/?lang=en", t=END)
    assert zh == en == "2026-10-07 24:00"
    zoned = "{{ t | localtime(zone=True) }}"
    assert _render(app, zoned, t=END) == "2026-10-07 24:00 北京时间（UTC+8）"
    assert _render(app, zoned, "/?lang=en", t=END) == "2026-10-07 24:00 China Standard Time (UTC+8)"
    assert "10-08" not in zh + en


@pytest.mark.parametrize(
    ("fmt", "text"),
    [("date", "2026-10-07"), ("seconds", "2026-10-07 24:00:00"), ("time", "24:00")],
)
def test_every_named_format_names_the_last_day(app: Flask, fmt: str, text: str) -> None:
    with app.test_request_context("/"):
        assert localtime(END, fmt, zone=False) == text


def test_time_tag_and_countdown_title_name_the_last_day(app: Flask) -> None:
    tag = _render(app, "{{ time_tag(t) }}", t=END)
    assert (
        tag == '<time datetime="2026-10-07T16:00:00Z" title="2026-10-07 24:00 北京时间（UTC+8）">'
        "2026-10-07 24:00</time>"
    )
    clock = _render(app, "{{ countdown(t) }}", t=END, now=None)
    assert 'title="2026-10-07 24:00' in clock


def test_a_viewer_elsewhere_sees_their_own_clock(app: Flask) -> None:
    zoned = "{{ t | localtime(zone=True) }}"
    utc = _render(app, zoned, headers={"Cookie": "tz=UTC"}, t=END)
    tokyo = _render(app, zoned, headers={"Cookie": "tz=Asia/Tokyo"}, t=END)
    assert utc == "2026-10-07 16:00 UTC"  # still the last day, at its own hour
    assert tokyo == "2026-10-08 01:00 JST（UTC+9）"  # an honest local time, not "24:00"


def test_other_instants_keep_their_ordinary_reading(app: Flask) -> None:
    with app.test_request_context("/"):
        assert localtime(END + timedelta(minutes=1), zone=False) == "2026-10-08 00:01"
        assert localtime(END - timedelta(minutes=1), zone=False) == "2026-10-07 23:59"
        assert localtime(END + timedelta(microseconds=1), zone=False) == "2026-10-08 00:00"
        # midnight in the viewer's zone (New York) that is not midnight CST is left alone
        ny_midnight = datetime(2026, 10, 8, 4, 0, tzinfo=UTC)
    ny = _render(
        app,
        "{{ t | localtime(zone=True) }}",
        headers={"Cookie": "tz=America/New_York"},
        t=ny_midnight,
    )
    assert ny == "2026-10-08 00:00 EDT（UTC-4）"
    assert countdown(END, now=END).seconds == 0
