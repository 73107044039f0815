"""The JSON API, ``/api/v1``: every command and query of the site for programs.

Authentication: ``Authorization: Bearer <token>`` (``aftersales users token USERNAME``) or the
site's session cookie (then POSTs need the ``X-CSRF-Token`` header). The actor of every command
is the token's or session's account, never a field of the body. Errors are JSON
(``web/common/errors.py``).

The routes live in ``cases`` (cases, commands, evidence), ``orders``, ``assistant`` (R16
answers about an order or a case), ``platform`` (queues,
policies) and ``finance`` (ledger, reconciliation, metrics), all on the one blueprint of ``core``;
importing them registers them. The request and answer schemas are ``schemas``; the OpenAPI
document (``openapi``) is served at ``/api/v1/openapi.json``.
"""

from __future__ import annotations

from flask import Flask, jsonify
from flask.typing import ResponseReturnValue

from web.api import assistant as api_assistant
from web.api import cases as api_cases
from web.api import fees as api_fees
from web.api import finance as api_finance
from web.api import orders as api_orders
from web.api import platform as api_platform
from web.api import settlement as api_settlement
from web.api.core import OPERATIONS, bp, operation
from web.api.openapi import build_document

__all__ = [
    "OPERATIONS",
    "api_assistant",
    "api_cases",
    "api_fees",
    "api_finance",
    "api_orders",
    "api_platform",
    "api_settlement",
    "bp",
]


@operation(
    "/openapi.json",
    summary="This API's OpenAPI 3.1 document",
    tag="meta",
    public=True,
)
def openapi_document() -> ResponseReturnValue:
    return jsonify(build_document())


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
