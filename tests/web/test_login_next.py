"""Issue 10: a log-in's ``next`` carrying CR/LF, NUL or other control characters (or over 2,000
characters) is ignored — the log-in goes home — instead of splitting the Location header (500)."""

from __future__ import annotations

import pytest
from flask import Flask

from tests.web.conftest import PASSWORD, ROLE_ACCOUNTS, csrf_token_for
from web.common.accounts import Account


@pytest.mark.parametrize(
    "next_url",
    ["/x%0d%0aSet-Cookie:%20a=1", "/x%0aLocation:%20//evil", "/ok%00", "/a%09b", "/" + "a" * 2001],
)
def test_a_next_with_control_characters_is_ignored(
    app: Flask, role_accounts: dict[str, Account], next_url: str
) -> None:
    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = app.test_client()
    response = client.post(
        f"/login?next={next_url}",
        data={
            "username": ROLE_ACCOUNTS["consumer"].username,
            "password": PASSWORD,
            "csrf_token": csrf_token_for(client),
        },
    )
    assert response.status_code in (302, 303)
    location = response.headers["Location"]
    assert "Set-Cookie" not in location and "evil" not in location and "a" * 2001 not in location


def test_an_ordinary_next_is_kept(app: Flask, role_accounts: dict[str, Account]) -> None:
    client = app.test_client()
    response = client.post(
        "/login?next=/my/cases%3Fpage%3D2",
        data={
            "username": ROLE_ACCOUNTS["consumer"].username,
            "password": PASSWORD,
            "csrf_token": csrf_token_for(client),
        },
    )
    assert response.headers["Location"] == "/my/cases?page=2"
