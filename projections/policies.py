"""Merchants' published after-sales policies (R11, R19, R23), fed by ``MerchantPolicy`` events.

``policy_versions``: one row per published version: store, number, publication time, the
merchant's summary, who published it and every term as JSON (``domain.terms.PolicyTerms``).
``policy_merchants``: which store each policy aggregate belongs to (``VersionPublished`` events
carry only the aggregate id) and its latest version number.

The public store pages (R11) and the merchant's policy page read these rows; the terms come back
as a ``PolicyTerms`` value (a plain value, not an aggregate), so the web can word each term and ask
the pure rule functions about it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from enum import Enum
from typing import Any

from eventsourcing.utils import get_topic

from domain.policy import MerchantPolicy
from domain.terms import CategoryNote, Exclusion, KindHours, PolicyTerms, WarrantyPart
from projections.db import Database, DbConnection, parse_ts, ts

__all__ = [
    "POLICIES_PROJECTION",
    "PROJECTIONS",
    "PoliciesProjection",
    "PolicyRow",
    "StoreProduct",
    "current_policy",
    "policy_history",
    "policy_version",
    "store_product",
    "store_products",
    "terms_from_json",
    "terms_to_json",
]

POLICIES_PROJECTION = "policies"


# ---------------------------------------------------------------------------- terms as JSON


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if hasattr(value, "__dataclass_fields__"):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    return value


def terms_to_json(terms: PolicyTerms) -> str:
    """Every term as compact JSON with sorted keys (identical terms give identical text)."""
    return json.dumps(_plain(terms), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def terms_from_json(text: str | Mapping[str, Any]) -> PolicyTerms:
    """The ``PolicyTerms`` a :func:`terms_to_json` text describes. Terms added to the class later
    take their defaults when an older row does not name them."""
    data = dict(json.loads(text) if isinstance(text, str) else text)
    known = {f.name for f in fields(PolicyTerms)}
    values: dict[str, Any] = {k: v for k, v in data.items() if k in known}
    values["categories"] = tuple(values.get("categories", ()))
    values["warranty_parts"] = tuple(values.get("warranty_parts", ()))
    values["exclusions"] = tuple(
        Exclusion(str(e["category"]), e["kind"], str(e["reason"]))
        for e in values.get("exclusions", ())
    )
    values["notes"] = tuple(
        CategoryNote(str(n["category"]), str(n["text"])) for n in values.get("notes", ())
    )
    values["first_response_by_kind"] = tuple(  # R12.a per-kind rows
        KindHours(r["kind"], int(r["hours"])) for r in values.get("first_response_by_kind", ())
    )
    values["parts"] = tuple(  # R5 listed parts per category
        WarrantyPart(str(p["name"]), int(p["months"]), str(p.get("category", "")))
        for p in values.get("parts", ())
    )
    if "deduction_kinds" in values:  # R3.a, issue 8
        values["deduction_kinds"] = tuple(str(k) for k in values["deduction_kinds"])
    return PolicyTerms(**values)


# ---------------------------------------------------------------------------- the projection


def _s(value: Any) -> str:
    return str(value.value) if isinstance(value, Enum) else str(value)


class PoliciesProjection:
    """Writes ``policy_versions`` and ``policy_merchants`` from MerchantPolicy events."""

    name = POLICIES_PROJECTION
    tables = ("policy_versions", "policy_merchants")

    def __init__(self) -> None:
        self.topics: tuple[str, ...] = (
            get_topic(MerchantPolicy.Started),  # type: ignore[attr-defined]
            get_topic(MerchantPolicy.VersionPublished),  # type: ignore[attr-defined]
        )

    def process(self, tx: DbConnection, event: Any, notification_id: int) -> None:
        name = type(event).__name__
        policy_id = str(event.originator_id)
        version = int(event.originator_version)
        if name == "Started":
            tx.execute(
                "INSERT INTO policy_merchants (policy_id, merchant_id, started_at, "
                "current_number, last_version) VALUES (?, ?, ?, 0, ?)",
                (policy_id, str(event.merchant_id), ts(event.at), version),
            )
            return
        if name != "VersionPublished":
            return
        row = tx.execute(
            "SELECT merchant_id FROM policy_merchants WHERE policy_id = ?", (policy_id,)
        ).fetchone()
        if row is None:
            raise ValueError(
                f"VersionPublished of policy {policy_id} before its Started event "
                f"(notification {notification_id})"
            )
        merchant_id = str(row["merchant_id"])
        number = int(event.number)
        tx.execute(
            "INSERT INTO policy_versions (merchant_id, number, published_at, summary, terms, "
            "actor_role, actor_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                merchant_id,
                number,
                ts(event.at),
                str(event.summary or ""),
                terms_to_json(event.terms),
                _s(event.actor.role),
                str(event.actor.id),
            ),
        )
        tx.execute(
            "UPDATE policy_merchants SET current_number = ?, last_version = ? WHERE policy_id = ?",
            (number, version, policy_id),
        )


PROJECTIONS = (PoliciesProjection,)
"""For :mod:`projections.registry`."""


# ---------------------------------------------------------------------------- queries


@dataclass(frozen=True)
class PolicyRow:
    merchant_id: str
    number: int
    published_at: datetime
    summary: str
    terms: PolicyTerms
    actor_role: str
    actor_id: str


def _row(row: Mapping[str, Any]) -> PolicyRow:
    return PolicyRow(
        merchant_id=row["merchant_id"],
        number=int(row["number"]),
        published_at=parse_ts(row["published_at"]),
        summary=row["summary"],
        terms=terms_from_json(row["terms"]),
        actor_role=row["actor_role"],
        actor_id=row["actor_id"],
    )


_COLUMNS = "merchant_id, number, published_at, summary, terms, actor_role, actor_id"


def current_policy(db: Database, merchant_id: str) -> PolicyRow | None:
    """The store's latest published version (R11), or None when it has published none."""
    with db.connect() as conn:
        row = conn.execute(
            f"SELECT {_COLUMNS} FROM policy_versions WHERE merchant_id = ? "
            "ORDER BY number DESC LIMIT 1",
            (merchant_id,),
        ).fetchone()
    return None if row is None else _row(row)


def policy_version(db: Database, merchant_id: str, number: int) -> PolicyRow | None:
    """One numbered version of the store's policy (R19), or None."""
    with db.connect() as conn:
        row = conn.execute(
            f"SELECT {_COLUMNS} FROM policy_versions WHERE merchant_id = ? AND number = ?",
            (merchant_id, number),
        ).fetchone()
    return None if row is None else _row(row)


def policy_history(db: Database, merchant_id: str) -> list[PolicyRow]:
    """Every published version of the store's policy, newest first (R19)."""
    with db.connect() as conn:
        rows = conn.execute(
            f"SELECT {_COLUMNS} FROM policy_versions WHERE merchant_id = ? ORDER BY number DESC",
            (merchant_id,),
        ).fetchall()
    return [_row(row) for row in rows]


@dataclass(frozen=True)
class StoreProduct:
    """A product the store sells, as orders handed over by the commerce platform name it."""

    merchant_id: str
    sku: str
    title: str
    category: str


def store_product(db: Database, merchant_id: str, sku: str) -> StoreProduct | None:
    """The store's product ``sku`` (title and category as on its latest order line), or None when
    no order of this store names it. Reads ``order_lines`` (projections/orders.py)."""
    with db.connect() as conn:
        row = conn.execute(
            "SELECT merchant_id, sku, title, category FROM order_lines "
            "WHERE merchant_id = ? AND sku = ? ORDER BY placed_at DESC, order_no DESC LIMIT 1",
            (merchant_id, sku),
        ).fetchone()
    if row is None:
        return None
    return StoreProduct(row["merchant_id"], row["sku"], row["title"], row["category"])


def store_products(db: Database, merchant_id: str, *, limit: int = 200) -> list[StoreProduct]:
    """The store's products named by its orders (one per SKU, latest title and category), by
    category then title: the links from the public policy page to each product's section."""
    with db.connect() as conn:
        rows = conn.execute(
            "SELECT merchant_id, sku, title, category, placed_at, order_no FROM order_lines "
            "WHERE merchant_id = ? ORDER BY sku, placed_at DESC, order_no DESC",
            (merchant_id,),
        ).fetchall()
    latest: dict[str, StoreProduct] = {}
    for row in rows:
        if row["sku"] not in latest:
            latest[row["sku"]] = StoreProduct(
                row["merchant_id"], row["sku"], row["title"], row["category"]
            )
    ordered = sorted(latest.values(), key=lambda p: (p.category, p.title, p.sku))
    return ordered[:limit]


def store_names(db: Database, merchant_ids: Iterable[str]) -> dict[str, str]:
    """R11: each store's name as its latest published version gives it (stores without one are
    left out)."""
    wanted = sorted(set(merchant_ids))
    if not wanted:
        return {}
    marks = ", ".join("?" for _ in wanted)
    with db.connect() as conn:
        rows = conn.execute(
            f"SELECT v.merchant_id, v.terms FROM policy_versions v JOIN policy_merchants m "
            f"ON m.merchant_id = v.merchant_id AND m.current_number = v.number "
            f"WHERE v.merchant_id IN ({marks})",
            wanted,
        ).fetchall()
    names = {}
    for row in rows:
        name = str(json.loads(row["terms"]).get("store_name") or "").strip()
        if name:
            names[str(row["merchant_id"])] = name
    return names


def all_store_names(db: Database) -> dict[str, str]:
    """R11: every store with a published policy, by its name (its id when it gave none)."""
    with db.connect() as conn:
        ids = [
            str(r["merchant_id"]) for r in conn.execute("SELECT merchant_id FROM policy_merchants")
        ]
    names = store_names(db, ids)
    return {merchant_id: names.get(merchant_id, merchant_id) for merchant_id in sorted(ids)}
