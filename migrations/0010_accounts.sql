-- Accounts, API tokens and log-in sessions of the web app (web/accounts.py).
-- Timestamps are ISO 8601 UTC text; secrets (tokens, session nonces) are stored as sha256 hex.

CREATE TABLE accounts (
    username      TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL
        CHECK (role IN ('consumer', 'merchant', 'platform_agent', 'arbitrator', 'finance')),
    display_name  TEXT NOT NULL,
    party_id      TEXT NOT NULL,
    merchant_id   TEXT NULL,
    locale        TEXT NULL,
    timezone      TEXT NULL,
    created_at    TEXT NOT NULL,
    -- merchant staff are bound to exactly one store; nobody else has one
    CHECK ((role = 'merchant' AND merchant_id IS NOT NULL)
        OR (role <> 'merchant' AND merchant_id IS NULL)),
    UNIQUE (role, party_id)
);

CREATE INDEX accounts_merchant ON accounts (merchant_id);

CREATE TABLE api_tokens (
    token_hash   TEXT PRIMARY KEY,
    username     TEXT NOT NULL REFERENCES accounts (username) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    last_used_at TEXT NULL
);

CREATE INDEX api_tokens_username ON api_tokens (username);

CREATE TABLE web_sessions (
    session_hash TEXT PRIMARY KEY,
    username     TEXT NOT NULL REFERENCES accounts (username) ON DELETE CASCADE,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);

CREATE INDEX web_sessions_username ON web_sessions (username);
