"""Password guessing: after LOGIN_MAX_FAILURES wrong passwords within LOGIN_LOCK a user is refused
(429, even with the right password) until the oldest of those failures is LOGIN_LOCK old, with the
time in the viewer's zone; a success clears the count; other users are not affected. Issue 10: an
attempt is counted before its password is checked (parallel guesses cannot slip past), one address
is limited across user names, and a stranger locks a user out only for the stranger's address."""

from __future__ import annotations

import threading
import time
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.web.conftest import PASSWORD, ROLE_ACCOUNTS, login_as
from web import get_db
from web.common import accounts
from web.common.accounts import Account

USER = ROLE_ACCOUNTS["consumer"].username
OTHER = ROLE_ACCOUNTS["merchant"].username


def fail(client: FlaskClient, times: int, username: str = USER) -> None:
    for _ in range(times):
        response = client.post(
            "/login?lang=en",
            data={"username": username, "password": "wrong!", "csrf_token": _csrf(client)},
        )
        assert response.status_code == 200
        assert "Wrong username or password." in response.get_data(as_text=True)


def test_the_fifth_failure_locks_the_user_even_against_the_right_password(
    app: Flask, client: FlaskClient, role_accounts: dict[str, Account]
) -> None:
    fail(client, accounts.LOGIN_MAX_FAILURES)
    refused = client.post(
        "/login?lang=en",
        data={"username": USER, "password": PASSWORD, "csrf_token": _csrf(client)},
    )
    assert refused.status_code == 429
    assert "Too many failed log-ins for this user. Try again after" in refused.get_data(
        as_text=True
    )
    assert login_as(client, OTHER).status_code in (302, 303)  # only that user is locked


def test_four_failures_then_the_right_password_logs_in_and_clears_the_count(
    app: Flask, client: FlaskClient, role_accounts: dict[str, Account]
) -> None:
    fail(client, accounts.LOGIN_MAX_FAILURES - 1)
    assert login_as(client, USER).status_code in (302, 303)
    with app.app_context():
        assert accounts.login_locked_until(get_db(), USER) is None
    fail(app.test_client(), accounts.LOGIN_MAX_FAILURES - 1)
    with app.app_context():
        assert accounts.login_locked_until(get_db(), USER) is None


def test_the_lock_ends_when_the_oldest_of_the_failures_is_lock_minutes_old(
    app: Flask, role_accounts: dict[str, Account]
) -> None:
    with app.app_context():
        db = get_db()
        start = accounts.utc_now() - timedelta(hours=1)
        for n in range(accounts.LOGIN_MAX_FAILURES):
            accounts.record_login_failure(db, USER, now=start + timedelta(minutes=n))
        until = start + accounts.LOGIN_LOCK
        assert accounts.login_locked_until(db, USER, now=until - timedelta(microseconds=1)) == until
        assert accounts.login_locked_until(db, USER, now=until) is None


def _csrf(client: FlaskClient) -> str:
    from tests.web.conftest import csrf_token_for

    return csrf_token_for(client)


# --- issue 10: atomic counting, per-address limit -------------------------------------------


def _post_login(client: FlaskClient, username: str, password: str, address: str) -> int:
    response = client.post(
        "/login?lang=en",
        data={"username": username, "password": password, "csrf_token": _csrf(client)},
        environ_base={"REMOTE_ADDR": address},
    )
    return response.status_code


def test_parallel_wrong_passwords_are_counted_before_any_is_checked(
    app: Flask, role_accounts: dict[str, Account], monkeypatch: pytest.MonkeyPatch
) -> None:
    checked: list[str] = []
    real = accounts.authenticate

    def counting(db: Any, username: str, password: str) -> Any:
        checked.append(username)
        time.sleep(0.05)  # a slow hash: the window the old check-then-record left open
        return real(db, username, password)

    monkeypatch.setattr(accounts, "authenticate", counting)
    clients = [app.test_client() for _ in range(24)]
    tokens = [_csrf(c) for c in clients]
    barrier = threading.Barrier(len(clients))
    codes: list[int] = []

    def guess(client: FlaskClient, token: str) -> None:
        barrier.wait()
        codes.append(
            client.post(
                "/login?lang=en",
                data={"username": USER, "password": "wrong!", "csrf_token": token},
            ).status_code
        )

    threads = [
        threading.Thread(target=guess, args=pair) for pair in zip(clients, tokens, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(codes) == [200] * accounts.LOGIN_MAX_FAILURES + [429] * 19
    assert len(checked) == accounts.LOGIN_MAX_FAILURES  # the other 19 never reached a hash


def test_one_address_trying_many_names_is_stopped(
    app: Flask, role_accounts: dict[str, Account]
) -> None:
    client = app.test_client()
    for n in range(accounts.LOGIN_MAX_FAILURES_PER_ADDRESS):
        assert _post_login(client, f"guess{n}", "wrong!", "203.0.113.9") == 200
    response = client.post(
        "/login?lang=en",
        data={"username": OTHER, "password": PASSWORD, "csrf_token": _csrf(client)},
        environ_base={"REMOTE_ADDR": "203.0.113.9"},
    )
    assert response.status_code == 429
    assert "Too many failed log-ins from this address" in response.get_data(as_text=True)
    assert _post_login(app.test_client(), OTHER, PASSWORD, "198.51.100.7") in (302, 303)


def test_a_stranger_cannot_lock_a_user_out_from_elsewhere(
    app: Flask, role_accounts: dict[str, Account]
) -> None:
    stranger = app.test_client()
    for _ in range(accounts.LOGIN_MAX_FAILURES):
        assert _post_login(stranger, USER, "wrong!", "203.0.113.66") == 200
    assert _post_login(stranger, USER, PASSWORD, "203.0.113.66") == 429  # locked there
    assert _post_login(app.test_client(), USER, PASSWORD, "198.51.100.20") in (302, 303)


def test_many_addresses_guessing_one_user_are_stopped_too(
    app: Flask, role_accounts: dict[str, Account]
) -> None:
    with app.app_context():
        db = get_db()
        for n in range(accounts.LOGIN_MAX_FAILURES_PER_USER):
            accounts.record_login_failure(db, USER, f"10.0.{n // 4}.{n}")
    client = app.test_client()
    refused = client.post(
        "/login?lang=en",
        data={"username": USER, "password": PASSWORD, "csrf_token": _csrf(client)},
        environ_base={"REMOTE_ADDR": "198.51.100.21"},
    )
    # A new address: refused, and the page says where she can still log in.
    assert refused.status_code == 429
    assert "Log in from an address you have used before" in refused.get_data(as_text=True)


def test_a_spray_from_50_addresses_is_capped_and_the_user_still_logs_in_at_home(
    app: Flask, role_accounts: dict[str, Account], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Credential stuffing over 50 addresses, 5 wrong passwords each (250 tries): at most
    LOGIN_MAX_FAILURES_PER_USER of them reach the password check; the user, from the address
    she logged in from before, still logs in (and her success does not reset the attacker)."""
    home = "198.51.100.5"
    assert _post_login(app.test_client(), USER, PASSWORD, home) in (302, 303)
    checked: list[str] = []
    real = accounts.authenticate

    def counting(db: Any, username: str, password: str) -> Any:
        checked.append(password)
        return real(db, username, password)

    monkeypatch.setattr(accounts, "authenticate", counting)
    codes: list[int] = []
    for n in range(50):
        attacker = app.test_client()
        for guess in range(5):
            codes.append(_post_login(attacker, USER, f"guess-{n}-{guess}", f"203.0.{n}.7"))
    assert len(checked) == accounts.LOGIN_MAX_FAILURES_PER_USER
    assert codes.count(200) == accounts.LOGIN_MAX_FAILURES_PER_USER
    assert codes.count(429) == 250 - accounts.LOGIN_MAX_FAILURES_PER_USER

    assert _post_login(app.test_client(), USER, PASSWORD, home) in (302, 303)
    # Her log-in took back nothing of the attacker's count: new addresses stay refused.
    assert _post_login(app.test_client(), USER, "another-guess", "203.0.99.7") == 429
    # Another user is not touched.
    assert _post_login(app.test_client(), OTHER, PASSWORD, "203.0.1.7") in (302, 303)


def test_a_spray_from_her_own_address_is_still_limited_per_address(
    app: Flask, role_accounts: dict[str, Account]
) -> None:
    home = "198.51.100.5"
    assert _post_login(app.test_client(), USER, PASSWORD, home) in (302, 303)
    client = app.test_client()
    for _ in range(accounts.LOGIN_MAX_FAILURES):
        assert _post_login(client, USER, "wrong!", home) == 200
    assert _post_login(client, USER, PASSWORD, home) == 429


@pytest.mark.postgres
def test_claims_are_atomic_on_postgresql(pg_url: str) -> None:
    from projections.db import Database
    from projections.migrate import migrate

    with Database.from_url(pg_url, pool_max_size=24) as db:
        migrate(db)
        barrier = threading.Barrier(24)
        results: list[object] = []

        def claim() -> None:
            barrier.wait()
            results.append(accounts.claim_login_attempt(db, "victim", "192.0.2.1"))

        threads = [threading.Thread(target=claim) for _ in range(24)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert results.count(None) == accounts.LOGIN_MAX_FAILURES
        assert len(results) == 24


@pytest.mark.postgres
def test_a_parallel_spray_from_many_addresses_is_capped_on_postgresql(pg_url: str) -> None:
    from projections.db import Database
    from projections.migrate import migrate

    with Database.from_url(pg_url, pool_max_size=30) as db:
        migrate(db)
        accounts.record_login_success(db, "victim", "192.0.2.200")
        barrier = threading.Barrier(30)
        results: list[object] = []

        def claim(n: int) -> None:
            barrier.wait()
            results.append(accounts.claim_login_attempt(db, "victim", f"192.0.2.{n}"))

        threads = [threading.Thread(target=claim, args=(n,)) for n in range(30)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert len(results) == 30
        assert results.count(None) == accounts.LOGIN_MAX_FAILURES_PER_USER
        assert accounts.claim_login_attempt(db, "victim", "192.0.2.200") is None  # her address
