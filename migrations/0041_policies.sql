-- Merchants' published after-sales policies (R11, R19, R23), written by projections/policies.py.
-- Timestamps: TEXT, ISO-8601 UTC, YYYY-MM-DDTHH:MM:SS.ffffffZ (projections.db.ts).
-- JSON columns: TEXT, compact, keys sorted.

-- One row per MerchantPolicy aggregate: which store its events belong to (the VersionPublished
-- events carry only the aggregate id) and its latest version number.
CREATE TABLE policy_merchants (
    policy_id      TEXT   PRIMARY KEY,            -- the aggregate id its events carry
    merchant_id    TEXT   NOT NULL UNIQUE,
    started_at     TEXT   NOT NULL,
    current_number BIGINT NOT NULL DEFAULT 0,     -- 0: started, nothing published yet
    last_version   BIGINT NOT NULL
);

-- One row per published version (R19): its number, when it was published, the merchant's
-- summary of what changed and every term (domain.terms.PolicyTerms as JSON).
CREATE TABLE policy_versions (
    merchant_id    TEXT   NOT NULL,
    number         BIGINT NOT NULL,
    published_at   TEXT   NOT NULL,
    summary        TEXT   NOT NULL DEFAULT '',
    terms          TEXT   NOT NULL,
    actor_role     TEXT   NOT NULL,
    actor_id       TEXT   NOT NULL,
    PRIMARY KEY (merchant_id, number)
);

-- The public pages look a store up by its latest version; history lists them newest first.
CREATE INDEX policy_versions_published ON policy_versions (merchant_id, published_at);
