-- Positions of our read-model projections in the event store's notification log.
-- One row per projection (not per upstream application, unlike the library's own tracking
-- table), so several projections in one database keep separate positions.
-- updated_at: TEXT, ISO-8601 UTC, YYYY-MM-DDTHH:MM:SS.ffffffZ (projections.db.ts).
CREATE TABLE projection_tracking (
    name       TEXT   PRIMARY KEY,
    position   BIGINT NOT NULL CHECK (position >= 0),
    updated_at TEXT   NOT NULL
);
