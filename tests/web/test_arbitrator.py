"""Arbitrators' pages (R10): access, the replay viewer rebuilt from events, tamper evidence,
the ruling form (amounts typed in yuan, parsed exactly to fen)."""

from __future__ import annotations

import atexit
import re
import shutil
import sqlite3
import tempfile
from collections.abc import Callable, Iterator
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from domain import ids
from domain.service import AfterSales
from domain.values import Actor, Role
from projections.registry import make_runner
from tests.web.conftest import DEMO_PASSWORDS, csrf_token_for, load_demo, login_as, make_app
from web import get_db
from web.common.amounts import AmountError, parse_yuan
from web.services import get_service

WANG = Actor(Role.CONSUMER, "c2003")
FRESH_STAFF = Actor(Role.MERCHANT, "s3002", merchant_id="m1002")

_DEMO_DB: list[Path] = []


def _demo_database(target: Path) -> None:
    """The demo scenario in a SQLite file, recorded once per test session and copied."""
    if not _DEMO_DB:
        base = Path(tempfile.mkdtemp(prefix="aftersales-demo-"))
        atexit.register(shutil.rmtree, base, True)  # once per session, gone at its end
        app = make_app(base)
        load_demo(app)
        with app.app_context():
            get_db().close()
        _DEMO_DB.append(base / "web.db")
    with (
        closing(sqlite3.connect(_DEMO_DB[0])) as source,
        closing(sqlite3.connect(target)) as copy,
    ):
        source.backup(copy)


def demo_copy(tmp_path: Path, **config: Any) -> Flask:
    """A fresh app on a private copy of the demo database (``config`` on top)."""
    _demo_database(tmp_path / "web.db")
    return make_app(tmp_path, **config)


@pytest.fixture
def demo(tmp_path: Path, clean_environ: None) -> Iterator[Flask]:
    app = demo_copy(tmp_path)
    yield app
    with app.app_context():
        get_db().close()


def catch_up(app: Flask) -> None:
    with app.app_context():
        make_runner(get_service(), get_db()).catch_up()


def as_user(app: Flask, username: str, role: str) -> FlaskClient:
    client = app.test_client()
    response = login_as(client, username, DEMO_PASSWORDS[role])
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def csrf(client: FlaskClient) -> str:
    return csrf_token_for(client)


def page(client: FlaskClient, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:2000]
    return response.get_data(as_text=True)


def by_testid(html: str, name: str) -> str:
    """The opening tag and text of the element marked ``data-testid=name``."""
    match = re.search(rf'<[^>]*data-testid="{name}"[^>]*>(.*?)</', html, flags=re.S)
    assert match is not None, f"no data-testid={name}"
    return match.group(0)


def escalate_demo_c_0011(app: Flask) -> None:
    """DEMO-C-0011 (mask, m1002, paid ¥129.00 by card): rejected, then taken to arbitration."""
    with app.app_context():
        service = get_service()
        service.reject(
            request_id="t:reject", actor=FRESH_STAFF, case_no="DEMO-C-0011", reason="已拆封"
        )
        service.escalate(
            request_id="t:escalate", actor=WANG, case_no="DEMO-C-0011", reason="过敏属质量问题"
        )
    catch_up(app)


# --- access -------------------------------------------------------------------------------------


def test_only_arbitrators_reach_the_arbitration_pages(demo: Flask) -> None:
    anonymous = demo.test_client()
    response = anonymous.get("/arbitration/")
    assert response.status_code == 302 and "/login" in response.location
    for username, role in (
        ("zhangsan", "consumer"),
        ("shanhai", "merchant"),
        ("agent", "platform_agent"),
        ("finance", "finance"),
    ):
        client = as_user(demo, username, role)
        assert client.get("/arbitration/").status_code == 403, username
        assert client.get("/arbitration/cases/DEMO-C-0008").status_code == 403, username
        response = client.post(
            "/arbitration/cases/DEMO-C-0008/rule",
            data={"csrf_token": csrf(client), "outcome": "dismissed", "reasoning": "x"},
        )
        assert response.status_code == 403, username
    arbiter = as_user(demo, "arbiter", "arbitrator")
    assert arbiter.get("/arbitration/").status_code == 200
    assert arbiter.get("/arbitration/cases/NO-SUCH-CASE").status_code == 404


def test_the_arbitrators_home_is_the_arbitration_list(demo: Flask) -> None:
    arbiter = as_user(demo, "arbiter", "arbitrator")
    response = arbiter.get("/")
    assert response.status_code == 302 and response.location.endswith("/arbitration/")


def test_index_lists_cases_waiting_for_a_ruling_and_ruled_ones(demo: Flask) -> None:
    escalate_demo_c_0011(demo)
    arbiter = as_user(demo, "arbiter", "arbitrator")
    html = page(arbiter, "/arbitration/?lang=en")
    waiting, ruled = html.split('id="ruled-title"')
    assert "DEMO-C-0011" in waiting
    assert "DEMO-C-0008" in ruled and "¥69.90" in ruled
    assert "DEMO-C-0011" not in ruled


# --- the replay viewer --------------------------------------------------------------------------


def test_replay_shows_demo_c_0008_as_it_was_before_the_ruling(demo: Flask) -> None:
    arbiter = as_user(demo, "arbiter", "arbitrator")
    html = page(arbiter, "/arbitration/cases/DEMO-C-0008?version=6&lang=en")
    assert 'data-status="in_arbitration"' in by_testid(html, "as-of-status")
    assert "Not ruled at that moment." in html
    assert 'data-testid="as-of-ruling"' not in html
    # the evidence on record at version 6 (2 is the R20 triage): the consumer's photo plus
    # both sides' submissions
    evidence = html.split('data-testid="as-of-evidence"')[1].split("</ul>")[0]
    assert evidence.count("SHA-256") == 3
    with demo.app_context():
        case = get_service().get_case("DEMO-C-0008", version=6)
    for item in case.evidence:
        assert item.sha256 in evidence
    # the slider and the step list point at version 6
    assert re.search(r'<input id="replay-version" type="range"[^>]*value="6"', html)
    assert 'max="10"' in html
    assert re.search(r'data-version="6">\s*<a [^>]*aria-current="step"', html)
    # "now" is the present state, not the replayed one
    assert "Closed" in by_testid(html, "current-status")


def test_replay_shows_demo_c_0008_after_the_ruling(demo: Flask) -> None:
    arbiter = as_user(demo, "arbiter", "arbitrator")
    html = page(arbiter, "/arbitration/cases/DEMO-C-0008?version=7&lang=en")
    # R10 (issue 7): the ruling leads to the state that carries it out.
    assert 'data-status="awaiting_refund"' in by_testid(html, "as-of-status")
    ruling = (
        html.split('data-testid="as-of-ruling"')[0].rsplit("<dl", 1)[1]
        + html.split('data-testid="as-of-ruling"')[1].split("</dl>")[0]
    )
    assert 'data-outcome="refund"' in ruling and "¥69.90" in ruling
    assert "No refund approved at that moment." in html  # approved only at version 8
    html7 = page(arbiter, "/arbitration/cases/DEMO-C-0008?version=8&lang=en")
    refund = html7.split('data-testid="as-of-refund"')[1].split("</ul>")[0]
    assert "¥69.90" in refund and "wallet balance" in refund
    # at the first version there is only the application and its photo
    html1 = page(arbiter, "/arbitration/cases/DEMO-C-0008?version=1&lang=en")
    assert 'data-status="requested"' in by_testid(html1, "as-of-status")
    assert html1.split('data-testid="as-of-evidence"')[1].split("</ul>")[0].count("SHA-256") == 1


def test_replay_shows_the_policy_version_term_by_term(demo: Flask) -> None:
    arbiter = as_user(demo, "arbiter", "arbitrator")
    html = page(arbiter, "/arbitration/cases/DEMO-C-0008?lang=en")
    assert "Store policy version 1" in html
    terms = html.split('data-testid="policy-terms"')[1].split("</table>")[0]
    for text in ("No-reason return window", "7 days", "R1.a", "生鲜易腐", "2 hours", "R12"):
        assert text in terms


def test_replay_version_out_of_range_or_not_a_number_shows_a_note(demo: Flask) -> None:
    arbiter = as_user(demo, "arbiter", "arbitrator")
    html = page(arbiter, "/arbitration/cases/DEMO-C-0008?version=99&lang=en")
    assert "The case has 10 versions; showing the latest." in html
    assert by_testid(html, "as-of-version").endswith(">10</")
    html = page(arbiter, "/arbitration/cases/DEMO-C-0008?version=abc&lang=en")
    assert "is not a version number" in html
    html = page(arbiter, "/arbitration/cases/DEMO-C-0008?version=0&lang=en")
    assert by_testid(html, "as-of-version").endswith(">1</")


def test_an_untouched_chain_verifies_and_every_row_hash_matches(demo: Flask) -> None:
    arbiter = as_user(demo, "arbiter", "arbitrator")
    html = page(arbiter, "/arbitration/cases/DEMO-C-0008?lang=en")
    assert 'data-chain="ok"' in by_testid(html, "chain-status")
    steps = html.split('data-testid="replay-steps"')[1].split("</ol>")[0]
    assert steps.count("hash matches") == 10
    assert "chain broken here" not in steps


def _tamper(database: Path, case_no: str, version: int) -> None:
    """Change one byte of one stored event: a digit of the evidence size (still valid JSON)."""
    with closing(sqlite3.connect(database)) as conn:
        uuid_hex = ids.case_id(case_no).hex
        row = conn.execute(
            "SELECT rowid, state FROM stored_events WHERE originator_id = ? "
            "AND originator_version = ?",
            (uuid_hex, version),
        ).fetchone()
        if row is None:  # the library may store the id with dashes
            row = conn.execute(
                "SELECT rowid, state FROM stored_events WHERE originator_id = ? "
                "AND originator_version = ?",
                (str(ids.case_id(case_no)), version),
            ).fetchone()
        assert row is not None
        state = bytearray(row[1])
        at = bytes(state).index(b"48213")
        state[at + 4] = ord("4")  # 48213 -> 48214
        conn.execute("UPDATE stored_events SET state = ? WHERE rowid = ?", (bytes(state), row[0]))
        conn.commit()


def test_a_tampered_event_makes_the_viewer_say_the_chain_is_broken_at_its_version(
    demo: Flask, tmp_path: Path
) -> None:
    _tamper(tmp_path / "web.db", "DEMO-C-0008", 5)
    arbiter = as_user(demo, "arbiter", "arbitrator")
    html = page(arbiter, "/arbitration/cases/DEMO-C-0008?version=7&lang=en")
    status = by_testid(html, "chain-status")
    assert 'data-chain="broken"' in status and 'data-break-version="5"' in status
    assert "The hash chain is broken at version 5." in html
    steps = html.split('data-testid="replay-steps"')[1].split("</ol>")[0]
    broken = steps.split('data-version="5"')[1].split("</li>")[0]
    assert "chain broken here" in broken
    before = steps.split('data-version="4"')[1].split("</li>")[0]
    assert "chain broken" not in before and "not trusted" not in before
    assert "after the break: not trusted" in steps.split('data-version="6"')[1].split("</li>")[0]


def test_an_unreadable_event_is_reported_and_the_rebuild_fails_gracefully(
    demo: Flask, tmp_path: Path
) -> None:
    with closing(sqlite3.connect(tmp_path / "web.db")) as conn:
        conn.execute(
            "UPDATE stored_events SET state = X'7B7B7B' WHERE originator_id IN (?, ?) "
            "AND originator_version = 2",
            (ids.case_id("DEMO-C-0008").hex, str(ids.case_id("DEMO-C-0008"))),
        )
        conn.commit()
    arbiter = as_user(demo, "arbiter", "arbitrator")
    html = page(arbiter, "/arbitration/cases/DEMO-C-0008?version=3&lang=en")
    assert 'data-break-version="2"' in by_testid(html, "chain-status")
    assert 'data-testid="rebuild-error"' in html
    assert "stored event unreadable" in html


# --- the ruling (R10) ---------------------------------------------------------------------------


def _rule(client: FlaskClient, **fields: str) -> Any:
    data = {"csrf_token": csrf(client), "request_id": f"t:{sorted(fields.items())}"}
    data.update(fields)
    return client.post("/arbitration/cases/DEMO-C-0011/rule?lang=en", data=data)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"outcome": "refund", "refund_amount": "abc"}, "Refund amount (yuan): enter an amount"),
        (
            {"outcome": "refund", "refund_amount": "-5"},
            "Refund amount (yuan): the amount cannot be",
        ),
        ({"outcome": "refund", "refund_amount": "1.234"}, "Refund amount (yuan): at most two"),
        ({"outcome": "refund", "refund_amount": ""}, "Refund amount (yuan): a refund ruling names"),
        ({"outcome": "refund", "refund_amount": "129.01"}, "at most ¥129.00"),
        ({"outcome": "compensation", "compensation_amount": "x"}, "Compensation (yuan): enter"),
        ({"outcome": "compensation"}, "Compensation (yuan): a compensation ruling names"),
        ({"outcome": "exchange", "refund_amount": "10"}, "only a refund ruling refunds money"),
        ({"outcome": "banana"}, "Outcome: choose refund"),
        ({"outcome": "dismissed", "return_required": "1"}, "Goods must be returned: the goods"),
    ],
)
def test_ruling_form_refuses_bad_input_naming_the_field_and_stores_nothing(
    demo: Flask, fields: dict[str, str], message: str
) -> None:
    escalate_demo_c_0011(demo)
    arbiter = as_user(demo, "arbiter", "arbitrator")
    with demo.app_context():
        before = get_service().get_case("DEMO-C-0011").version
    response = _rule(arbiter, reasoning="理由", **fields)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html.replace("&#39;", "'"), by_testid(html, "form-errors")
    assert 'aria-invalid="true"' in html or "field-error" in html
    with demo.app_context():
        case = get_service().get_case("DEMO-C-0011")
    assert case.version == before and case.ruling is None


def test_ruling_form_requires_reasoning(demo: Flask) -> None:
    escalate_demo_c_0011(demo)
    arbiter = as_user(demo, "arbiter", "arbitrator")
    response = _rule(arbiter, outcome="dismissed", reasoning="  ")
    assert response.status_code == 400
    assert "Reasoning: a ruling gives its reasoning (R10)." in response.get_data(as_text=True)


def test_a_refund_ruling_in_yuan_is_recorded_in_fen_and_is_final(demo: Flask) -> None:
    escalate_demo_c_0011(demo)
    arbiter = as_user(demo, "arbiter", "arbitrator")
    html = page(arbiter, "/arbitration/cases/DEMO-C-0011?lang=en")
    assert "Record the final ruling" in html and "At most ¥129.00." in html
    response = _rule(
        arbiter, outcome="refund", refund_amount="69.90", reasoning="过敏属质量问题，部分退款"
    )
    assert response.status_code == 303
    with demo.app_context():
        ruling = get_service().get_case("DEMO-C-0011").ruling
    assert ruling is not None and ruling.refund_fen == 6990 and not ruling.return_required
    catch_up(demo)
    html = page(arbiter, "/arbitration/cases/DEMO-C-0011?lang=en")
    assert "The ruling is recorded. It is final (R10)." in html
    assert 'data-testid="ruling-final"' in html
    assert "Record the final ruling" not in html and 'name="outcome"' not in html
    carry = html.split('data-testid="carry-out"')[1].split("</ol>")[0]
    assert "approves the ruled refund of ¥69.90" in carry and "to do" in carry
    # a second ruling is refused by the domain, naming R10
    again = _rule(arbiter, outcome="dismissed", reasoning="再裁一次")
    assert again.status_code == 303
    follow = page(arbiter, "/arbitration/cases/DEMO-C-0011?lang=en")
    assert "R10" in follow and "ruling on this case is final" in follow


def test_a_case_not_in_arbitration_offers_no_ruling_form(demo: Flask) -> None:
    arbiter = as_user(demo, "arbiter", "arbitrator")
    html = page(arbiter, "/arbitration/cases/DEMO-C-0001?lang=en")
    assert "This case is not in arbitration" in html
    assert 'name="outcome"' not in html


def test_replay_pages_render_in_chinese_by_default(demo: Flask) -> None:
    arbiter = as_user(demo, "arbiter", "arbitrator")
    html = page(arbiter, "/arbitration/cases/DEMO-C-0008?version=6")
    assert '<html lang="zh-CN"' in html
    assert "<svg" not in html  # no charts here; the slider is plain HTML
    assert 'type="range"' in html


# --- amounts in yuan ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "fen"),
    [
        ("69.90", 6990),
        ("69.9", 6990),
        ("69", 6900),
        ("0.01", 1),
        ("69.", 6900),
        (" ¥1,299.00 ", 129900),
        ("￥12.30", 1230),
        ("６９.９０", 6990),
        ("0.10", 10),
        ("4000000.07", 400000007),
    ],
)
def test_parse_yuan_is_exact(text: str, fen: int) -> None:
    assert parse_yuan(text) == fen


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("abc", "format"),
        ("", "format"),
        ("-1", "negative"),
        ("-0.50", "negative"),
        ("1.234", "decimals"),
        ("1e3", "format"),
        (".5", "format"),
        ("12345678901", "format"),
        ("NaN", "format"),
    ],
)
def test_parse_yuan_refuses_what_is_not_an_amount(text: str, code: str) -> None:
    with pytest.raises(AmountError) as caught:
        parse_yuan(text)
    assert caught.value.code == code


def shifted_service(url: str, hours: int) -> tuple[AfterSales, Callable[[], datetime]]:
    """A service whose clock runs ``hours`` ahead (deadlines can pass within a test)."""

    def clock() -> datetime:
        return datetime.now(UTC) + timedelta(hours=hours)

    return AfterSales.from_url(url, clock=clock), clock
