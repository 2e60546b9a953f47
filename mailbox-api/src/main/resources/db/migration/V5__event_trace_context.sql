-- Change events carry the W3C trace context of the request that made the change (docs/events.md), so that an IMAP
-- push joins the trace of the delivery that filed the message. Null when that request was not traced.
ALTER TABLE event_outbox ADD COLUMN trace_parent text;
