"""Log-in and log-out pages, and ``/``: a logged-in person goes to their audience's home.

Sessions themselves (nonces, the account of a request) are ``web.common.auth``; the five-failures
lock is ``web.common.accounts``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l

from web import get_db
from web.common import accounts
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
    """Only same-site paths (``/x?y``): never another host, scheme or ``//host``."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
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
        locked = accounts.login_locked_until(db, username) if username else None
        if locked is not None:
            error = _l(
                "Too many failed log-ins for this user. Try again after %(time)s.",
                time=localtime(locked, "time"),
            )
            page = render_template(
                "auth/login.html", error=error, username=username, next_url=next_url
            )
            return page, 429
        account = None
        if username and password:
            account = accounts.authenticate(db, username, password)
        if account is None:
            if username:
                accounts.record_login_failure(db, username, request.remote_addr or "")
            error = _l("Wrong username or password.")
            return render_template(
                "auth/login.html", error=error, username=username, next_url=next_url
            )
        accounts.clear_login_failures(db, username)
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
    return render_template("auth/home.html")


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.add_url_rule("/", "index", index)
