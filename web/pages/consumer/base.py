"""The consumer's blueprint (``/my``, consumers only, its navigation) and what its pages share:
the logged-in consumer, the reasons each kind accepts, evidence uploads kept or discarded."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from flask import Blueprint, abort
from flask_babel import lazy_gettext as _l

from domain.values import CaseKind, Reason, Role
from web.common import evidence as evidence_store
from web.common.accounts import Account
from web.common.auth import add_nav_link, current_account, restrict_blueprint, set_audience_home
from web.common.evidence_access import cases_carrying

log = logging.getLogger(__name__)

bp = Blueprint("consumer", __name__, url_prefix="/my")
restrict_blueprint(bp, Role.CONSUMER)
add_nav_link(bp, "consumer.orders", _l("My orders"), Role.CONSUMER, order=10)
add_nav_link(bp, "consumer.cases", _l("My cases"), Role.CONSUMER, order=20)
set_audience_home(bp, Role.CONSUMER, "consumer.orders")

MAX_DESCRIPTION = 2000
MAX_REASON = 1000

#: Reasons a consumer may give for each kind, in the order the form offers them. The domain
#: (``domain.rules.eligibility``) has the last word; tests check this agrees with it.
REASONS_BY_KIND: dict[str, tuple[str, ...]] = {
    CaseKind.RETURN_REFUND.value: (
        Reason.NO_REASON.value,
        Reason.QUALITY_DEFECT.value,
        Reason.WRONG_ITEM.value,
        Reason.TRANSPORT_DAMAGE.value,
        Reason.MISSING_ITEM.value,
    ),
    CaseKind.EXCHANGE.value: (
        Reason.NO_REASON.value,
        Reason.QUALITY_DEFECT.value,
        Reason.WRONG_ITEM.value,
        Reason.TRANSPORT_DAMAGE.value,
        Reason.MISSING_ITEM.value,
    ),
    CaseKind.REFUND_ONLY.value: (
        Reason.NOT_DELIVERED.value,
        Reason.MISSING_ITEM.value,
        Reason.QUALITY_DEFECT.value,
        Reason.WRONG_ITEM.value,
        Reason.TRANSPORT_DAMAGE.value,
    ),
    CaseKind.REPAIR.value: (
        Reason.QUALITY_DEFECT.value,
        Reason.TRANSPORT_DAMAGE.value,
        Reason.USER_DAMAGE.value,
    ),
    CaseKind.COMPLAINT.value: (Reason.SERVICE.value,),
}
REFUND_BEARING = frozenset({CaseKind.RETURN_REFUND.value, CaseKind.REFUND_ONLY.value})


def utc_now() -> datetime:
    return datetime.now(UTC)


def me() -> Account:
    account = current_account()
    if account is None:  # restrict_blueprint ran first; this is for the type checker
        abort(401)
    return account


def save_all(uploads: Sequence[evidence_store.CheckedUpload]) -> list[str]:
    """Store every checked upload; returns the hashes written now (kept copies are not listed)."""
    written = []
    for item in uploads:
        existed = evidence_store.path_for(item.sha256).exists()
        evidence_store.save(item)
        if not existed:
            written.append(item.sha256)
    return written


def discard(written: Sequence[str]) -> None:
    """Remove files written for a command the domain refused: nothing is stored on an error."""
    for sha256 in written:
        if not cases_carrying(sha256):
            evidence_store.path_for(sha256).unlink(missing_ok=True)
