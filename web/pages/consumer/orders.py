"""``/my/orders`` and ``/my/orders/<no>``: the consumer's own orders (anyone else's is a 404)."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue

from projections.case_queries import opened_lines
from projections.orders import OrderLineRow, order_lines
from projections.timeline import case_summary
from web import get_db
from web.pages.consumer.base import bp, me, utc_now
from web.pages.consumer.cases import case_row
from web.pages.consumer.order_view import LineStatus, order_view
from web.shard_reads import merged_orders_of_consumer
from web.shards import on_store_of


def own_order_rows(order_no: str) -> list[OrderLineRow]:
    rows = order_lines(get_db(), order_no)
    if not rows or rows[0].consumer_id != me().party_id:
        abort(404)
    return rows


@bp.route("/")
def home() -> ResponseReturnValue:
    return redirect(url_for("consumer.orders"))


@bp.route("/orders")
def orders() -> ResponseReturnValue:
    rows = merged_orders_of_consumer(me().party_id)  # issue 12: every store's (web.shards)
    now = utc_now()
    grouped: dict[str, list[OrderLineRow]] = {}
    for row in rows:
        grouped.setdefault(row.order_no, []).append(row)
    views = []
    for lines in grouped.values():
        with on_store_of(order_no=lines[0].order_no):
            views.append(order_view(lines, now))
    return render_template("consumer/orders.html", orders=views)


@bp.route("/orders/<order_no>")
def order(order_no: str) -> ResponseReturnValue:
    rows = own_order_rows(order_no)
    view = order_view(rows, utc_now())
    asked: LineStatus | None = None
    line_arg = request.args.get("line", "")
    if line_arg:
        asked = next((ls for ls in view.lines if str(ls.row.line_no) == line_arg), None)
    summaries = [s for s in (case_summary(get_db(), no) for no in view.cases) if s is not None]
    lines = opened_lines(get_db(), [s.case_no for s in summaries])
    return render_template(
        "consumer/order.html",
        order=view,
        asked=asked,
        line_arg=line_arg,
        cases=[case_row(s, lines.get(s.case_no)) for s in summaries],
    )
