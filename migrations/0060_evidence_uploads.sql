-- Who uploaded which evidence file through the API (issue 10, web/common/evidence_citation.py):
-- a command may cite a SHA-256 only when its actor uploaded that file, or the case carries it.
CREATE TABLE evidence_uploads (
    sha256     TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    actor_id   TEXT NOT NULL,
    at         TEXT NOT NULL,
    PRIMARY KEY (sha256, actor_role, actor_id)
);
