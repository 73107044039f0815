"""The baseline of the page benchmark (issue 12 §4): a bare Flask app doing, per page, one indexed
SELECT of the same rows the real page shows, from the same PostgreSQL store, rendered by a plain
Jinja template. No log-in, no translations, no layout: what a page costs at the least.

Served by gunicorn like the real app: ``gunicorn -w 2 'bench.bare_app:create_app()'`` with
``BENCH_BARE_URL=postgresql://...`` in the environment.

- ``/queue/<merchant_id>``: the merchant's queue page rows (``queue_items``, index
  ``queue_items_page``), 50 of them;
- ``/timeline/<case_no>``: a case's consumer-visible steps (``timeline_steps`` by primary key).
"""

from __future__ import annotations

import os
import threading
from typing import Any

import psycopg
from flask import Flask, render_template_string
from psycopg.rows import dict_row

QUEUE_SQL = (
    "SELECT case_no, clock, awaiting, rule, due_at, status, kind, opened_at FROM queue_items "
    "WHERE queue = %s AND is_head = 1 ORDER BY sort_key, case_no LIMIT 50"
)
TIMELINE_SQL = (
    "SELECT version, step, actor_role, actor_id, at, rule FROM timeline_steps "
    "WHERE case_no = %s AND internal = 0 ORDER BY version"
)
PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><h1>{{ title }}</h1><table>
<tr>{% for name in columns %}<th>{{ name }}</th>{% endfor %}</tr>
{% for row in rows %}<tr>{% for name in columns %}<td>{{ row[name] }}</td>{% endfor %}</tr>
{% endfor %}</table></body></html>"""


def create_app() -> Flask:
    url = os.environ["BENCH_BARE_URL"]
    app = Flask(__name__)
    local = threading.local()

    def rows(sql: str, param: str) -> list[dict[str, Any]]:
        conn = getattr(local, "conn", None)
        if conn is None or conn.closed:
            conn = local.conn = psycopg.connect(url, autocommit=True, row_factory=dict_row)
        return conn.execute(sql, (param,)).fetchall()

    def page(title: str, found: list[dict[str, Any]]) -> str:
        columns = list(found[0]) if found else []
        return render_template_string(PAGE, title=title, rows=found, columns=columns)

    @app.route("/queue/<merchant_id>")
    def queue(merchant_id: str) -> str:
        return page("queue", rows(QUEUE_SQL, f"merchant:{merchant_id}"))

    @app.route("/timeline/<case_no>")
    def timeline(case_no: str) -> str:
        return page("timeline", rows(TIMELINE_SQL, case_no))

    return app
