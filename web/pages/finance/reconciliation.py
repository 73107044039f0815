"""``/finance/reconciliation``: upload a payment provider's settlement report (CSV) and see past
runs; ``/finance/reconciliation/<run_id>``: one run's matches and discrepancies."""

from __future__ import annotations

from typing import Any

from flask import (
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext

from web.common.csvexport import csv_response
from web.common.finance import (
    UploadRefused,
    import_settlement,
    load_run,
    run_id_of,
    runs,
    settlement_max_bytes,
    size_limit_text,
)
from web.pages.finance.base import OUTCOME_LABELS, bp, csv_name, wants_csv
from web.pages.finance.columns import item_columns, run_columns


@bp.route("/reconciliation", methods=["GET", "POST"])
def reconciliation() -> ResponseReturnValue:
    error: str | None = None
    status = 200
    if request.method == "POST":
        upload = request.files.get("report")
        if upload is None or not upload.filename:
            error = gettext("Settlement report: choose a CSV file to upload.")
        else:
            data = upload.read(settlement_max_bytes() + 1)
            try:
                result = import_settlement(upload.filename, data)
            except UploadRefused as refused:
                error, status = refused.message, refused.status
            else:
                flash(
                    gettext("Settlement report imported and compared with the ledger."), "success"
                )
                return redirect(url_for("finance.run", run_id=run_id_of(result)), code=303)
        if status == 200:
            status = 400
    past = runs()
    if wants_csv():
        return csv_response(csv_name("reconciliation-runs"), run_columns(), past)
    return render_template(
        "finance/reconciliation.html",
        runs=past,
        error=error,
        limit=size_limit_text(settlement_max_bytes()),
    ), status


@bp.route("/reconciliation.csv")
def reconciliation_csv() -> ResponseReturnValue:
    return csv_response(csv_name("reconciliation-runs"), run_columns(), runs())


@bp.route("/reconciliation/<run_id>")
def run(run_id: str) -> ResponseReturnValue:
    found, items = load_run(run_id)
    if wants_csv():
        return csv_response(f"reconciliation-{run_id}.csv", item_columns(), items)
    grouped: dict[str, list[Any]] = {code: [] for code in OUTCOME_LABELS}
    for item in items:
        grouped.setdefault(item.outcome, []).append(item)
    return render_template("finance/run.html", run=found, grouped=grouped, items=items)


@bp.route("/reconciliation/<run_id>.csv")
def run_csv(run_id: str) -> ResponseReturnValue:
    _found, items = load_run(run_id)
    return csv_response(f"reconciliation-{run_id}.csv", item_columns(), items)
