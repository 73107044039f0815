"""The arbitrator's blueprint (``/arbitration``, arbitrators only) and its navigation."""

from __future__ import annotations

import logging

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from domain.values import Role
from web.common.auth import add_nav_link, restrict_blueprint, set_audience_home

log = logging.getLogger(__name__)

bp = Blueprint("arbitrator", __name__, url_prefix="/arbitration")
restrict_blueprint(bp, Role.ARBITRATOR)
add_nav_link(bp, "arbitrator.index", _l("Arbitration"), Role.ARBITRATOR, order=10)
set_audience_home(bp, Role.ARBITRATOR, "arbitrator.index")

PAGE_SIZE = 50
REASONING_MAX = 4000
