"""Pages every audience shares: ``/evidence/<sha256>`` (blueprint ``case``) serves an evidence
file to anyone who may see a case carrying it (consumers also have ``/my/evidence/...``)."""

from __future__ import annotations

from flask import Blueprint
from flask.typing import ResponseReturnValue

from web.common.auth import login_required
from web.common.evidence_access import send_evidence


def evidence(sha256: str) -> ResponseReturnValue:
    """``/evidence/<sha256>``: for every audience."""
    return send_evidence(sha256)


bp = Blueprint("case", __name__)
bp.add_url_rule("/evidence/<sha256>", "evidence", login_required()(evidence))
