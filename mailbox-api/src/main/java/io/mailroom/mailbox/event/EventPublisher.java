package io.mailroom.mailbox.event;

import java.util.List;

import io.mailroom.mailbox.client.events.MailboxChangeEvent;

/**
 * Sends committed events on their way: {@code mailroom.events.type} picks PostgreSQL NOTIFY or a RabbitMQ topic
 * exchange. Called by the {@link OutboxRelay} inside the transaction that then deletes the events from the outbox, so
 * an event leaves the outbox only once it was handed over (at least once: a crash between the two sends it again).
 */
public interface EventPublisher {

    /**
     * @throws Exception when the events could not be handed over; they stay in the outbox and are tried again
     */
    void publish(List<MailboxChangeEvent> events) throws Exception;
}
