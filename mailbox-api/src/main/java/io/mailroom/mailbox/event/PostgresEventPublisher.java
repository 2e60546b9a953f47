package io.mailroom.mailbox.event;

import java.util.List;

import org.springframework.jdbc.core.simple.JdbcClient;

import io.mailroom.mailbox.client.events.EventFormat;
import io.mailroom.mailbox.client.events.MailboxChangeEvent;

/**
 * Publishes with {@code pg_notify} on the relay's own transaction: PostgreSQL delivers the notifications exactly when
 * that transaction (which also deletes them from the outbox) commits, and never if it rolls back.
 */
class PostgresEventPublisher implements EventPublisher {

    private final JdbcClient jdbc;

    PostgresEventPublisher(JdbcClient jdbc) {
        this.jdbc = jdbc;
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
