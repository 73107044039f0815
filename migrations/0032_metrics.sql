-- Merchant metrics (projections/metrics.py; R15, R18, R22, R24). Counters that add up per day are
-- stored; medians, percentiles, rates and the badge are computed by query functions.
-- Money: BIGINT fen. Timestamps: TEXT ISO-8601 UTC. Days: TEXT YYYY-MM-DD (CST).

CREATE TABLE metrics_orders (
    order_id      TEXT   PRIMARY KEY,                -- Order aggregate id
    order_no      TEXT   NOT NULL,
    merchant_id   TEXT   NOT NULL,
    delivered_day TEXT   NULL,
    last_version  BIGINT NOT NULL                    -- replay guard
);

CREATE TABLE metrics_order_lines (
    order_id TEXT    NOT NULL,
    line_no  INTEGER NOT NULL,
    sku      TEXT    NOT NULL,
    quantity INTEGER NOT NULL,
    paid_fen BIGINT  NOT NULL,
    PRIMARY KEY (order_id, line_no)
);

-- One row per case: the response durations (R12, R15) and what happened to it.
CREATE TABLE metrics_cases (
    case_id                TEXT    PRIMARY KEY,      -- Case aggregate id
    case_no                TEXT    NOT NULL UNIQUE,
    merchant_id            TEXT    NOT NULL,
    kind                   TEXT    NOT NULL,
    opened_at              TEXT    NOT NULL,
    opened_day             TEXT    NOT NULL,
    first_response_at      TEXT    NULL,             -- first Accepted / Rejected
    first_response_day     TEXT    NULL,
    first_response_seconds BIGINT  NULL,
    first_response_kind    TEXT    NULL,             -- 'accepted' / 'rejected'
    first_response_role    TEXT    NULL,             -- merchant / platform_agent / system
    accepted_at            TEXT    NULL,
    accepted_day           TEXT    NULL,
    acceptance_seconds     BIGINT  NULL,
    closed_at              TEXT    NULL,
    refunded_fen           BIGINT  NOT NULL DEFAULT 0,
    merchant_breaches      INTEGER NOT NULL DEFAULT 0,
    complaints             INTEGER NOT NULL DEFAULT 0,
    escalated              INTEGER NOT NULL DEFAULT 0,
    rating                 INTEGER NULL,
    last_version           BIGINT  NOT NULL          -- replay guard
);

CREATE INDEX metrics_cases_merchant_opened ON metrics_cases (merchant_id, opened_day);
CREATE INDEX metrics_cases_merchant_response ON metrics_cases (merchant_id, first_response_day);
CREATE INDEX metrics_cases_merchant_accepted ON metrics_cases (merchant_id, accepted_day);

CREATE TABLE metrics_merchant_daily (
    merchant_id        TEXT    NOT NULL,
    day                TEXT    NOT NULL,
    delivered_lines    INTEGER NOT NULL DEFAULT 0,   -- order lines signed for that day
    delivered_paid_fen BIGINT  NOT NULL DEFAULT 0,   -- what was paid for them
    cases_opened       INTEGER NOT NULL DEFAULT 0,   -- every kind, complaints included
    refunded_cases     INTEGER NOT NULL DEFAULT 0,   -- RefundPaid
    refunded_fen       BIGINT  NOT NULL DEFAULT 0,
    merchant_breaches  INTEGER NOT NULL DEFAULT 0,   -- SlaBreached with party = merchant
    other_breaches     INTEGER NOT NULL DEFAULT 0,   -- SlaBreached of the platform / consumer
    complaints         INTEGER NOT NULL DEFAULT 0,   -- complaint cases + ComplaintFiled
    arbitrations       INTEGER NOT NULL DEFAULT 0,   -- EscalatedToArbitration
    closed_cases       INTEGER NOT NULL DEFAULT 0,   -- Closed (not Withdrawn)
    ratings            INTEGER NOT NULL DEFAULT 0,   -- Rated (R18)
    rating_sum         INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (merchant_id, day)
);

CREATE INDEX metrics_merchant_daily_day ON metrics_merchant_daily (day);

CREATE TABLE metrics_sku_daily (
    merchant_id     TEXT    NOT NULL,
    sku             TEXT    NOT NULL,
    day             TEXT    NOT NULL,
    delivered_units INTEGER NOT NULL DEFAULT 0,      -- units signed for that day
    returned_units  INTEGER NOT NULL DEFAULT 0,      -- units under return/exchange cases opened
    PRIMARY KEY (merchant_id, sku, day)
);

CREATE INDEX metrics_sku_daily_day ON metrics_sku_daily (day);
