-- Case timeline (R21) and one summary row per case, written by projections/timeline.py.
-- Timestamps: TEXT, ISO-8601 UTC, YYYY-MM-DDTHH:MM:SS.ffffffZ (projections.db.ts).
-- Money: BIGINT fen. JSON columns: TEXT, compact, keys sorted. Flags: SMALLINT 0/1.

-- One row per case event: the step a person recognises, who took it, when, why, under which
-- rule, and how the deadlines stood before and after it.
CREATE TABLE timeline_steps (
    case_no           TEXT     NOT NULL,
    version           BIGINT   NOT NULL,            -- the event's originator_version
    notification_id   BIGINT   NOT NULL,
    step              TEXT     NOT NULL,            -- stable code, see projections/labels.py
    event_name        TEXT     NOT NULL,
    actor_role        TEXT     NOT NULL,
    actor_id          TEXT     NOT NULL,            -- display names: the web joins on role + id
    actor_merchant_id TEXT     NOT NULL DEFAULT '',
    at                TEXT     NOT NULL,            -- business time
    recorded_at       TEXT     NOT NULL,            -- when the event was stored
    reason            TEXT     NOT NULL DEFAULT '',
    evidence          TEXT     NOT NULL DEFAULT '[]',  -- [{sha256, name, media_type, size}]
    rule              TEXT     NOT NULL,            -- policy.md rule id that applied
    details           TEXT     NOT NULL DEFAULT '{}',
    deadlines         TEXT     NOT NULL DEFAULT '[]',  -- every clock open after this step
    next_clock        TEXT     NULL,                -- earliest open, not breached deadline
    next_due_at       TEXT     NULL,
    next_rule         TEXT     NULL,
    next_party        TEXT     NULL,
    deadlines_closed  TEXT     NOT NULL DEFAULT '[]',  -- [{name, due_at, rule, party, met, outcome}]
    deadline_met      SMALLINT NULL CHECK (deadline_met IN (0, 1)),
    internal          SMALLINT NOT NULL DEFAULT 0 CHECK (internal IN (0, 1)),
    event_hash        TEXT     NOT NULL,
    prev_hash         TEXT     NOT NULL,
    PRIMARY KEY (case_no, version)
);

CREATE INDEX timeline_steps_actor ON timeline_steps (actor_role, actor_id, at);
CREATE INDEX timeline_steps_step ON timeline_steps (step, at);

-- One row per case, for lists and the case page.
CREATE TABLE case_summary (
    case_no          TEXT     PRIMARY KEY,
    case_id          TEXT     NOT NULL UNIQUE,      -- the aggregate id its events carry
    kind             TEXT     NOT NULL,
    status           TEXT     NOT NULL,
    outcome          TEXT     NOT NULL DEFAULT '',
    consumer_id      TEXT     NOT NULL,
    merchant_id      TEXT     NOT NULL,
    order_no         TEXT     NOT NULL,
    reason_code      TEXT     NOT NULL,
    channel          TEXT     NOT NULL,
    policy_version   BIGINT   NOT NULL,
    currency         TEXT     NOT NULL,
    opened_at        TEXT     NOT NULL,
    updated_at       TEXT     NOT NULL,
    closed_at        TEXT     NULL,
    responsibility   TEXT     NULL,
    refund_total_fen BIGINT   NULL,                 -- approved refund (R3.a), NULL: none
    refund_paid_fen  BIGINT   NOT NULL DEFAULT 0,
    compensation_fen BIGINT   NOT NULL DEFAULT 0,   -- granted (R14 / R10)
    ruling_outcome   TEXT     NULL,
    rating           SMALLINT NULL,                 -- R18, 1-5
    breaches         BIGINT   NOT NULL DEFAULT 0,   -- SlaBreached events so far
    complaint_open   SMALLINT NOT NULL DEFAULT 0 CHECK (complaint_open IN (0, 1)),
    deadlines        TEXT     NOT NULL DEFAULT '[]',  -- clocks open now
    next_clock       TEXT     NULL,
    next_due_at      TEXT     NULL,
    next_rule        TEXT     NULL,
    next_party       TEXT     NULL,
    last_version     BIGINT   NOT NULL,
    last_event_hash  TEXT     NOT NULL
);

CREATE INDEX case_summary_consumer ON case_summary (consumer_id, updated_at);
CREATE INDEX case_summary_merchant ON case_summary (merchant_id, status, updated_at);
CREATE INDEX case_summary_merchant_updated ON case_summary (merchant_id, updated_at);
CREATE INDEX case_summary_order ON case_summary (order_no);
CREATE INDEX case_summary_status ON case_summary (status, updated_at);
