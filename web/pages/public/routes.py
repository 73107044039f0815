"""Public store pages, no log-in (R11, R19, R23, P4): a store's after-sales policy in plain
language, item by item, and a product's "after-sales service" section.

- ``/stores/<merchant_id>/policy`` (``?version=N`` for an earlier version, R19): returns and their
  conditions, special goods excluded with their reasons (R1.a), exchange (R8), warranty of the unit
  and listed parts (R5), repair costs (R6), who pays which shipping leg (R2), the store's service
  promises (R12, R12.a, R5.a, R3), the after-sales carrier (R25), product limits (R23), version
  and publication date (R19).
- ``/stores/<merchant_id>/products/<sku>/after-sales``: the same for one product: its category,
  whether no-reason returns apply to it and the category's limits (R23).

Only published policies are read (``projections.policies``); nothing about cases or people.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, request
from flask.typing import ResponseReturnValue

from projections.policies import (
    current_policy,
    policy_history,
    policy_version,
    store_product,
    store_products,
)
from web import get_db
from web.common.platform import platform_constants
from web.pages.public.rules_text import RULE_GROUPS

bp = Blueprint("public", __name__)

MAX_ID = 100  # longer store ids or SKUs are not ours: 404 without a query


@bp.record_once
def _remember_rule_ids(state: Any) -> None:
    """The ids the rules page has an anchor for (``web.common.stores.rule_anchor`` links them)."""
    state.app.extensions["rule_ids"] = frozenset(
        rule_id for _title, rules in RULE_GROUPS for rule_id, _name, _text in rules
    )


@bp.route("/rules")
def rules() -> ResponseReturnValue:
    """The platform's after-sales rules, each under its id (``/rules#R12``)."""
    return render_template("public/rules.html", groups=RULE_GROUPS)


@bp.route("/stores/<merchant_id>/policy")
def policy(merchant_id: str) -> ResponseReturnValue:
    if len(merchant_id) > MAX_ID:
        abort(404)
    db = get_db()
    raw = request.args.get("version", "")
    if raw:
        if not raw.isdigit():
            abort(404)
        row = policy_version(db, merchant_id, int(raw))
    else:
        row = current_policy(db, merchant_id)
    if row is None:
        abort(404)
    history = policy_history(db, merchant_id)
    return render_template(
        "public/policy.html",
        policy=row,
        terms=row.terms,
        history=history,
        latest=history[0].number if history else row.number,
        products=store_products(db, merchant_id),
        merchant_id=merchant_id,
        **platform_constants(),
    )


@bp.route("/stores/<merchant_id>/products/<sku>/after-sales")
def product(merchant_id: str, sku: str) -> ResponseReturnValue:
    if len(merchant_id) > MAX_ID or len(sku) > MAX_ID:
        abort(404)
    db = get_db()
    row = current_policy(db, merchant_id)
    item = store_product(db, merchant_id, sku)
    if row is None or item is None:
        abort(404)
    terms = row.terms
    exclusion = terms.exclusion_for(item.category)
    notes = [n for n in terms.notes if n.category == item.category]
    return render_template(
        "public/product.html",
        policy=row,
        terms=terms,
        product=item,
        exclusion=exclusion,
        notes=notes,
        merchant_id=merchant_id,
        **platform_constants(),
    )
