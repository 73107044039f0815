"""Merchant staff pages (R11, R12, R14, R17, R19): the store's work queue with deadlines and bulk
accept, the case page with every move policy allows the merchant now, and the store's policy.

Every route is for merchant staff only (``restrict_blueprint``) and shows only their own store: a
case of another store is a 404 on every route, GET or POST, whatever the case's state. Every form
that changes something goes through the domain (``web.common.actions.perform`` or, for the bulk
accept and the policy form, the service directly), carries a ``request_id`` (idempotent) and a
CSRF token; a refusal names its rule.

``base`` the blueprint and the store's case or 404; ``queue`` (queue, bulk accept, case list);
``case`` + ``case_view``; ``case_actions`` (the moves); ``policy`` + ``policy_form``.
"""

from web.pages.merchant import case, case_actions, policy, queue
from web.pages.merchant.base import bp

__all__ = ["bp", "case", "case_actions", "policy", "queue"]
