-- Notifications (issue 9; P1, P4, R12, R21): the outbox fed by the event log, its deliveries
-- to each channel, webhook endpoints of stores, contacts and preferences of people.
-- Timestamps: TEXT, ISO-8601 UTC (projections.db.ts). Flags: 0/1.

-- What the outbox projection needs to know of each case (its own copy). Owned by the projection
-- "outbox": a rebuild empties it and replays.
CREATE TABLE notify_cases (
    case_id     TEXT PRIMARY KEY,
    case_no     TEXT NOT NULL,
    kind        TEXT NOT NULL,
    consumer_id TEXT NOT NULL,
    merchant_id TEXT NOT NULL,
    currency    TEXT NOT NULL DEFAULT 'CNY',
    status      TEXT NOT NULL
);

-- One notice per (event or deadline reminder, party). The id is deterministic
-- (projections.outbox.notice_id), so a replay or a rebuild inserts nothing new (ON CONFLICT DO
-- NOTHING). Not owned by the projection: read marks and fan-out survive a rebuild.
-- party: consumer:<id> | merchant:<store id> | platform_agent | arbitrator | finance.
-- self_action: the party took this step itself (webhooks still get it; inbox, email, SMS not).
CREATE TABLE notices (
    id           TEXT     PRIMARY KEY,
    source       TEXT     NOT NULL,  -- <case id>@<version> for a step, reminder:<case>:<clock>:<due>
    position     BIGINT   NOT NULL,  -- the event's notification id (0 for a reminder)
    party        TEXT     NOT NULL,
    notice_kind  TEXT     NOT NULL,  -- domain.process.audience.NoticeKind
    case_no      TEXT     NOT NULL,
    case_kind    TEXT     NOT NULL,
    merchant_id  TEXT     NOT NULL,
    event_name   TEXT     NOT NULL,  -- the event, or '' for a reminder
    step         TEXT     NOT NULL,  -- projections.labels step code, or 'reminder'
    actor_role   TEXT     NOT NULL,
    status       TEXT     NOT NULL,
    rule         TEXT     NOT NULL,
    at           TEXT     NOT NULL,  -- business time of the step (or the reminder's due time)
    details      TEXT     NOT NULL,  -- JSON: the step's details, currency, next deadline
    self_action  SMALLINT NOT NULL DEFAULT 0 CHECK (self_action IN (0, 1)),
    locked       SMALLINT NOT NULL DEFAULT 0 CHECK (locked IN (0, 1)),  -- cannot be turned off
    created_at   TEXT     NOT NULL,
    read_at      TEXT     NULL,
    fanned_out   SMALLINT NOT NULL DEFAULT 0 CHECK (fanned_out IN (0, 1))
);
CREATE INDEX notices_inbox ON notices (party, self_action, read_at);
CREATE INDEX notices_to_fan_out ON notices (fanned_out, position, id);

-- One delivery per (notice, recipient, channel): the id (hash of the three) is the idempotency
-- key the channel sees (email Message-ID, webhook header). status: pending | sent | failed.
CREATE TABLE notify_deliveries (
    id              TEXT    PRIMARY KEY,
    notice_id       TEXT    NOT NULL,
    channel         TEXT    NOT NULL CHECK (channel IN ('email', 'sms', 'webhook')),
    recipient       TEXT    NOT NULL,  -- username, or the store id for a webhook
    address         TEXT    NOT NULL,  -- e-mail address, phone number or URL
    locale          TEXT    NOT NULL,
    timezone        TEXT    NOT NULL,
    status          TEXT    NOT NULL DEFAULT 'pending'
        CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT    NOT NULL,
    created_at      TEXT    NOT NULL,
    sent_at         TEXT    NULL,
    last_error      TEXT    NULL
);
CREATE INDEX notify_deliveries_due ON notify_deliveries (status, next_attempt_at);
CREATE INDEX notify_deliveries_recipient ON notify_deliveries (channel, recipient);

-- Every attempt of a delivery, kept for the store to see (webhooks) and for operators.
CREATE TABLE notify_attempts (
    delivery_id TEXT    NOT NULL,
    attempt     INTEGER NOT NULL,
    at          TEXT    NOT NULL,
    ok          SMALLINT NOT NULL CHECK (ok IN (0, 1)),
    status_code INTEGER NULL,
    error       TEXT    NULL,
    PRIMARY KEY (delivery_id, attempt)
);

-- A store's webhook endpoint (one per store) and its signing secret.
CREATE TABLE notify_webhooks (
    merchant_id TEXT PRIMARY KEY,
    url         TEXT NOT NULL,
    secret      TEXT NOT NULL,
    created_at  TEXT NOT NULL
);

-- Where a person is reached besides the site.
CREATE TABLE notify_contacts (
    username TEXT PRIMARY KEY REFERENCES accounts (username) ON DELETE CASCADE,
    email    TEXT NULL,
    phone    TEXT NULL
);

-- A person's choice per kind of notice and channel; no row: the default (web.notify.prefs).
CREATE TABLE notify_preferences (
    username    TEXT     NOT NULL REFERENCES accounts (username) ON DELETE CASCADE,
    notice_kind TEXT     NOT NULL,
    channel     TEXT     NOT NULL CHECK (channel IN ('inbox', 'email', 'sms')),
    enabled     SMALLINT NOT NULL CHECK (enabled IN (0, 1)),
    PRIMARY KEY (username, notice_kind, channel)
);
