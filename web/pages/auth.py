"""Log-in and log-out pages, and ``/``: a logged-in person goes to their audience's home.

Sessions themselves (nonces, the account of a request) are ``web.common.auth``; the failed-log-in
limits (per user name and address, per address, per user name) are ``web.common.login_throttle``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from werkzeug.routing import BuildError

from domain.inputs import control_character
from web import get_db
from web.common import accounts, login_throttle
from web.common.auth import (
    audience_home_url,
    auth_method,
    current_account,
    end_session,
    start_session,
)
from web.common.timefmt import localtime

bp = Blueprint("auth", __name__)


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths (``/x?y``): never another host, scheme or ``//host``, nor a control
    character (issue 10: a CR/LF would split the Location header: 500)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    if control_character(target) is not None or len(target) > 2000:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    next_url = _safe_next(request.values.get("next"))
    if request.method == "POST":
        username = request.form.get("username", "").strip()
        password = request.form.get("password", "")
        db = get_db()
        # Counted before the password is checked, atomically: parallel guesses cannot slip past.
        refused = (
            login_throttle.claim_login_attempt(db, username, request.remote_addr or "")
            if username
            else None
        )
        if refused is not None:
            error = (
                _l(
                    "Too many failed log-ins for this user. Try again after %(time)s.",
                    time=localtime(refused.until, "time"),
                )
                if refused.scope == "user"
                else _l(
                    "Too many failed log-ins for this user from new addresses. Log in from an "
                    "address you have used before, or try again after %(time)s.",
                    time=localtime(refused.until, "time"),
                )
                if refused.scope == "new_address"
                else _l(
                    "Too many failed log-ins from this address. Try again after %(time)s.",
                    time=localtime(refused.until, "time"),
                )
            )
            page = render_template(
                "auth/login.html", error=error, username=username, next_url=next_url
            )
            return page, 429
        account = None
        if username and password:
            account = accounts.authenticate(db, username, password)
        if account is None:  # the attempt was counted as a failure already
            error = _l("Wrong username or password.")
            return render_template(
                "auth/login.html", error=error, username=username, next_url=next_url
            )
        login_throttle.record_login_success(db, username, request.remote_addr or "")
        start_session(account)
        return redirect(next_url or url_for("index"))
    if current_account() is not None and auth_method() == "session":
        return redirect(next_url or url_for("index"))
    return render_template("auth/login.html", error=None, username="", next_url=next_url)


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    end_session()
    flash(_l("You have logged out."), "info")
    return redirect(url_for("auth.login"))


def index() -> ResponseReturnValue:
    """``/``: a logged-in person goes to their audience's home; others see a log-in link."""
    account = current_account()
    if account is not None:
        home = audience_home_url(account)
        if home is not None:
            return redirect(home)
    try:
        rules_url = url_for("public.rules")
    except BuildError:  # an app without the public pages
        rules_url = ""
    return render_template("auth/home.html", demo_logins=_demo_logins(), rules_url=rules_url)


def _demo_logins() -> list[tuple[str, str, str, str]]:
    """In the demo (issue 11 item 11): (username, password, role, name) of every demo log-in."""
    from web.demo import DEMO_ACCOUNTS, demo_is_loaded
    from web.services import get_service

    try:
        loaded = demo_is_loaded(get_service())
    except Exception:  # no store yet: not the demo
        return []
    if not loaded:
        return []
    # usernames and roles only: the people's names are not shown to someone not logged in (P4)
    return [(user, password, role, "") for user, password, role, _name, *_ in DEMO_ACCOUNTS]


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.add_url_rule("/", "index", index)
