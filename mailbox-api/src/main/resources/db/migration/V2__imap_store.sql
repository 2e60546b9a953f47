-- What the IMAP gateway needs from the store (issue 3): content facts computed once at filing, emailIds and
-- threads, subscriptions by name, METADATA, quotas with exact usage, and the outbox that change events leave from.

-- ---- messages: identity across copies, threads, top-level MIME facts ----
CREATE SEQUENCE email_ids AS bigint;

ALTER TABLE messages
    -- the content's identity within the account: a copy or a move keeps it (RFC 8474 EMAILID, James MessageId)
    ADD COLUMN email_id        bigint,
    -- the emailId of the first message of the conversation (RFC 8474 THREADID)
    ADD COLUMN thread_id       bigint,
    -- the MODSEQ the message was added with, so "changes since" tells added from changed
    ADD COLUMN created_modseq  bigint,
    ADD COLUMN media_type      text,
    ADD COLUMN sub_type        text,
    -- James's "textual line count": lines of a top-level text/* body, else null
    ADD COLUMN text_lines      bigint,
    -- the Date header, for SENTBEFORE/SENTON/SENTSINCE; null when missing or unreadable
    ADD COLUMN sent_date       timestamptz,
    ADD COLUMN has_attachment  boolean;

UPDATE messages SET email_id = nextval('email_ids'), created_modseq = modseq, media_type = 'text', sub_type = 'plain',
                    has_attachment = false;
UPDATE messages SET thread_id = email_id;

ALTER TABLE messages
    ALTER COLUMN email_id SET NOT NULL,
    ALTER COLUMN thread_id SET NOT NULL,
    ALTER COLUMN created_modseq SET NOT NULL,
    ALTER COLUMN media_type SET NOT NULL,
    ALTER COLUMN sub_type SET NOT NULL,
    ALTER COLUMN has_attachment SET NOT NULL,
    ALTER COLUMN has_attachment SET DEFAULT false;
CREATE INDEX messages_email_idx ON messages (account_id, email_id);
CREATE INDEX messages_thread_idx ON messages (account_id, thread_id);
-- the blob sweeper and the reference counts are checked against this
CREATE INDEX messages_blob_idx ON messages (blob_sha256);

-- What filing extracted from a content, once per emailId and account (copies share it): the raw header block for
-- ENVELOPE and BODY[HEADER] without reading the blob, the envelope and MIME tree, and the text that searches read.
-- It lives beside messages so the rows that FETCH FLAGS and STATUS scan stay narrow.
CREATE TABLE message_contents (
    account_id         bigint      NOT NULL REFERENCES accounts (id),
    email_id           bigint      NOT NULL,
    header             bytea       NOT NULL,
    -- unfolded, RFC 2047-decoded "name: value" lines, for header searches
    header_text        text        NOT NULL,
    -- decoded text of the text/* parts, cut at a limit (see MessageParser), for BODY/TEXT searches
    body_text          text        NOT NULL,
    envelope           jsonb,
    structure          jsonb,
    message_id_header  text,
    -- PostgreSQL full-text search over subject and text body ('simple': mail comes in every language)
    search             tsvector    NOT NULL,
    PRIMARY KEY (account_id, email_id)
);
CREATE INDEX message_contents_search_idx ON message_contents USING gin (search);
CREATE INDEX message_contents_message_id_idx ON message_contents (account_id, message_id_header);

INSERT INTO message_contents (account_id, email_id, header, header_text, body_text, message_id_header, search)
SELECT m.account_id, m.email_id, substring(b.content FROM 1 FOR m.header_size), '', '', m.message_id_header,
       to_tsvector('simple', coalesce(m.subject, ''))
  FROM messages m JOIN blobs b ON b.sha256 = m.blob_sha256;

-- ---- mailboxes: keywords in use, subscriptions by name, the expunge-record floor ----
ALTER TABLE mailboxes
    -- every keyword ever set on a message here, for FLAGS / PERMANENTFLAGS (RFC 9051 §7.3.5 allows extra ones)
    ADD COLUMN keywords text[] NOT NULL DEFAULT '{}',
    -- expunge records at or below this MODSEQ have been purged (mailroom.mailbox.expunge-retention): a "changes
    -- since" older than it cannot list every removal
    ADD COLUMN expunged_floor bigint NOT NULL DEFAULT 0;

-- Subscriptions are to names, which need not exist (RFC 9051 §6.3.7); a rename carries them along.
CREATE TABLE subscriptions (
    account_id  bigint NOT NULL REFERENCES accounts (id),
    name        text   NOT NULL,
    PRIMARY KEY (account_id, name)
);
INSERT INTO subscriptions (account_id, name) SELECT account_id, name FROM mailboxes WHERE subscribed;
ALTER TABLE mailboxes DROP COLUMN subscribed;

-- Mailbox METADATA (RFC 5464). Keys compare case-insensitively, so the key is stored in lower case; values are text.
CREATE TABLE annotations (
    account_id  bigint NOT NULL,
    mailbox_id  bigint NOT NULL,
    key         text   NOT NULL,
    value       text   NOT NULL,
    PRIMARY KEY (account_id, mailbox_id, key),
    CONSTRAINT annotations_mailbox_fk FOREIGN KEY (account_id, mailbox_id) REFERENCES mailboxes (account_id, id) ON DELETE CASCADE,
    CONSTRAINT annotations_key_lower CHECK (key = lower(key))
);

ALTER TABLE expunged DROP CONSTRAINT expunged_mailbox_fk;
ALTER TABLE expunged ADD CONSTRAINT expunged_mailbox_fk
    FOREIGN KEY (account_id, mailbox_id) REFERENCES mailboxes (account_id, id) ON DELETE CASCADE;
CREATE INDEX expunged_age_idx ON expunged (expunged_at);

-- ---- quotas: limits on the account, usage in its own row (one row lock per account serialises additions) ----
ALTER TABLE accounts
    ADD COLUMN quota_storage  bigint,
    ADD COLUMN quota_messages bigint,
    ADD CONSTRAINT accounts_quota_positive CHECK (quota_storage IS NULL OR quota_storage >= 0),
    ADD CONSTRAINT accounts_quota_messages_positive CHECK (quota_messages IS NULL OR quota_messages >= 0);

CREATE TABLE quota_usage (
    account_id  bigint PRIMARY KEY REFERENCES accounts (id),
    storage     bigint NOT NULL DEFAULT 0,
    messages    bigint NOT NULL DEFAULT 0,
    CONSTRAINT quota_usage_non_negative CHECK (storage >= 0 AND messages >= 0)
);
INSERT INTO quota_usage (account_id, storage, messages)
SELECT a.id, coalesce(sum(m.size), 0), count(m.id) FROM accounts a LEFT JOIN messages m ON m.account_id = a.id GROUP BY a.id;

-- ---- change events: written in the same transaction as the change, published after commit ----
CREATE TABLE event_outbox (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id    bigint      NOT NULL,
    mailbox_id    bigint      NOT NULL,
    kind          text        NOT NULL,
    uids          bigint[]    NOT NULL DEFAULT '{}',
    modseq        bigint      NOT NULL,
    mailbox_name  text,
    created_at    timestamptz NOT NULL DEFAULT now()
);

-- ---- mailbox counters: kept by statement-level triggers, so STATUS and SELECT read one row ----
-- Every writer of messages already holds the mailbox's row lock (it allocated a UID or MODSEQ there), so these
-- updates add no contention; statement-level triggers with transition tables make a STORE over 5,000 messages one
-- counter update, not 5,000.
ALTER TABLE mailboxes
    ADD COLUMN message_count bigint NOT NULL DEFAULT 0,
    ADD COLUMN unseen_count  bigint NOT NULL DEFAULT 0,
    ADD COLUMN recent_count  bigint NOT NULL DEFAULT 0,
    ADD COLUMN total_size    bigint NOT NULL DEFAULT 0;

UPDATE mailboxes mb SET message_count = d.messages, unseen_count = d.unseen, recent_count = d.recent, total_size = d.size
  FROM (SELECT account_id, mailbox_id, count(*) AS messages, count(*) FILTER (WHERE flags & 1 = 0) AS unseen,
               count(*) FILTER (WHERE flags & 32 <> 0) AS recent, sum(size) AS size
          FROM messages GROUP BY account_id, mailbox_id) d
 WHERE mb.account_id = d.account_id AND mb.id = d.mailbox_id;

CREATE FUNCTION mailbox_counters_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE mailboxes mb
           SET message_count = mb.message_count + d.messages, unseen_count = mb.unseen_count + d.unseen,
               recent_count = mb.recent_count + d.recent, total_size = mb.total_size + d.size
          FROM (SELECT account_id, mailbox_id, count(*) AS messages, count(*) FILTER (WHERE flags & 1 = 0) AS unseen,
                       count(*) FILTER (WHERE flags & 32 <> 0) AS recent, sum(size) AS size
                  FROM new_rows GROUP BY account_id, mailbox_id) d
         WHERE mb.account_id = d.account_id AND mb.id = d.mailbox_id;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE mailboxes mb
           SET message_count = mb.message_count - d.messages, unseen_count = mb.unseen_count - d.unseen,
               recent_count = mb.recent_count - d.recent, total_size = mb.total_size - d.size
          FROM (SELECT account_id, mailbox_id, count(*) AS messages, count(*) FILTER (WHERE flags & 1 = 0) AS unseen,
                       count(*) FILTER (WHERE flags & 32 <> 0) AS recent, sum(size) AS size
                  FROM old_rows GROUP BY account_id, mailbox_id) d
         WHERE mb.account_id = d.account_id AND mb.id = d.mailbox_id;
    ELSE
        UPDATE mailboxes mb
           SET message_count = mb.message_count + d.messages, unseen_count = mb.unseen_count + d.unseen,
               recent_count = mb.recent_count + d.recent, total_size = mb.total_size + d.size
          FROM (SELECT account_id, mailbox_id, sum(sign) AS messages,
                       coalesce(sum(sign) FILTER (WHERE flags & 1 = 0), 0) AS unseen,
                       coalesce(sum(sign) FILTER (WHERE flags & 32 <> 0), 0) AS recent, sum(sign * size) AS size
                  FROM (SELECT account_id, mailbox_id, flags, size, 1 AS sign FROM new_rows
                        UNION ALL
                        SELECT account_id, mailbox_id, flags, size, -1 AS sign FROM old_rows) changes
                 GROUP BY account_id, mailbox_id) d
         WHERE mb.account_id = d.account_id AND mb.id = d.mailbox_id
           AND (d.messages <> 0 OR d.unseen <> 0 OR d.recent <> 0 OR d.size <> 0);
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER messages_counters_insert AFTER INSERT ON messages
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mailbox_counters_apply();
CREATE TRIGGER messages_counters_delete AFTER DELETE ON messages
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION mailbox_counters_apply();
CREATE TRIGGER messages_counters_update AFTER UPDATE ON messages
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION mailbox_counters_apply();

-- the first unseen message (SELECT), \Deleted ones (EXPUNGE) and \Recent ones, found without scanning a mailbox
CREATE INDEX messages_unseen_idx ON messages (account_id, mailbox_id, uid) WHERE flags & 1 = 0;
CREATE INDEX messages_deleted_idx ON messages (account_id, mailbox_id, uid) WHERE flags & 8 <> 0;
CREATE INDEX messages_recent_idx ON messages (account_id, mailbox_id, uid) WHERE flags & 32 <> 0;
