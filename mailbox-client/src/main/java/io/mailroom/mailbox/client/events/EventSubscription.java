package io.mailroom.mailbox.client.events;

/**
 * One listener's interest in one account's events. Closing it stops the events.
 *
 * <p><b>Catch-up.</b> A subscription remembers, per mailbox it {@link #track tracks}, the highest MODSEQ its listener has
 * been told of. After the subscriber's connection to the event source was lost and came back, it asks mailbox-api for
 * the changes since that MODSEQ ({@code MailboxStoreClient.changesSince}) and delivers them as ordinary events
 * (added, flags changed, expunged) before live events resume, so a listener misses nothing. Events at or below the
 * tracked MODSEQ (duplicates of what catch-up delivered, or redeliveries) are dropped. For mailboxes it does not track,
 * it delivers a {@link MailboxChangeEvent.Kind#RESYNC_NEEDED} event after a reconnect.
 */
public interface EventSubscription extends AutoCloseable {

    long accountId();

    /**
     * Starts (or moves) catch-up tracking of a mailbox from a state the listener knows, e.g. the HIGHESTMODSEQ it saw at
     * SELECT. Later events of that mailbox update it by themselves.
     */
    void track(long mailboxId, long knownModSeq);

    /** Stops tracking a mailbox (e.g. after CLOSE / UNSELECT). */
    void untrack(long mailboxId);

    @Override
    void close();
}
