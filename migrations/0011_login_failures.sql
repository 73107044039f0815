-- Failed log-ins, to stop password guessing (web/accounts.py login_locked_until). A success
-- clears a user's rows; rows older than the lock window are deleted as new ones arrive.
CREATE TABLE login_failures (
    username TEXT NOT NULL,
    remote   TEXT NOT NULL DEFAULT '',
    at       TEXT NOT NULL
);

CREATE INDEX login_failures_user ON login_failures (username, at);
