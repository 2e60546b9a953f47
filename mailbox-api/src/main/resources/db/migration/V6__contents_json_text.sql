-- A message's envelope and MIME structure are only ever written whole and read whole: a gateway FETCH passes them on
-- as they are. json keeps the text as written; jsonb took it apart on every write and printed it anew on every read
-- (~8 µs per envelope: a 500-message FETCH ENVELOPE spent more in jsonb's output than in the rest of its statement).
-- Rows already stored keep jsonb's rendering of their JSON (the same JSON); new rows keep the text mailbox-api writes.
-- Rewrites the table once, under an exclusive lock.
ALTER TABLE message_contents
    ALTER COLUMN envelope TYPE json USING envelope::json,
    ALTER COLUMN structure TYPE json USING structure::json;
