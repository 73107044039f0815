"""Marshmallow schemas of the JSON API (``/api/v1``): request bodies -> command arguments, and read
rows -> JSON. ``web/api/openapi.py`` builds the OpenAPI document from these same classes, so what
is documented is what is validated.

``base`` field types and base schemas; ``commands`` the case commands' bodies; ``policies`` a
policy version's body; ``queries`` query strings; ``responses`` and ``finance`` what is answered.

Conventions:

- money is integer fen (``*_fen``), never a float; a currency code goes with it where it varies;
- times are ISO-8601 instants in UTC (``2025-03-01T08:00:00Z``); request times must carry a zone;
- every command body has a ``request_id`` (1-120 characters, a UUID is best): repeating it
  returns the first result with ``"replayed": true`` and records nothing;
- unknown fields are refused (400 naming them), so a misspelt field is never silently ignored.
"""
