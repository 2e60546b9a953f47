package io.mailroom.mailbox.client.events;

/**
 * Receives the change events of one account. Called on the subscriber's own thread, one event at a time and, for one
 * mailbox, in MODSEQ order; it should hand work off rather than block (a slow listener delays the account's later
 * events, never other accounts' beyond the adapter's buffer).
 */
@FunctionalInterface
public interface MailboxEventListener {

    void onEvent(MailboxChangeEvent event);
}
