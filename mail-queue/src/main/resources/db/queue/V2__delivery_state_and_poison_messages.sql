-- Per-message delivery state and poison-message detection (docs/queue-format.md).
--
-- attempts now counts every claim (incremented when a consumer takes the row, so a delivery that
-- ended in a crash counts too) instead of every recorded retry: the processor sees attempt = attempts.
-- For the rows queued before this migration both readings agree: a row retried twice had attempts = 2,
-- and its next claim makes it 3, the attempt number it would have had before.

ALTER TABLE mailroom_queue.mail_queue
    -- what earlier attempts achieved (DeliveryState as JSON); NULL = nothing yet
    ADD COLUMN state jsonb,
    -- claims since the last recorded outcome, the current one included: past mailroom.queue.max-deliveries
    -- the row is dead-lettered instead of being handed out again (it kills its consumer every time)
    ADD COLUMN unfinished_deliveries integer NOT NULL DEFAULT 0;

ALTER TABLE mailroom_queue.dead_letter
    ADD COLUMN state      jsonb,
    ADD COLUMN last_error text;

-- the admin listing of deferred messages and the oldest-message gauge
CREATE INDEX mail_queue_enqueued_at ON mailroom_queue.mail_queue (enqueued_at);
