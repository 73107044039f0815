"""Stores as people read them: the name a store publishes with its policy (R11), its id beside it
only where no name was published. One lookup per request and store."""

from __future__ import annotations

from flask import Flask, current_app, g

from projections.policies import all_store_names, store_names
from web import get_db


def store_name(merchant_id: str) -> str:
    """The store's published name, or its id when it has published none."""
    known: dict[str, str] = g.setdefault("store_names", {})
    if merchant_id not in known:
        known.update(store_names(get_db(), [merchant_id]))
        known.setdefault(merchant_id, merchant_id)
    return known[merchant_id]


def store_choices() -> list[tuple[str, str]]:
    """(merchant id, name) of every store, by name: filters pick a store by its name."""
    return sorted(all_store_names(get_db()).items(), key=lambda item: (item[1], item[0]))


def rule_anchor(rule: str) -> str:
    """The anchor of ``rule`` on the rules page (``R12.a`` when listed there, else ``R12``)."""
    listed = current_app.extensions.get("rule_ids", frozenset())  # set by the rules page
    return rule if rule in listed else rule.split(".")[0]


def init_app(app: Flask) -> None:
    """Template globals that put names in place of codes (issue 11 item 4): stores, categories,
    listed parts, and rule anchors for the links consumers read instead of rule ids (item 5)."""
    from web.common.labels import category_name, category_names, part_name, part_names

    app.add_template_global(store_name)
    app.add_template_global(store_choices)
    app.add_template_global(rule_anchor)
    app.add_template_global(category_name)
    app.add_template_global(category_names)
    app.add_template_global(part_name)
    app.add_template_global(part_names)
    from web.common.step_text import text_label

    app.add_template_global(text_label)
    from web.common.formats import money

    app.add_template_global(money)
