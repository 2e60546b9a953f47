package io.mailroom.mailbox.event;

import java.util.List;

import org.springframework.jdbc.core.simple.JdbcClient;

import io.mailroom.mailbox.client.events.EventFormat;
import io.mailroom.mailbox.client.events.MailboxChangeEvent;

/**
 * Publishes with {@code pg_notify}: PostgreSQL delivers a notification exactly when the transaction that sent it commits,
 * and never if it rolls back. The relay's usual pass is {@link #relay}: one statement that takes the oldest events out of
 * the outbox and notifies each, so the delete and the notifications commit together.
 */
class PostgresEventPublisher implements EventPublisher {

    /**
     * The relay's pass as one statement (its own transaction): the relay lock, the delete of the oldest {@code :limit}
     * events, and one {@code pg_notify} per deleted event in outbox-id order, with the payload {@link EventFormat} reads
     * (built here as JSON: the same fields as {@link MailboxChangeEvent}; a payload over the NOTIFY limit leaves out
     * {@code mailboxName}, as {@link #publish} does). The commit does not wait for the WAL flush
     * ({@code synchronous_commit} off for this transaction only): a crash right after it can at worst bring deleted
     * events back into the outbox, and they go out again (events are at least once).
     */
    static final String RELAY = """
            WITH relay AS (
                SELECT set_config('synchronous_commit', 'off', true) AS config, pg_try_advisory_xact_lock(:lock) AS mine),
            batch AS (
                DELETE FROM event_outbox o
                 WHERE o.id IN (SELECT id FROM event_outbox WHERE (SELECT mine FROM relay) ORDER BY id LIMIT :limit)
                RETURNING o.id, o.account_id, o.mailbox_id, o.kind, o.uids, o.modseq, o.mailbox_name, o.created_at,
                          o.trace_parent),
            payloads AS (
                SELECT b.id, b.account_id,
                       json_build_object('eventId', b.id, 'accountId', b.account_id, 'account', a.address,
                           'mailboxId', b.mailbox_id, 'kind', b.kind, 'uids', b.uids, 'modSeq', b.modseq,
                           'mailboxName', b.mailbox_name,
                           'at', to_char(b.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
                           'traceContext', CASE WHEN b.trace_parent IS NULL THEN json_build_object()
                                                ELSE json_build_object('traceparent', b.trace_parent) END)::text AS payload
                  FROM batch b LEFT JOIN accounts a ON a.id = b.account_id
                 ORDER BY b.id)
            SELECT count(pg_notify('mailroom_account_' || account_id,
                                   CASE WHEN octet_length(payload) <= :max THEN payload
                                        ELSE (payload::jsonb - 'mailboxName')::text END))
              FROM payloads""";

    private final JdbcClient jdbc;

    PostgresEventPublisher(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /**
     * One relay pass outside any transaction (the statement is its own): publishes and deletes up to {@code limit} of
     * the oldest events; answers how many, 0 when the outbox was empty or another replica holds the relay lock.
     */
    int relay(long lock, int limit) {
        return jdbc.sql(RELAY)
                .param("lock", lock)
                .param("limit", limit)
                .param("max", EventFormat.MAX_NOTIFY_PAYLOAD)
                .query(Integer.class)
                .single();
    }

    @Override
    public void publish(List<MailboxChangeEvent> events) {
        for (MailboxChangeEvent event : events) {
            String payload = EventFormat.write(event);
            if (payload.length() > EventFormat.MAX_NOTIFY_PAYLOAD) {
                // a very long mailbox name: the consumer learns of the change and reads the name itself
                payload = EventFormat.write(new MailboxChangeEvent(event.eventId(), event.accountId(), event.account(),
                        event.mailboxId(), event.kind(), event.uids(), event.modSeq(), null, event.at()));
            }
            jdbc.sql("SELECT pg_notify(?, ?)").params(EventFormat.channel(event.accountId()), payload)
                    .query((rs, row) -> 0).list();
        }
    }
}
