"""Consumer pages (``/my``): orders, opening a case, the case page with its actions, evidence.

Work in progress: for now this module registers the shared case blueprint (``web.casepage``) so
that ``/evidence/<sha256>`` exists for every audience's case page.
"""

from __future__ import annotations

from flask import Blueprint, Flask

from domain.values import Role
from web import casepage
from web.auth import restrict_blueprint

bp = Blueprint("consumer", __name__, url_prefix="/my")
restrict_blueprint(bp, Role.CONSUMER)


def init_app(app: Flask) -> None:
    app.register_blueprint(casepage.bp)
    app.register_blueprint(bp)
