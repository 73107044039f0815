"""Issue 11 item 11: the home page says what the site is, links the rules and, in the demo, lists
the demo log-ins (usernames and roles, never the people's names, P4); a page behind the log-in
sends you to the log-in page with a sentence saying why."""

from __future__ import annotations

from flask.testing import FlaskClient

from web.demo import DEMO_ACCOUNTS


def test_the_demo_home_lists_the_demo_log_ins_and_links_the_rules(demo_client: FlaskClient) -> None:
    html = demo_client.get("/?lang=en").get_data(as_text=True)
    assert 'data-testid="demo-logins"' in html and 'href="/rules"' in html
    for username, password, *_rest in DEMO_ACCOUNTS:
        assert f"<code>{username}</code>" in html and f"<code>{password}</code>" in html
    assert "张三" not in html  # a person's name is not shown to someone not logged in


def test_a_page_behind_the_log_in_says_why(demo_client: FlaskClient) -> None:
    response = demo_client.get("/my/orders")
    assert response.status_code in (302, 303)
    page = demo_client.get(response.headers["Location"] + "&lang=en").get_data(as_text=True)
    assert 'data-testid="login-why"' in page and "is for logged-in users" in page
    plain = demo_client.get("/login?lang=en").get_data(as_text=True)
    assert 'data-testid="login-why"' not in plain
