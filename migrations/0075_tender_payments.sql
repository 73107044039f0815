-- Per-tender refund payments (issue 8; projections/ledger/refunds.py, domain/tenders.py): one
-- row per money tender of an approved refund (R3.a), with its own state and reference (R3).
-- Money: BIGINT fen. Timestamps: TEXT ISO-8601 UTC.
CREATE TABLE ledger_tender_payments (
    case_no         TEXT    NOT NULL,
    tender          TEXT    NOT NULL,                -- the tender the refund part belongs to
    paid_to         TEXT    NOT NULL,                -- where the money goes (wallet after a reroute)
    merchant_id     TEXT    NOT NULL,
    currency        TEXT    NOT NULL,
    amount_fen      BIGINT  NOT NULL CHECK (amount_fen > 0),
    status          TEXT    NOT NULL CHECK (status IN ('due', 'failed', 'paid')),
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    retries         INTEGER NOT NULL DEFAULT 0,
    psp_reference   TEXT    NULL,
    last_failure    TEXT    NULL,
    consent         TEXT    NULL,                    -- the consumer's consent to a reroute
    updated_at      TEXT    NOT NULL,
    PRIMARY KEY (case_no, tender)
);

CREATE INDEX ledger_tender_payments_status ON ledger_tender_payments (status, case_no);

-- A payment names its tender (NULL: a payment of every open tender at once, as before issue 8);
-- a payment reopened (it did not reach the consumer) is no longer one reconciliation expects.
ALTER TABLE ledger_payments ADD COLUMN tender TEXT NULL;
ALTER TABLE ledger_payments ADD COLUMN reopened_at TEXT NULL;
