"""Who may download an evidence file (R21, P4): a person who may see the case the file was uploaded
to, on a step they may read; everyone else gets 404 (issue 10: citing a hash grants nothing).
The files themselves are kept by ``web.common.evidence``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flask import abort
from flask.typing import ResponseReturnValue

from web import get_db
from web.common import evidence as store
from web.common.auth import case_scope, current_account


def owning_case(sha256: str) -> str | None:
    """The case the file was uploaded to: the case of the first step (in event order) that
    carries ``sha256``; None when no case carries it."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        return None
    with get_db().connect() as conn:
        rows = conn.execute(
            "SELECT case_no, evidence FROM timeline_steps WHERE evidence LIKE ? "
            "ORDER BY notification_id",
            (f'%"sha256":"{sha256}"%',),
        ).fetchall()
    for row in rows:  # the LIKE is a prefilter; make sure the hash really is an item's sha256
        if any(item.get("sha256") == sha256 for item in json.loads(row["evidence"])):
            return str(row["case_no"])
    return None


def cases_carrying(sha256: str, scope: Mapping[str, str] | None = None) -> list[str]:
    """The case the evidence ``sha256`` was uploaded to (:func:`owning_case`), when it is in
    ``scope`` (``web.common.auth.case_scope``) and carries the file on a step the viewer may read
    (consumers: not only on internal steps, P4); else nothing.

    Issue 10: access follows the case the file was uploaded to, never mere knowledge of its
    hash: a case that cites the hash of a file first filed on another case grants nothing."""
    owner = owning_case(sha256)
    if owner is None:
        return []
    scope = dict(scope or {})
    sql = "SELECT 1 AS yes FROM case_summary WHERE case_no = ?"
    params: list[Any] = [owner]
    for column in ("consumer_id", "merchant_id"):
        if column in scope:
            sql += f" AND {column} = ?"
            params.append(scope[column])
    with get_db().connect() as conn:
        visible = conn.execute(sql, params).fetchone() is not None
    return [owner] if visible and _carries(owner, sha256, scope) else []


def _carries(case_no: str, sha256: str, scope: Mapping[str, str]) -> bool:
    sql = "SELECT evidence FROM timeline_steps WHERE case_no = ?"
    if "consumer_id" in scope:
        sql += " AND internal = 0"
    with get_db().connect() as conn:
        rows = conn.execute(sql, (case_no,)).fetchall()
    return any(item.get("sha256") == sha256 for row in rows for item in json.loads(row["evidence"]))


def evidence_meta(sha256: str, case_no: str) -> dict[str, Any] | None:
    with get_db().connect() as conn:
        rows = conn.execute(
            "SELECT evidence FROM timeline_steps WHERE case_no = ? ORDER BY version", (case_no,)
        ).fetchall()
    for row in rows:
        for item in json.loads(row["evidence"]):
            if item.get("sha256") == sha256:
                return dict(item)
    return None


def send_evidence(sha256: str) -> ResponseReturnValue:
    """The stored file, for a person who may see a case carrying it; 404 for anyone else."""

    account = current_account()
    if account is None:
        abort(404)
    try:
        scope = case_scope(account)
    except PermissionError:
        abort(404)
    cases = cases_carrying(sha256, scope)
    if not cases:
        abort(404)
    meta = evidence_meta(sha256, cases[0]) or {}
    return store.send(
        sha256,
        name=str(meta.get("name") or sha256),
        media_type=str(meta.get("media_type") or "application/octet-stream"),
    )
