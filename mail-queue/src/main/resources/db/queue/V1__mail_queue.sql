-- The PostgreSQL queue (docs/queue-format.md). It lives in a schema of its own with its own Flyway
-- history table, so that it can share a database with mailbox-api without touching its schema.

CREATE TABLE mailroom_queue.mail_queue (
    id           text        PRIMARY KEY,            -- QueuedMail.id, assigned by smtp-ingress
    version      integer     NOT NULL,               -- message format version (QueuedMail.FORMAT_VERSION)
    envelope     jsonb       NOT NULL,               -- version, id, traceId, envelopeFrom, recipients, receivedAt
    content      bytea       NOT NULL,               -- the raw RFC 5322 bytes, unchanged
    enqueued_at  timestamptz NOT NULL DEFAULT now(),
    available_at timestamptz NOT NULL DEFAULT now(), -- not offered to consumers before this (retry back-off)
    attempts     integer     NOT NULL DEFAULT 0,     -- retries so far: the processor sees attempt = attempts + 1
    deliveries   integer     NOT NULL DEFAULT 0,     -- times a consumer took the row, crashes included
    locked_until timestamptz,                        -- a consumer holds the row until then (visibility timeout)
    lease        uuid,                               -- which claim holds it: only that claim may ack it
    last_error   text
);

-- consumers look for rows that are due, oldest first
CREATE INDEX mail_queue_available_at ON mailroom_queue.mail_queue (available_at);

CREATE TABLE mailroom_queue.dead_letter (
    seq         bigserial   PRIMARY KEY,
    id          text        NOT NULL,
    version     integer     NOT NULL,
    envelope    jsonb       NOT NULL,
    content     bytea       NOT NULL,
    enqueued_at timestamptz NOT NULL,
    attempts    integer     NOT NULL,
    dead_at     timestamptz NOT NULL DEFAULT now(),
    reason      text        NOT NULL
);

CREATE INDEX dead_letter_id ON mailroom_queue.dead_letter (id);

-- wakes idle consumers (LISTEN mailroom_queue) as soon as a new message is committed
CREATE FUNCTION mailroom_queue.notify_enqueued() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('mailroom_queue', '');
    RETURN NULL;
END
$$;

CREATE TRIGGER mail_queue_enqueued AFTER INSERT ON mailroom_queue.mail_queue
    FOR EACH STATEMENT EXECUTE FUNCTION mailroom_queue.notify_enqueued();
