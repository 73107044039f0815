"""Who may cite an evidence file in a command (R21, issue 10): a SHA-256 is accepted only when the
acting person uploaded that file (``POST /api/v1/evidence`` records who did), or the case the
command is about carries it already (the other party's photo named again, a file cited twice).

Knowing a hash is not having the file: citing another person's upload on one's own case is a 400
naming the field and the item, and nothing is stored. The answer is the same whether or not any
file with that hash exists here, so the refusal tells nothing about other people's files.

Why the web and not the case aggregate: the case knows the evidence its own events carry, but an
upload is no event (the file is stored by content hash before any command names it), so only the
web side knows who uploaded what. The aggregate's evidence (not a projection, which may lag) is
read for "the case carries it". Pages cannot cite by hash at all: their evidence is the files
uploaded with the form itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from flask_babel import gettext

from domain.errors import DomainError
from domain.values import Actor
from projections.db import ts
from web import get_db
from web.services import get_service


def record_upload(sha256: str, actor: Actor, *, now: datetime | None = None) -> None:
    """Remember that ``actor`` uploaded the file ``sha256`` (once; later uploads keep the first)."""
    moment = now or datetime.now(UTC)
    with get_db().transaction() as tx:
        tx.execute(
            "INSERT INTO evidence_uploads (sha256, actor_role, actor_id, at) VALUES (?, ?, ?, ?) "
            "ON CONFLICT (sha256, actor_role, actor_id) DO NOTHING",
            (sha256, actor.role.value, actor.id, ts(moment)),
        )


def uploaded_by(actor: Actor, hashes: Iterable[str]) -> set[str]:
    """Those of ``hashes`` that ``actor`` uploaded."""
    wanted = sorted(set(hashes))
    if not wanted:
        return set()
    marks = ", ".join("?" for _ in wanted)
    with get_db().connect() as conn:
        rows = conn.execute(
            "SELECT sha256 FROM evidence_uploads WHERE actor_role = ? AND actor_id = ? "
            f"AND sha256 IN ({marks})",
            (actor.role.value, actor.id, *wanted),
        ).fetchall()
    return {str(row["sha256"]) for row in rows}


def carried_by_case(case_no: str) -> set[str]:
    """The hashes of the evidence the case's own events carry (empty for an unknown case)."""
    try:
        case: Any = get_service().get_case(case_no)
    except DomainError:
        return set()
    out: set[str] = set()
    for item in getattr(case, "evidence", ()):
        sha = item.get("sha256") if isinstance(item, dict) else getattr(item, "sha256", None)
        if isinstance(sha, str):
            out.add(sha)
    return out


def citation_message() -> str:
    return str(
        gettext(
            "No file with this SHA-256 was uploaded by you or is on this case; "
            "upload it first with POST /api/v1/evidence."
        )
    )


def refused_citations(
    hashes: Sequence[str], actor: Actor, case_no: str | None = None
) -> dict[int, list[str]]:
    """The items of ``hashes`` that ``actor`` may not cite (on ``case_no``; None: a new case),
    by index, each with its translated reason."""
    allowed = uploaded_by(actor, hashes)
    if case_no is not None and set(hashes) - allowed:
        allowed |= carried_by_case(case_no)
    return {index: [citation_message()] for index, sha in enumerate(hashes) if sha not in allowed}
