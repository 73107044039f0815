-- Reconciliation of payment-provider settlement reports against the ledger (projections/reconcile.py).
-- Written by reconcile(), not by a projection: a ledger rebuild leaves these rows alone.
-- Money: BIGINT fen. Timestamps: TEXT ISO-8601 UTC. Days: TEXT YYYY-MM-DD (CST).

CREATE TABLE reconciliation_runs (
    run_id            TEXT    PRIMARY KEY,
    provider          TEXT    NOT NULL,              -- report format, e.g. 'wechatpay_refund_bill'
    file_name         TEXT    NOT NULL,
    file_sha256       TEXT    NOT NULL,
    encoding          TEXT    NOT NULL,              -- 'utf-8', 'utf-8-sig' or 'gbk'
    imported_at       TEXT    NOT NULL,
    period_start      TEXT    NOT NULL,              -- CST days the report covers (inclusive)
    period_end        TEXT    NOT NULL,
    report_rows       INTEGER NOT NULL,
    matched           INTEGER NOT NULL,
    missing_in_report INTEGER NOT NULL,
    missing_in_ledger INTEGER NOT NULL,
    amount_mismatches INTEGER NOT NULL,
    status_mismatches INTEGER NOT NULL,
    not_settled       INTEGER NOT NULL,
    report_total_fen  BIGINT  NOT NULL,              -- sum of successful report rows
    ledger_total_fen  BIGINT  NOT NULL               -- sum of ledger payments compared or missing
);

CREATE INDEX reconciliation_runs_imported ON reconciliation_runs (imported_at);

CREATE TABLE reconciliation_items (
    run_id            TEXT    NOT NULL REFERENCES reconciliation_runs (run_id) ON DELETE CASCADE,
    item_no           INTEGER NOT NULL,
    outcome           TEXT    NOT NULL CHECK (outcome IN (
                          'matched', 'missing_in_report', 'missing_in_ledger',
                          'amount_mismatch', 'status_mismatch', 'not_settled')),
    psp_reference     TEXT    NOT NULL,
    refund_id         TEXT    NULL,                  -- the provider's own refund number
    case_no           TEXT    NULL,
    merchant_id       TEXT    NULL,
    payment_kind      TEXT    NULL,                  -- 'refund' / 'compensation'
    report_row        INTEGER NULL,                  -- line in the file (the header is line 1)
    report_amount_fen BIGINT  NULL,
    ledger_amount_fen BIGINT  NULL,
    report_currency   TEXT    NULL,
    ledger_currency   TEXT    NULL,
    report_status     TEXT    NULL,
    report_at         TEXT    NULL,
    ledger_at         TEXT    NULL,
    note              TEXT    NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, item_no)
);

CREATE INDEX reconciliation_items_outcome ON reconciliation_items (run_id, outcome);
CREATE INDEX reconciliation_items_reference ON reconciliation_items (psp_reference);
