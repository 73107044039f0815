"""Languages (web/i18n.py), catalogs, and times in the viewer's zone (web/timefmt.py)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from babel.messages.catalog import Catalog
from flask import Flask, render_template_string
from flask.testing import FlaskClient

from tests.web.conftest import login_as
from web import get_db
from web.common import accounts, i18n
from web.common.accounts import Account
from web.common.timefmt import countdown, localtime, parse_instant

INSTANT = "2025-03-01T08:00:00.000000Z"  # 16:00 in Beijing, 03:00 in New York (EST)


# --- language choice ------------------------------------------------------------------------


def test_pages_are_in_simplified_chinese_by_default(client: FlaskClient) -> None:
    page = client.get("/login").data.decode()
    assert '<html lang="zh-CN"' in page
    assert "<h1>登录</h1>" in page
    assert '<meta charset="utf-8">' in page


def test_lang_parameter_switches_to_english_and_the_cookie_keeps_it(client: FlaskClient) -> None:
    page = client.get("/login?lang=en")
    assert '<html lang="en"' in page.data.decode()
    assert "<h1>Log in</h1>" in page.data.decode()
    assert "lang=en" in page.headers["Set-Cookie"]
    again = client.get("/login").data.decode()
    assert "<h1>Log in</h1>" in again
    back = client.get("/login?lang=zh_CN").data.decode()
    assert "<h1>登录</h1>" in back


def test_unknown_lang_parameter_is_ignored(client: FlaskClient) -> None:
    assert "<h1>登录</h1>" in client.get("/login?lang=fr").data.decode()


@pytest.mark.parametrize(
    ("header", "heading"),
    [
        ("en-US,en;q=0.9", "Log in"),  # English first: English
        ("en", "Log in"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "登录"),
        ("fr-FR,en;q=0.5", "登录"),  # English, but not first: the default stays
        ("*", "登录"),
        ("", "登录"),
    ],
)
def test_accept_language_only_leaves_chinese_when_english_comes_first(
    client: FlaskClient, header: str, heading: str
) -> None:
    page = client.get("/login", headers={"Accept-Language": header}).data.decode()
    assert f"<h1>{heading}</h1>" in page


def test_the_cookie_wins_over_accept_language(client: FlaskClient) -> None:
    client.get("/login?lang=zh_CN")
    page = client.get("/login", headers={"Accept-Language": "en-US"}).data.decode()
    assert "<h1>登录</h1>" in page


def test_the_accounts_language_wins_and_the_switch_saves_it(
    app: Flask, client: FlaskClient, role_accounts: dict[str, Account]
) -> None:
    login_as(client, "li.lei")
    client.get("/?lang=en")
    with app.app_context():
        assert accounts.get_account(get_db(), "li.lei").locale == "en"  # type: ignore[union-attr]
    client.set_cookie("lang", "zh_CN")  # the account's choice beats an old cookie
    assert "Log out" in client.get("/", follow_redirects=True).data.decode()


def test_every_page_has_a_language_switch(client: FlaskClient) -> None:
    for path in ("/", "/login", "/no-such-page"):
        page = client.get(path).data.decode()
        assert 'href="' + path + '?lang=en"' in page, path
        assert 'lang="zh-CN">中文</span>' in page


def test_language_switch_keeps_the_query_string(app: Flask) -> None:
    with app.test_request_context("/cases?page=2&lang=zh_CN"):
        assert i18n.lang_url("en") == "/cases?page=2&lang=en"


def test_error_pages_are_translated(client: FlaskClient) -> None:
    assert "页面不存在" in client.get("/no-such-page").data.decode()
    assert "Page not found" in client.get("/no-such-page?lang=en").data.decode()


# --- catalogs -------------------------------------------------------------------------------


def test_every_text_is_in_both_catalogs_translated_to_chinese_and_compiled() -> None:
    problems = list(i18n.problems())
    assert not problems, "\n".join(problems)


def test_extraction_covers_the_read_model_labels() -> None:
    """projections/labels.py texts (marked N_) are extracted, so the catalog test above fails when
    one of them has no Chinese translation."""
    from projections import labels

    extracted = {m.id for m in i18n.extract_catalog() if m.id}
    for table in (
        labels.STEP_LABELS,
        labels.CLOCK_LABELS,
        labels.AWAITING_LABELS,
        labels.DEADLINE_OUTCOME_LABELS,
        labels.QUEUE_LABELS,
    ):
        assert set(table.values()) <= extracted


@pytest.mark.parametrize("language", sorted(i18n.LANGUAGES))
def test_committed_mo_matches_its_po(language: str) -> None:
    compiled = i18n.compiled_messages(i18n.read_catalog(language))
    assert compiled == i18n.mo_messages(language)


def test_a_stale_mo_is_detected() -> None:
    catalog = i18n.read_catalog("zh_CN")
    catalog.add("A text added after the last compile", "编译后新增的文字")
    assert i18n.compiled_messages(catalog) != i18n.mo_messages("zh_CN")


def test_untranslated_and_fuzzy_messages_are_reported() -> None:
    catalog = Catalog(locale="zh_CN")
    catalog.add("Done", "完成")
    catalog.add("Open", "")
    catalog.add("Close", "关闭", flags=["fuzzy"])
    assert sorted(i18n.untranslated(catalog)) == ["Close", "Open"]


# --- times ----------------------------------------------------------------------------------


def _render(app: Flask, template: str, path: str = "/", **context: Any) -> str:
    with app.test_request_context(path, headers=context.pop("headers", {})):
        app.preprocess_request()
        return render_template_string(template, **context)


def test_utc_instant_is_shown_in_beijing_time_by_default(app: Flask) -> None:
    text = _render(app, "{{ t | localtime(zone=True) }}", t=INSTANT)
    assert text == "2025-03-01 16:00 北京时间（UTC+8）"
    assert _render(app, "{{ t | localtime }}", t=INSTANT) == "2025-03-01 16:00"


def test_beijing_time_is_called_china_standard_time_in_english(app: Flask) -> None:
    text = _render(app, "{{ t | localtime(zone=True) }}", "/?lang=en", t=INSTANT)
    assert text == "2025-03-01 16:00 China Standard Time (UTC+8)"  # never "CST" (US Central)


def test_the_tz_cookie_shows_times_in_the_browsers_zone(app: Flask) -> None:
    headers = {"Cookie": "tz=America/New_York"}
    text = _render(app, "{{ t | localtime(zone=True) }}", headers=headers, t=INSTANT)
    assert text == "2025-03-01 03:00 EST（UTC-5）"


def test_a_url_encoded_tz_cookie_is_understood(app: Flask) -> None:
    headers = {"Cookie": "tz=America%2FNew_York"}
    text = _render(app, "{{ t | localtime(zone=True) }}", headers=headers, t=INSTANT)
    assert text.endswith("EST（UTC-5）")


@pytest.mark.parametrize("cookie", ["Mars/Olympus", "../../etc/passwd", "", "x" * 200])
def test_a_bad_tz_cookie_falls_back_to_beijing_time(app: Flask, cookie: str) -> None:
    text = _render(app, "{{ t | localtime }}", headers={"Cookie": f"tz={cookie}"}, t=INSTANT)
    assert text == "2025-03-01 16:00"
    zoned = "{{ t | localtime(zone=True) }}"
    text = _render(app, zoned, headers={"Cookie": f"tz={cookie}"}, t=INSTANT)
    assert text.endswith("北京时间（UTC+8）")


def test_the_accounts_time_zone_beats_the_cookie(
    app: Flask, client: FlaskClient, role_accounts: dict[str, Account]
) -> None:
    with app.app_context():
        accounts.set_preferences(get_db(), "li.lei", timezone="Europe/Berlin")
    login_as(client, "li.lei")
    client.set_cookie("tz", "America/New_York")
    footer = client.get("/no-such-page").data.decode()
    assert "Europe/Berlin" in footer


def test_localtime_formats(app: Flask) -> None:
    with app.test_request_context("/"):
        assert localtime(INSTANT, "date") == "2025-03-01"
        assert localtime(INSTANT, "seconds", zone=False) == "2025-03-01 16:00:00"
        assert localtime(INSTANT, "%H时%M分", zone=False) == "16时00分"
        assert localtime(None) == ""
        naive_is_utc = datetime(2025, 3, 1, 8, 0)
        assert localtime(naive_is_utc, zone=False) == "2025-03-01 16:00"


def test_parse_instant_reads_the_stored_forms() -> None:
    expected = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)
    assert parse_instant(INSTANT) == expected
    assert parse_instant("2025-03-01T16:00:00+08:00") == expected
    assert parse_instant(expected) == expected


def test_time_tag_carries_the_utc_instant_for_machines(app: Flask) -> None:
    html = _render(app, "{{ time_tag(t) }}", t=INSTANT)
    assert (
        html == '<time datetime="2025-03-01T08:00:00Z" title="2025-03-01 16:00 北京时间（UTC+8）">'
        "2025-03-01 16:00</time>"
    )


def test_countdown_renders_a_live_time_element(app: Flask) -> None:
    due = datetime.now(UTC) + timedelta(hours=3, minutes=20, seconds=30)
    html = _render(app, "{{ countdown(due) }}", due=due)
    assert "data-countdown" in html
    assert f'datetime="{due.strftime("%Y-%m-%dT%H:%M:%SZ")}"' in html
    assert "剩余 3 小时 20 分" in html


def test_countdown_says_overdue_after_the_deadline(app: Flask) -> None:
    now = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    with app.test_request_context("/?lang=en"):
        app.preprocess_request()
        late = countdown(INSTANT, now=now)
        assert late.overdue and late.seconds == -4 * 3600
        assert late.text == "overdue by 4 h 0 min"
        soon = countdown(INSTANT, now=now - timedelta(hours=4, seconds=50))
        assert soon.text == "0 min 50 s left"
        far = countdown(INSTANT, now=now - timedelta(days=3))
        assert far.text == "2 d 20 h left"


def test_base_page_hands_the_countdown_texts_and_clock_to_the_script(
    client: FlaskClient,
) -> None:
    page = client.get("/login").data.decode()
    assert '<script src="/static/app.js" defer></script>' in page
    texts = page.split('<script type="application/json" id="app-texts">')[1].split("</script>")[0]
    assert json.loads(texts)["left"] == "剩余 %(time)s"
    assert 'data-server-now="' in page
    assert page.count("北京时间（UTC+8）") == 1  # once per page, in the footer (issue 11 item 9)
