"""Password guessing: after LOGIN_MAX_FAILURES wrong passwords within LOGIN_LOCK a user is refused
(429, even with the right password) until the oldest of those failures is LOGIN_LOCK old, with the
time in the viewer's zone; a success clears the count; other users are not affected."""

from __future__ import annotations

from datetime import timedelta

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
