-- Refund ledger (projections/ledger.py): a double-entry journal fed by Case events, and the
-- per-case state the projection needs to book later events (events after Opened do not repeat
-- the merchant, the currency or what was paid).
-- Money: BIGINT fen. Timestamps: TEXT ISO-8601 UTC (projections.db.ts). Days: TEXT YYYY-MM-DD,
-- the calendar day in China Standard Time (Asia/Shanghai).

-- One row per case the ledger has seen (from Case.Opened).
CREATE TABLE ledger_cases (
    case_id                 TEXT   PRIMARY KEY,      -- Case aggregate id (event originator_id)
    case_no                 TEXT   NOT NULL UNIQUE,
    merchant_id             TEXT   NOT NULL,
    order_no                TEXT   NOT NULL,
    currency                TEXT   NOT NULL,
    goods_paid_fen          BIGINT NOT NULL CHECK (goods_paid_fen >= 0), -- paid for its lines (R3.a)
    repair_fee_deferred_fen BIGINT NOT NULL DEFAULT 0 CHECK (repair_fee_deferred_fen >= 0),
    last_version            BIGINT NOT NULL          -- last case event applied: replay guard
);

-- The journal. One entry per booking event (entry_id = '<case_no>#<event_version>'), one row per
-- line; every line is one-sided and positive. Per entry (and so in total, per currency)
-- SUM(debit_fen) = SUM(credit_fen). The primary key makes a repeated event unable to double a line.
CREATE TABLE journal (
    entry_id      TEXT    NOT NULL,
    line_no       INTEGER NOT NULL CHECK (line_no >= 1),
    case_no       TEXT    NOT NULL,
    merchant_id   TEXT    NOT NULL,
    account       TEXT    NOT NULL,
    debit_fen     BIGINT  NOT NULL CHECK (debit_fen >= 0),
    credit_fen    BIGINT  NOT NULL CHECK (credit_fen >= 0),
    currency      TEXT    NOT NULL,
    at            TEXT    NOT NULL,                  -- the event's business time
    cst_day       TEXT    NOT NULL,                  -- its CST date
    event_version BIGINT  NOT NULL,
    kind          TEXT    NOT NULL,
    PRIMARY KEY (case_no, event_version, line_no),
    UNIQUE (entry_id, line_no),
    CHECK ((debit_fen > 0 AND credit_fen = 0) OR (debit_fen = 0 AND credit_fen > 0))
);

CREATE INDEX journal_account ON journal (account, currency);
CREATE INDEX journal_merchant_day ON journal (merchant_id, cst_day);
CREATE INDEX journal_day ON journal (cst_day);

-- One row per approved refund (a case is refunded once, R3.a): what is owed and by when (R3).
CREATE TABLE ledger_refunds (
    case_no          TEXT    PRIMARY KEY,
    merchant_id      TEXT    NOT NULL,
    currency         TEXT    NOT NULL,
    goods_fen        BIGINT  NOT NULL,
    shipping_fen     BIGINT  NOT NULL,
    total_fen        BIGINT  NOT NULL,
    money_fen        BIGINT  NOT NULL,               -- card + wallet: goes through the PSP
    in_kind_fen      BIGINT  NOT NULL,               -- points + coupons: restored in kind
    approved_at      TEXT    NOT NULL,
    approved_version BIGINT  NOT NULL,
    due_at           TEXT    NULL,                   -- R3 REFUND_PAYMENT deadline (24:00 CST ...)
    due_day          TEXT    NULL,                   -- ... i.e. the last CST day money may arrive
    due_provisional  INTEGER NOT NULL DEFAULT 0 CHECK (due_provisional IN (0, 1)),
    status           TEXT    NOT NULL CHECK (status IN ('approved', 'failed', 'paid')),
    failed_attempts  INTEGER NOT NULL DEFAULT 0,
    last_failure     TEXT    NULL,
    last_failed_at   TEXT    NULL,
    paid_at          TEXT    NULL,
    psp_reference    TEXT    NULL
);

CREATE INDEX ledger_refunds_due ON ledger_refunds (status, due_day);
CREATE INDEX ledger_refunds_merchant ON ledger_refunds (merchant_id, status);

-- Payments recorded by finance (RefundPaid, CompensationPaid): what reconciliation matches against
-- the payment provider's settlement report, by psp_reference.
CREATE TABLE ledger_payments (
    case_no        TEXT   NOT NULL,
    event_version  BIGINT NOT NULL,
    kind           TEXT   NOT NULL CHECK (kind IN ('refund', 'compensation')),
    psp_reference  TEXT   NOT NULL,
    merchant_id    TEXT   NOT NULL,
    currency       TEXT   NOT NULL,
    amount_fen     BIGINT NOT NULL,                  -- what the event says was paid
    psp_amount_fen BIGINT NOT NULL,                  -- the part that moved through the PSP
    paid_at        TEXT   NOT NULL,
    paid_day       TEXT   NOT NULL,
    PRIMARY KEY (case_no, event_version)
);

CREATE INDEX ledger_payments_reference ON ledger_payments (psp_reference);
CREATE INDEX ledger_payments_day ON ledger_payments (paid_day);
