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

from domain.terms import COMPLAINT_OPINION_HOURS, COMPLAINT_RESPONSE_HOURS, STATUTORY_REFUND_DAYS
from projections.policies import (
    current_policy,
    policy_history,
    policy_version,
    store_product,
    store_products,
)
from web import get_db
from web.casepage import money
from web.policy_form import EXCLUSION_KIND_LABELS

bp = Blueprint("public", __name__)

MAX_ID = 100  # longer store ids or SKUs are not ours: 404 without a query


@bp.app_template_global("fen_money")
def fen_money(fen: int | None, currency: str = "CNY") -> str:
    """``¥12.34`` from integer fen (``web.casepage.money``)."""
    return money(fen, currency)


@bp.app_template_global("exclusion_kind_label")
def exclusion_kind_label(kind: Any) -> str:
    code = str(getattr(kind, "value", kind))
    label = EXCLUSION_KIND_LABELS.get(code)
    return str(label) if label is not None else code


def public_constants() -> dict[str, int]:
    return {
        "complaint_response_hours": COMPLAINT_RESPONSE_HOURS,
        "complaint_opinion_hours": COMPLAINT_OPINION_HOURS,
        "statutory_refund_days": STATUTORY_REFUND_DAYS,
    }


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
        **public_constants(),
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
        **public_constants(),
    )
