-- Issue 8 (projections/receivables.py): money owed around a case and not yet settled, aged for
-- finance. kind 'repair_fee': the consumer owes the merchant an accepted repair fee (R6), from
-- QuoteAccepted, due once RepairCompleted charges it, ended by RepairFeePaid / RepairFeeWaived
-- (or cancelled when the case ends unrepaired). kind 'shipping': the merchant owes the consumer
-- a leg of an exchange or repair (R2, R8, R6), from ShippingOwed, ended by ShippingRepaid.
-- Money: BIGINT fen. Timestamps: TEXT ISO-8601 UTC. Days: TEXT YYYY-MM-DD (CST).
CREATE TABLE receivables (
    case_no       TEXT   NOT NULL,
    kind          TEXT   NOT NULL CHECK (kind IN ('repair_fee', 'shipping')),
    merchant_id   TEXT   NOT NULL,
    consumer_id   TEXT   NOT NULL,
    currency      TEXT   NOT NULL,
    amount_fen    BIGINT NOT NULL CHECK (amount_fen >= 0),
    rule          TEXT   NOT NULL,
    since_at      TEXT   NOT NULL,                   -- when it became owed
    since_day     TEXT   NOT NULL,
    status        TEXT   NOT NULL CHECK (status IN ('accepted', 'open', 'paid', 'waived', 'cancelled')),
    settled_at    TEXT   NULL,
    tender        TEXT   NULL,
    psp_reference TEXT   NULL,
    reason        TEXT   NULL,
    event_version BIGINT NOT NULL,                   -- the last event applied to it
    PRIMARY KEY (case_no, kind)
);

CREATE INDEX receivables_open ON receivables (status, since_day);

-- One row per case the projection has seen (consumer and merchant come from Opened only).
CREATE TABLE receivable_cases (
    case_id     TEXT   PRIMARY KEY,
    case_no     TEXT   NOT NULL,
    merchant_id TEXT   NOT NULL,
    consumer_id TEXT   NOT NULL,
    currency    TEXT   NOT NULL
);
