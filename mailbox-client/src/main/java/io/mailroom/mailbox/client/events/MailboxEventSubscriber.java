package io.mailroom.mailbox.client.events;

import io.mailroom.mailbox.client.AuthenticatedAccount;

/**
 * Receives mailbox-api's change events for the accounts a process cares about (the IMAP gateway: the accounts with a
 * session on this replica). Two adapters, chosen like the queue's by {@code mailroom.events.type}:
 * {@code postgres} (LISTEN/NOTIFY, the single-machine default) and {@code rabbitmq} (a topic exchange, routing key
 * {@code account.<accountId>}, one exclusive queue per subscriber).
 *
 * <p>The subscriber keeps its connection open and re-opens it after a loss, then lets every subscription catch up
 * ({@link EventSubscription}). Subscribing is cheap and may be done per IMAP session.
 */
public interface MailboxEventSubscriber extends AutoCloseable {

    /**
     * Delivers the account's events to the listener until the subscription is closed. Events committed after this
     * returns are delivered; the address is what catch-up asks mailbox-api about.
     */
    EventSubscription subscribe(AuthenticatedAccount account, MailboxEventListener listener);

    /** Whether the connection to the event source is up right now (for health checks). */
    boolean connected();

    @Override
    void close();
}
