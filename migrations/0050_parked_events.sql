-- Events a projection could not apply (issue 10: the read side survives a bad event).
-- One row per (projection, notification): the runner records it, rolls back only that event's
-- writes and goes on with the next events; `aftersales projections status` lists these rows and
-- exits non-zero while any exist; `aftersales projections retry [NAME]` (or a rebuild) replays
-- them once the projection is fixed, deleting each row whose event then applies.
-- error: the exception's class and message, control characters replaced, at most 1000 chars.
-- parked_at / last_tried_at: TEXT, ISO-8601 UTC (projections.db.ts).
CREATE TABLE parked_events (
    projection         TEXT    NOT NULL,
    notification_id    BIGINT  NOT NULL,
    originator_id      TEXT    NOT NULL,
    originator_version BIGINT  NOT NULL,
    topic              TEXT    NOT NULL,
    error              TEXT    NOT NULL,
    attempts           INTEGER NOT NULL DEFAULT 1 CHECK (attempts >= 1),
    parked_at          TEXT    NOT NULL,
    last_tried_at      TEXT    NOT NULL,
    PRIMARY KEY (projection, notification_id)
);
