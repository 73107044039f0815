"""Stores as people read them: the name a store publishes with its policy (R11), its id beside it
only where no name was published. One lookup per request and store."""

from __future__ import annotations

from flask import Flask, g

from projections.policies import store_names
from web import get_db


def store_name(merchant_id: str) -> str:
    """The store's published name, or its id when it has published none."""
    known: dict[str, str] = g.setdefault("store_names", {})
    if merchant_id not in known:
        known.update(store_names(get_db(), [merchant_id]))
        known.setdefault(merchant_id, merchant_id)
    return known[merchant_id]


def init_app(app: Flask) -> None:
    app.add_template_global(store_name)
