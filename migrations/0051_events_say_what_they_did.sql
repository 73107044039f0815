-- Issue 7, events say what they did: the read side copies each Case event's status, rule and
-- moves allowed per role instead of mirroring the process (projections/timeline.py, queues.py).
-- Timestamps: TEXT, ISO-8601 UTC (projections.db.ts). Days: TEXT YYYY-MM-DD, CST.

-- The status a step led to, as its event said.
ALTER TABLE timeline_steps ADD COLUMN status TEXT NOT NULL DEFAULT '';

-- Role -> moves the domain allows now (JSON, keys sorted); NULL: the last event did not say (an
-- upcast version 1 event), ask the domain.
ALTER TABLE case_summary ADD COLUMN allowed TEXT NULL;
-- R3: both refund clocks, the earlier wins: the policy's working days after approval, and the
-- statutory 7 natural days from the goods' delivery back (Law art. 13), ending 24:00 CST.
ALTER TABLE case_summary ADD COLUMN refund_working_due_at TEXT NULL;
ALTER TABLE case_summary ADD COLUMN refund_statutory_due_at TEXT NULL;

-- The same two clocks on an approved refund; due_at / due_day stay the deadline that holds (the
-- earlier). Refunds approved before: the working days were the only clock.
ALTER TABLE ledger_refunds ADD COLUMN working_due_at TEXT NULL;
ALTER TABLE ledger_refunds ADD COLUMN statutory_due_at TEXT NULL;
ALTER TABLE ledger_refunds ADD COLUMN statutory_due_day TEXT NULL;
UPDATE ledger_refunds SET working_due_at = due_at;

-- The timeline and the queues are rebuilt from the events by the next catch-up (their rows
-- now hold what the events say): empty them, forget their parked events, start from 0.
DELETE FROM timeline_steps;
DELETE FROM case_summary;
DELETE FROM queue_items;
DELETE FROM queue_cases;
DELETE FROM parked_events WHERE projection IN ('timeline', 'queues');
UPDATE projection_tracking SET position = 0 WHERE name IN ('timeline', 'queues');
