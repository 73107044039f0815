-- Issue 7: queue items now follow the process declaration (domain.process.states: the owner and
-- queue of every open state) instead of a table of statuses of the queue projection's own. The
-- queues are rebuilt from the events by the next catch-up: empty them, forget their parked
-- events, start from 0.
DELETE FROM queue_items;
DELETE FROM queue_cases;
DELETE FROM parked_events WHERE projection = 'queues';
UPDATE projection_tracking SET position = 0 WHERE name = 'queues';
