"""Who may download an evidence file (R21, P4): a person who may see a case carrying it, on a step
they may read; everyone else gets 404. The files themselves are kept by ``web.common.evidence``."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from flask import abort
from flask.typing import ResponseReturnValue

from web import get_db
from web.common import evidence as store
from web.common.auth import case_scope, current_account


def cases_carrying(sha256: str, scope: Mapping[str, str] | None = None) -> list[str]:
    """The case numbers among ``scope`` (``web.common.auth.case_scope``) whose visible steps carry
    the evidence ``sha256``. Consumers do not reach evidence only on internal steps (P4)."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        return []
    scope = dict(scope or {})
    sql = (
        "SELECT DISTINCT t.case_no FROM timeline_steps t "
        "JOIN case_summary s ON s.case_no = t.case_no WHERE t.evidence LIKE ?"
    )
    params: list[Any] = [f'%"sha256":"{sha256}"%']
    for column in ("consumer_id", "merchant_id"):
        if column in scope:
            sql += f" AND s.{column} = ?"
            params.append(scope[column])
    if "consumer_id" in scope:
        sql += " AND t.internal = 0"
    with get_db().connect() as conn:
        rows = conn.execute(sql + " ORDER BY t.case_no", params).fetchall()
    # The LIKE is a prefilter; make sure the hash really is an item's sha256.
    return [row["case_no"] for row in rows if _carries(row["case_no"], sha256, scope)]


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
