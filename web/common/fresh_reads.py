"""Read your writes without running the world (issue 12).

A form post runs its command and redirects (POST-redirect-GET); it never runs a projection. What
it does instead:

- :func:`remember` keeps the command's ``Result.notification_id`` (the highest notification id it
  stored) in the person's session, and wakes the in-process projection worker if there is one
  (``web.projection_worker``). The session and not a query parameter: it follows the person to
  whatever page they open next (the redirect's target, or another one), it never shows up in
  addresses, bookmarks or ``Referer`` headers, and it is signed, so the only thing a client can
  do with it is make its own next page wait a little;
- a page declares the projections it reads (:func:`reads`; a page that declares nothing is taken
  to read all of them). Before a request is handled (a form post reads too: whose case it is
  ...), when the session holds an id, the request waits
  (``projections.progress.wait_until``, at most ``READ_YOUR_WRITES_SECONDS``, 2 s by default) until
  those projections have passed it, then renders; when the time ran out it renders anyway, with a
  translated "still updating" note (``g.still_updating``, shown by ``base.html``). Once every
  projection has passed the id it is forgotten.

The JSON API does the same for a client that asks: a command's response carries
``notification_id``, and a GET given ``?after=<notification_id>`` waits the same way (the
response says ``X-Still-Updating: 1`` when it did not get there in time).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, TypeVar

from flask import Flask, current_app, g, request, session
from flask.wrappers import Response

from domain.service import Result

__all__ = [
    "AFTER_PARAMETER",
    "SESSION_KEY",
    "after_parameter",
    "init_app",
    "projections_read_by",
    "reads",
    "remember",
]

SESSION_KEY = "written_at"
AFTER_PARAMETER = "after"
DEFAULT_WAIT_SECONDS = 2.0

F = TypeVar("F", bound=Callable[..., Any])


def reads(*names: str) -> Callable[[F], F]:
    """Declare the projections a view reads (``projections.registry`` names), e.g.
    ``@reads("timeline", "queues")``; ``@reads()`` for a page that reads none."""

    def mark(view: F) -> F:
        view.reads_projections = tuple(names)  # type: ignore[attr-defined]
        return view

    return mark


@lru_cache(maxsize=1)
def _all_projection_names() -> tuple[str, ...]:
    from projections.registry import all_projections

    return tuple(p.name for p in all_projections())


def projections_read_by(view: Any) -> tuple[str, ...]:
    """What ``view`` declared with :func:`reads`; every projection when it declared nothing."""
    declared = getattr(view, "reads_projections", None)
    return _all_projection_names() if declared is None else tuple(declared)


def remember(result: Result | None) -> None:
    """Keep ``result``'s notification id for the next page (a no-op or replayed command stored
    nothing: nothing to wait for) and wake the in-process projection worker."""
    notification_id = getattr(result, "notification_id", None)
    if not notification_id:
        return
    if "account" in g and g.get("auth_method") == "session":
        session[SESSION_KEY] = max(int(session.get(SESSION_KEY) or 0), int(notification_id))
    from web.projection_worker import wake

    wake(current_app._get_current_object())  # type: ignore[attr-defined]


def after_parameter() -> int | None:
    """``?after=<notification id>`` as an int (None when absent or not a positive integer)."""
    raw = request.args.get(AFTER_PARAMETER, "")
    return int(raw) if raw.isdigit() and int(raw) > 0 else None


def _wait_seconds() -> float:
    return float(current_app.config.get("READ_YOUR_WRITES_SECONDS", DEFAULT_WAIT_SECONDS))


def _before_request() -> None:
    if request.endpoint in (None, "static"):
        return
    if request.blueprint == "api" and AFTER_PARAMETER in request.args and after_parameter() is None:
        from marshmallow import ValidationError

        raise ValidationError({AFTER_PARAMETER: ["A notification id: a whole number from 1."]})
    from_session = session.get(SESSION_KEY) if SESSION_KEY in session else None
    wanted = max(int(from_session or 0), after_parameter() or 0)
    if not wanted:
        return
    from projections.progress import passed, positions, wait_until
    from web import get_db
    from web.services import get_service

    # An id beyond the store's last notification was never written: nothing to wait for.
    wanted = min(wanted, get_service().recorder.max_notification_id() or 0)
    if not wanted:
        session.pop(SESSION_KEY, None)
        return

    names = projections_read_by(current_app.view_functions.get(request.endpoint or ""))
    db = get_db()
    if not wait_until(db, names, wanted, _wait_seconds()):
        g.still_updating = True
        return
    if from_session and passed(positions(db), _all_projection_names(), int(from_session)):
        session.pop(SESSION_KEY, None)


def _mark_response(response: Response) -> Response:
    if g.get("still_updating"):
        response.headers["X-Still-Updating"] = "1"
    return response


def init_app(app: Flask) -> None:
    app.before_request(_before_request)
    app.after_request(_mark_response)
