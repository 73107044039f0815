-- Work queues with due times (R12, R17), written by projections/queues.py.
-- Timestamps: TEXT, ISO-8601 UTC, YYYY-MM-DDTHH:MM:SS.ffffffZ (projections.db.ts). Flags: 0/1.

-- What the queue projection needs to know of each case to place its items (its own copy, so the
-- projection never depends on another projection's progress).
CREATE TABLE queue_cases (
    case_no        TEXT     PRIMARY KEY,
    case_id        TEXT     NOT NULL UNIQUE,  -- the aggregate id its events carry
    kind           TEXT     NOT NULL,
    status         TEXT     NOT NULL,
    merchant_id    TEXT     NOT NULL,
    consumer_id    TEXT     NOT NULL,
    platform_queue TEXT     NOT NULL DEFAULT 'platform',  -- last Routed queue (R20)
    routed_pending SMALLINT NOT NULL DEFAULT 0 CHECK (routed_pending IN (0, 1)),
    opened_at      TEXT     NOT NULL,
    updated_at     TEXT     NOT NULL,
    last_version   BIGINT   NOT NULL
);

-- One row per (case, clock) open and not yet satisfied (breached ones stay until satisfied), plus
-- at most one row with clock '' and due_at NULL when the case waits on someone without a clock
-- (the arbitrator, the platform for a refund with no clock, the merchant to inspect ...).
CREATE TABLE queue_items (
    case_no      TEXT     NOT NULL,
    clock        TEXT     NOT NULL,     -- domain.deadlines.Clock value, '' for a waiting item
    queue        TEXT     NOT NULL,     -- merchant:<id> | consumer:<id> | platform | ...
    party        TEXT     NOT NULL,     -- role that must act
    awaiting     TEXT     NOT NULL,     -- what it must do (projections/labels.py AWAITING_LABELS)
    rule         TEXT     NOT NULL,
    due_at       TEXT     NULL,
    sort_key     TEXT     NOT NULL,     -- due_at, or '9999-12-31T23:59:59.999999Z' when NULL
    breached     SMALLINT NOT NULL DEFAULT 0 CHECK (breached IN (0, 1)),
    provisional  SMALLINT NOT NULL DEFAULT 0 CHECK (provisional IN (0, 1)),
    is_head      SMALLINT NOT NULL DEFAULT 0 CHECK (is_head IN (0, 1)),  -- most urgent of its case in its queue
    status       TEXT     NOT NULL,
    kind         TEXT     NOT NULL,
    merchant_id  TEXT     NOT NULL,
    consumer_id  TEXT     NOT NULL,
    opened_at    TEXT     NOT NULL,
    updated_at   TEXT     NOT NULL,
    case_version BIGINT   NOT NULL,
    PRIMARY KEY (case_no, clock)
);

-- A queue page sorted by urgency, and a case's position in it: one range scan each.
CREATE INDEX queue_items_page ON queue_items (queue, is_head, sort_key, case_no);
-- Counts per status / clock of one queue.
CREATE INDEX queue_items_queue_status ON queue_items (queue, status);
-- The timer worker: due, not yet breached deadlines in due order.
CREATE INDEX queue_items_due ON queue_items (due_at, case_no, clock)
    WHERE breached = 0 AND due_at IS NOT NULL;
