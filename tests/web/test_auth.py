"""Log-in, sessions, CSRF, API tokens, roles and case visibility (web/auth.py, web/accounts.py)."""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Blueprint, Flask, jsonify, render_template_string
from flask.testing import FlaskClient, FlaskCliRunner
from flask_babel import lazy_gettext as _l

from domain.values import Actor, Role
from projections.db import INTEGRITY_ERRORS, Database
from tests.web.conftest import (
    PASSWORD,
    ROLE_ACCOUNTS,
    SECRET_KEY,
    csrf_token_for,
    login_as,
    make_app,
)
from web import create_app, get_db
from web.common import accounts
from web.common.accounts import Account, AccountError
from web.common.auth import (
    add_nav_link,
    case_scope,
    current_actor,
    ensure_can_see_case,
    login_required,
    restrict_blueprint,
    set_audience_home,
)

COOKIE = "aftersales_session"


def _probe_blueprint() -> Blueprint:
    bp = Blueprint("probe", __name__)

    @bp.route("/probe/consumer-only")
    @login_required(Role.CONSUMER)
    def consumer_only() -> Any:
        return render_template_string(
            '{% extends "base.html" %}{% block content %}consumer page{% endblock %}'
        )

    @bp.route("/probe/anyone")
    @login_required
    def anyone() -> Any:
        actor = current_actor()
        return f"{actor.role.value}:{actor.id}"

    @bp.route("/probe/case/<consumer_id>/<merchant_id>")
    @login_required()
    def case(consumer_id: str, merchant_id: str) -> Any:
        ensure_can_see_case(consumer_id=consumer_id, merchant_id=merchant_id)
        return "the case"

    @bp.route("/api/probe/whoami", methods=["GET", "POST"])
    @login_required()
    def whoami() -> Any:
        return jsonify(actor=str(current_actor()), scope=case_scope())

    @bp.route("/api/probe/finance", methods=["GET"])
    @login_required("finance")
    def finance_only() -> Any:
        return jsonify(ok=True)

    add_nav_link(bp, "probe.consumer_only", _l("Home"), Role.CONSUMER, order=1)
    add_nav_link(bp, "probe.missing_endpoint", _l("Log in"), Role.CONSUMER)
    set_audience_home(bp, Role.CONSUMER, "probe.consumer_only")
    return bp


@pytest.fixture
def app(tmp_path: Path, clean_environ: None) -> Flask:
    app = make_app(tmp_path)
    app.register_blueprint(_probe_blueprint())
    return app


def _session_cookie(client: FlaskClient) -> str | None:
    cookie = client.get_cookie(COOKIE)
    return None if cookie is None else cookie.value


def _set_cookie_header(response: Any, name: str = COOKIE) -> str:
    for header in response.headers.getlist("Set-Cookie"):
        if header.startswith(name + "="):
            return str(header)
    raise AssertionError(f"no Set-Cookie for {name}")


# --- log-in and log-out ---------------------------------------------------------------------


def test_login_page_has_form_with_csrf_token(client: FlaskClient) -> None:
    page = client.get("/login")
    assert page.status_code == 200
    assert b'name="csrf_token"' in page.data
    assert b'autocomplete="current-password"' in page.data


def test_login_with_right_password_goes_home_and_shows_the_user(
    client: FlaskClient, role_accounts: dict[str, Account]
) -> None:
    response = login_as(client, "agent.wang")
    assert response.status_code == 302
    page = client.get(response.headers["Location"], follow_redirects=True)
    text = page.data.decode()
    assert "王客服" in text and "平台客服" in text  # name and role in the nav
    assert "退出登录" in text


def test_login_with_wrong_password_is_refused_without_a_session(
    client: FlaskClient, role_accounts: dict[str, Account]
) -> None:
    response = login_as(client, "li.lei", "not-the-password")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.data.decode()
    assert client.get("/probe/anyone").status_code == 302


def test_unknown_username_gets_the_same_answer_as_a_wrong_password(
    client: FlaskClient, role_accounts: dict[str, Account]
) -> None:
    wrong = login_as(client, "li.lei", "not-the-password").data.decode()
    unknown = login_as(client, "nobody", "not-the-password").data.decode()
    assert "用户名或密码错误" in wrong and "用户名或密码错误" in unknown


def test_session_cookie_is_httponly_and_samesite_lax_but_not_secure_over_http(
    client: FlaskClient, role_accounts: dict[str, Account]
) -> None:
    header = _set_cookie_header(login_as(client, "li.lei"))
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header
    assert "Secure" not in header


def test_session_cookie_is_secure_when_served_over_https(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clean_environ: None
) -> None:
    monkeypatch.setenv("AFTERSALES_HTTPS", "1")
    app = make_app(tmp_path)
    with app.app_context():
        accounts.create_account(get_db(), "li.lei", PASSWORD, "consumer", "李雷", "C1001")
    client = app.test_client()
    header = _set_cookie_header(login_as(client, "li.lei"))
    assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header


def test_login_changes_the_session_cookie_and_the_old_one_stays_anonymous(
    app: Flask, client: FlaskClient, role_accounts: dict[str, Account]
) -> None:
    client.get("/login")
    before = _session_cookie(client)
    assert before  # the anonymous session already holds the log-in form's CSRF token
    login_as(client, "li.lei")
    after = _session_cookie(client)
    assert after and after != before
    assert client.get("/probe/anyone").data == b"consumer:C1001"

    stranger = app.test_client()
    stranger.set_cookie(COOKIE, before)
    assert stranger.get("/probe/anyone").status_code == 302  # fixation: the old cookie is nobody


def test_logout_makes_a_copied_session_cookie_useless(
    app: Flask,
    client: FlaskClient,
    role_accounts: dict[str, Account],
    csrf_token: Callable[..., str],
) -> None:
    login_as(client, "li.lei")
    stolen = _session_cookie(client)
    assert stolen
    response = client.post("/logout", data={"csrf_token": csrf_token(client)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert client.get("/probe/anyone").status_code == 302

    thief = app.test_client()
    thief.set_cookie(COOKIE, stolen)
    assert thief.get("/probe/anyone").status_code == 302


def test_logout_needs_post_and_a_csrf_token(
    client: FlaskClient, role_accounts: dict[str, Account]
) -> None:
    login_as(client, "li.lei")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    assert client.get("/probe/anyone").status_code == 200  # still logged in


def test_expired_session_is_logged_out(app: Flask, role_accounts: dict[str, Account]) -> None:
    with app.app_context():
        nonce = accounts.open_session(
            get_db(), "li.lei", hours=1, now=datetime.now(UTC) - timedelta(hours=2)
        )
    client = app.test_client()
    with client.session_transaction() as session:
        session["sid"] = nonce
    assert client.get("/probe/anyone").status_code == 302


def test_login_next_goes_back_to_the_page_asked_for(
    client: FlaskClient, role_accounts: dict[str, Account]
) -> None:
    redirect = client.get("/probe/anyone?x=1")
    assert redirect.status_code == 302
    assert "/login?next=" in redirect.headers["Location"]
    page = client.get("/login?next=/probe/anyone%3Fx%3D1")
    assert b'name="next" value="/probe/anyone?x=1"' in page.data
    token = page.data.split(b'name="csrf_token" value="')[1].split(b'"')[0].decode()
    response = client.post(
        "/login",
        data={
            "username": "li.lei",
            "password": PASSWORD,
            "csrf_token": token,
            "next": "/probe/anyone?x=1",
        },
    )
    assert response.headers["Location"] == "/probe/anyone?x=1"


@pytest.mark.parametrize("target", ["//evil.example/", "https://evil.example/", "/\\evil.example"])
def test_login_never_redirects_to_another_site(
    client: FlaskClient,
    role_accounts: dict[str, Account],
    csrf_token: Callable[..., str],
    target: str,
) -> None:
    response = client.post(
        "/login",
        data={
            "username": "agent.wang",
            "password": PASSWORD,
            "csrf_token": csrf_token(client),
            "next": target,
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


# --- CSRF -----------------------------------------------------------------------------------


def test_post_without_csrf_token_is_refused_with_a_clear_message(
    client: FlaskClient, role_accounts: dict[str, Account]
) -> None:
    response = client.post("/login", data={"username": "li.lei", "password": PASSWORD})
    assert response.status_code == 400
    assert "表单已过期或并非来自本站" in response.data.decode()
    assert client.get("/probe/anyone").status_code == 302  # not logged in


def test_post_with_a_wrong_csrf_token_is_refused(
    client: FlaskClient, role_accounts: dict[str, Account], csrf_token: Callable[..., str]
) -> None:
    csrf_token(client)
    response = client.post(
        "/login", data={"username": "li.lei", "password": PASSWORD, "csrf_token": "forged"}
    )
    assert response.status_code == 400


def test_api_post_with_session_cookie_needs_the_csrf_header(
    client: FlaskClient, role_accounts: dict[str, Account], csrf_token: Callable[..., str]
) -> None:
    login_as(client, "li.lei")
    refused = client.post("/api/probe/whoami", json={})
    assert refused.status_code == 400
    assert refused.json is not None and refused.json["error"] == "csrf"
    accepted = client.post(
        "/api/probe/whoami", json={}, headers={"X-CSRF-Token": csrf_token(client)}
    )
    assert accepted.status_code == 200


def test_pages_offer_the_csrf_token_to_scripts(client: FlaskClient) -> None:
    page = client.get("/").data.decode()
    with client.session_transaction() as session:
        assert f'<meta name="csrf-token" content="{session["csrf"]}">' in page


def test_csrf_token_changes_at_login(
    client: FlaskClient, role_accounts: dict[str, Account], csrf_token: Callable[..., str]
) -> None:
    before = csrf_token(client)
    login_as(client, "li.lei")
    assert csrf_token(client) != before


# --- API tokens -----------------------------------------------------------------------------


def test_api_accepts_a_valid_bearer_token_without_csrf(
    client: FlaskClient, role_accounts: dict[str, Account], bearer: Callable[[str], dict[str, str]]
) -> None:
    headers = bearer("han.meimei")
    got = client.get("/api/probe/whoami", headers=headers)
    assert got.status_code == 200
    assert got.json == {"actor": "merchant:S2001", "scope": {"merchant_id": "M3001"}}
    assert client.post("/api/probe/whoami", json={}, headers=headers).status_code == 200


def test_api_refuses_an_invalid_bearer_token_with_401_json(
    client: FlaskClient, role_accounts: dict[str, Account]
) -> None:
    response = client.get("/api/probe/whoami", headers={"Authorization": "Bearer as_forged"})
    assert response.status_code == 401
    assert response.json is not None and response.json["error"] == "unauthorized"
    assert response.headers["WWW-Authenticate"] == "Bearer"


def test_api_refuses_a_revoked_token(
    app: Flask, client: FlaskClient, role_accounts: dict[str, Account]
) -> None:
    with app.app_context():
        token = accounts.issue_token(get_db(), "li.lei")
        headers = {"Authorization": f"Bearer {token}"}
        assert client.get("/api/probe/whoami", headers=headers).status_code == 200
        assert accounts.revoke_token(get_db(), token) is True
    assert client.get("/api/probe/whoami", headers=headers).status_code == 401


def test_api_without_credentials_is_401_not_a_redirect(client: FlaskClient) -> None:
    for response in (client.get("/api/probe/whoami"), client.post("/api/probe/whoami", json={})):
        assert response.status_code == 401
        assert response.json is not None and response.json["error"] == "unauthorized"


def test_tokens_are_stored_hashed_and_their_use_recorded(
    app: Flask, role_accounts: dict[str, Account]
) -> None:
    with app.app_context():
        token = accounts.issue_token(get_db(), "li.lei")
        assert accounts.account_for_token(get_db(), token) == role_accounts["consumer"]
        with get_db().connect() as conn:
            row = conn.execute("SELECT * FROM api_tokens").fetchone()
    assert token not in tuple(row)
    assert row["last_used_at"] is not None


# --- roles and cases ------------------------------------------------------------------------


def test_role_decorator_lets_the_role_in_and_refuses_others_with_403(
    client: FlaskClient, role_accounts: dict[str, Account], bearer: Callable[[str], dict[str, str]]
) -> None:
    login_as(client, "li.lei")
    assert b"consumer page" in client.get("/probe/consumer-only").data
    other = client.application.test_client()
    login_as(other, "han.meimei")
    assert other.get("/probe/consumer-only").status_code == 403
    assert client.get("/api/probe/finance", headers=bearer("fin.qian")).status_code == 200
    assert client.get("/api/probe/finance", headers=bearer("li.lei")).status_code == 403


def test_restrict_blueprint_guards_every_view(
    tmp_path: Path, clean_environ: None, role_accounts: dict[str, Account]
) -> None:
    bp = Blueprint("finance_probe", __name__)
    restrict_blueprint(bp, Role.FINANCE)

    @bp.route("/finance-probe")
    def page() -> Any:
        return "ledger"

    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": f"sqlite:///{tmp_path}/web.db",
            "SECRET_KEY": SECRET_KEY,
        }
    )
    app.register_blueprint(bp)
    client = app.test_client()
    assert client.get("/finance-probe").status_code == 302
    login_as(client, "li.lei")
    assert client.get("/finance-probe").status_code == 403
    login_as(client, "fin.qian")
    assert client.get("/finance-probe").data == b"ledger"


def test_current_actor_is_the_domain_actor_of_the_account(
    client: FlaskClient, role_accounts: dict[str, Account]
) -> None:
    login_as(client, "arb.zhao")
    assert client.get("/probe/anyone").data == b"arbitrator:R5001"
    assert role_accounts["arbitrator"].actor == Actor(Role.ARBITRATOR, "R5001")


@pytest.mark.parametrize(
    ("username", "own", "others"),
    [
        ("li.lei", "/probe/case/C1001/M9", "/probe/case/C9999/M9"),
        ("han.meimei", "/probe/case/C9999/M3001", "/probe/case/C1001/M9"),
    ],
)
def test_someone_elses_case_answers_404(
    client: FlaskClient, role_accounts: dict[str, Account], username: str, own: str, others: str
) -> None:
    login_as(client, username)
    assert client.get(own).status_code == 200
    assert client.get(others).status_code == 404


@pytest.mark.parametrize("username", ["agent.wang", "arb.zhao", "fin.qian"])
def test_platform_roles_see_every_case(
    client: FlaskClient, role_accounts: dict[str, Account], username: str
) -> None:
    login_as(client, username)
    assert client.get("/probe/case/C9999/M9").status_code == 200


# --- home and navigation --------------------------------------------------------------------


def test_home_shows_a_login_link_to_anonymous_visitors(client: FlaskClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert b'href="/login"' in page.data


def test_home_sends_a_logged_in_person_to_their_audience_home(
    client: FlaskClient, role_accounts: dict[str, Account]
) -> None:
    login_as(client, "li.lei")
    assert client.get("/").headers["Location"] == "/probe/consumer-only"


def test_home_without_a_registered_audience_says_so(tmp_path: Path, clean_environ: None) -> None:
    bare = tmp_path / "bare"
    bare.mkdir()
    app = make_app(bare, AUDIENCE_MODULES=())  # every audience module sets its home otherwise
    with app.app_context():
        spec = ROLE_ACCOUNTS["finance"]
        accounts.create_account(
            get_db(), spec.username, PASSWORD, "finance", spec.display_name, spec.party_id
        )
    client = app.test_client()
    login_as(client, "fin.qian")
    page = client.get("/")
    assert page.status_code == 200
    assert "暂无适用于您角色的页面" in page.data.decode()


def test_nav_shows_the_roles_links_and_skips_missing_endpoints(
    client: FlaskClient, role_accounts: dict[str, Account]
) -> None:
    login_as(client, "li.lei")
    page = client.get("/probe/consumer-only?lang=zh_CN").data.decode()
    assert 'href="/probe/consumer-only" aria-current="page"' in page  # nav link, marked current
    other = client.application.test_client()
    login_as(other, "agent.wang")
    assert 'href="/probe/consumer-only"' not in other.get("/").data.decode()


# --- accounts store -------------------------------------------------------------------------


def test_create_account_checks_its_input(app: Flask) -> None:
    with app.app_context():
        db = get_db()
        with pytest.raises(AccountError, match="unknown role"):
            accounts.create_account(db, "x.user", PASSWORD, "system", "X", "X1")
        with pytest.raises(AccountError, match="merchant-id"):
            accounts.create_account(db, "m.user", PASSWORD, "merchant", "M", "S1")
        with pytest.raises(AccountError, match="only merchant staff"):
            accounts.create_account(db, "c.user", PASSWORD, "consumer", "C", "C1", "M1")
        with pytest.raises(AccountError, match="at least 8"):
            accounts.create_account(db, "c.user", "short", "consumer", "C", "C1")
        accounts.create_account(db, "c.user", PASSWORD, "consumer", "C", "C1")
        with pytest.raises(AccountError, match="taken"):
            accounts.create_account(db, "c.user", PASSWORD, "consumer", "C", "C2")
        with pytest.raises(AccountError, match="already has an account"):
            accounts.create_account(db, "c.other", PASSWORD, "consumer", "C", "C1")


def test_passwords_are_stored_hashed(app: Flask, role_accounts: dict[str, Account]) -> None:
    with app.app_context(), get_db().connect() as conn:
        stored = conn.execute("SELECT password_hash FROM accounts").fetchall()
    assert all(PASSWORD not in row["password_hash"] for row in stored)


# --- the users commands ---------------------------------------------------------------------


def test_cli_creates_a_merchant_account_that_can_log_in(app: Flask, runner: FlaskCliRunner) -> None:
    result = runner.invoke(
        args=[
            "users",
            "create",
            "zhang.san",
            "--role",
            "merchant",
            "--party-id",
            "S77",
            "--merchant-id",
            "M77",
            "--display-name",
            "张三",
            "--password-stdin",
        ],
        input=PASSWORD + "\n",
    )
    assert result.exit_code == 0, result.output
    assert "created merchant zhang.san" in result.output
    client = app.test_client()
    assert login_as(client, "zhang.san").status_code == 302


def test_cli_prompts_for_the_password_twice_when_not_on_stdin(
    app: Flask, runner: FlaskCliRunner
) -> None:
    result = runner.invoke(
        args=["users", "create", "wu.liu", "--role", "consumer", "--party-id", "C77"],
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output  # hidden input


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "boss", "--party-id", "X1"], "Invalid value for '--role'"),
        (["--role", "merchant", "--party-id", "S1"], "--merchant-id"),
        (["--role", "consumer"], "Missing option '--party-id'"),
    ],
)
def test_cli_refuses_bad_input_with_a_message_and_nonzero_exit(
    runner: FlaskCliRunner, args: list[str], message: str
) -> None:
    result = runner.invoke(
        args=["users", "create", "bad.user", *args, "--password-stdin"], input=PASSWORD + "\n"
    )
    assert result.exit_code != 0
    assert message in result.output


def test_cli_token_prints_a_working_token_once(
    client: FlaskClient, runner: FlaskCliRunner, role_accounts: dict[str, Account]
) -> None:
    result = runner.invoke(args=["users", "token", "fin.qian"])
    assert result.exit_code == 0
    token = result.output.strip()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/probe/finance", headers=headers).status_code == 200

    revoked = runner.invoke(args=["users", "revoke-tokens", "fin.qian"])
    assert revoked.exit_code == 0 and "revoked 1" in revoked.output
    assert client.get("/api/probe/finance", headers=headers).status_code == 401


def test_cli_token_for_unknown_user_fails(runner: FlaskCliRunner) -> None:
    result = runner.invoke(args=["users", "token", "ghost"])
    assert result.exit_code == 1
    assert "no account 'ghost'" in result.output


# --- the factory ----------------------------------------------------------------------------


def test_creating_the_app_does_not_touch_the_database(tmp_path: Path, clean_environ: None) -> None:
    database = tmp_path / "db" / "never.db"
    create_app({"DATABASE_URL": f"sqlite:///{database}", "SECRET_KEY": SECRET_KEY})
    assert not database.parent.exists()


def test_secret_key_is_generated_once_and_kept_private(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clean_environ: None
) -> None:
    monkeypatch.setenv("AFTERSALES_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("AFTERSALES_DATABASE_URL", f"sqlite:///{tmp_path}/web.db")
    first = create_app().config["SECRET_KEY"]
    second = create_app().config["SECRET_KEY"]
    key_file = tmp_path / "data" / "secret_key"
    assert first == second and len(first) >= 32
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600


def test_secret_key_from_the_environment_wins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clean_environ: None
) -> None:
    monkeypatch.setenv("AFTERSALES_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("AFTERSALES_SECRET_KEY", "k" * 40)
    monkeypatch.setenv("AFTERSALES_DATABASE_URL", f"sqlite:///{tmp_path}/web.db")
    assert create_app().config["SECRET_KEY"] == "k" * 40
    assert not (tmp_path / "data" / "secret_key").exists()


def test_bad_settings_stop_the_start_with_the_variable_named(
    monkeypatch: pytest.MonkeyPatch, clean_environ: None
) -> None:
    from web.settings import SettingsError

    monkeypatch.setenv("AFTERSALES_DEFAULT_TIMEZONE", "Mars/Olympus")
    with pytest.raises(SettingsError, match="AFTERSALES_DEFAULT_TIMEZONE"):
        create_app({"SECRET_KEY": SECRET_KEY, "DATABASE_URL": "sqlite:////tmp/x.db"})


# --- both stores ----------------------------------------------------------------------------


def test_accounts_tokens_and_sessions_on_both_stores(read_db: Database) -> None:
    db = read_db
    merchant = accounts.create_account(db, "han.meimei", PASSWORD, "merchant", "韩", "S1", "M1")
    assert accounts.get_account(db, "han.meimei") == merchant
    assert accounts.authenticate(db, "han.meimei", PASSWORD) == merchant
    assert accounts.authenticate(db, "han.meimei", "wrong-password") is None
    with pytest.raises(AccountError, match="taken"):
        accounts.create_account(db, "han.meimei", PASSWORD, "consumer", "韩", "C1")

    token = accounts.issue_token(db, "han.meimei")
    assert accounts.account_for_token(db, token) == merchant
    assert accounts.revoke_tokens(db, "han.meimei") == 1
    assert accounts.account_for_token(db, token) is None

    now = datetime.now(UTC)
    nonce = accounts.open_session(db, "han.meimei", hours=1, now=now)
    assert accounts.account_for_session(db, nonce, now=now) == merchant
    assert accounts.account_for_session(db, nonce, now=now + timedelta(hours=2)) is None
    accounts.set_password(db, "han.meimei", "another-password")  # ends every session
    assert accounts.account_for_session(db, nonce, now=now) is None
    assert accounts.authenticate(db, "han.meimei", "another-password") == merchant


def test_the_table_refuses_merchant_staff_without_a_store(read_db: Database) -> None:
    with pytest.raises(INTEGRITY_ERRORS), read_db.transaction() as tx:
        tx.execute(
            "INSERT INTO accounts (username, password_hash, role, display_name, party_id, "
            "merchant_id, created_at) VALUES ('m', 'x', 'merchant', 'M', 'S1', NULL, 'now')"
        )


def test_log_in_and_out_on_both_stores(store_url: str, tmp_path: Path, clean_environ: None) -> None:
    app = make_app(tmp_path, DATABASE_URL=store_url)
    with app.app_context():
        accounts.create_account(get_db(), "li.lei", PASSWORD, "consumer", "李雷", "C1001")
    client = app.test_client()
    assert login_as(client, "li.lei").status_code == 302
    cookie = _session_cookie(client)
    assert "李雷" in client.get("/", follow_redirects=True).data.decode()
    client.post("/logout", data={"csrf_token": csrf_token_for(client)})
    replay = app.test_client()
    replay.set_cookie(COOKIE, cookie or "")
    assert "李雷" not in replay.get("/").data.decode()
    with app.app_context():
        get_db().close()
