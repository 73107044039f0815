-- Orders as the consumer pages read them (R1, R3.a, R16), written by projections/orders.py.
-- Timestamps: TEXT, ISO-8601 UTC, YYYY-MM-DDTHH:MM:SS.ffffffZ (projections.db.ts).
-- Money: BIGINT fen. Flags: SMALLINT 0/1.

-- One row per order line, with the order's facts repeated (lists need no join) and how many of
-- its units are under an open refund-bearing case (LinesClaimed / LinesReleased).
CREATE TABLE order_lines (
    order_no          TEXT     NOT NULL,
    line_no           BIGINT   NOT NULL,
    order_id          TEXT     NOT NULL,            -- the aggregate id its events carry
    consumer_id       TEXT     NOT NULL,
    merchant_id       TEXT     NOT NULL,
    placed_at         TEXT     NOT NULL,
    delivered_at      TEXT     NULL,                -- delivery signed for (R1 window start)
    sku               TEXT     NOT NULL,
    title             TEXT     NOT NULL,
    category          TEXT     NOT NULL,
    quantity          BIGINT   NOT NULL,
    paid_fen          BIGINT   NOT NULL,            -- paid for all units of the line
    claimed_quantity  BIGINT   NOT NULL DEFAULT 0,  -- units under open refund-bearing cases
    non_returnable_confirmed SMALLINT NOT NULL DEFAULT 0
        CHECK (non_returnable_confirmed IN (0, 1)),  -- R1.b confirmed at purchase
    shipping_fee_fen  BIGINT   NOT NULL DEFAULT 0,  -- the order's outbound shipping
    currency          TEXT     NOT NULL,
    last_version      BIGINT   NOT NULL,            -- the order's latest event version
    PRIMARY KEY (order_no, line_no)
);

CREATE INDEX order_lines_consumer ON order_lines (consumer_id, placed_at);
CREATE INDEX order_lines_merchant ON order_lines (merchant_id, placed_at);
CREATE INDEX order_lines_order_id ON order_lines (order_id);

-- Units claimed per case and line, so that a release knows what to give back.
CREATE TABLE order_claims (
    order_no   TEXT   NOT NULL,
    case_no    TEXT   NOT NULL,
    line_no    BIGINT NOT NULL,
    quantity   BIGINT NOT NULL,
    claimed_at TEXT   NOT NULL,
    PRIMARY KEY (order_no, case_no, line_no)
);

-- Cases opened on an order (CaseNoted), in order.
CREATE TABLE order_cases (
    order_no TEXT   NOT NULL,
    case_no  TEXT   NOT NULL,
    noted_at TEXT   NOT NULL,
    version  BIGINT NOT NULL,
    PRIMARY KEY (order_no, case_no)
);
