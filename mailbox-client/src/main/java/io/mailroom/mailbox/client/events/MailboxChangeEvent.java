package io.mailroom.mailbox.client.events;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One committed change in an account's mailboxes, published by mailbox-api after the commit (never for a change that
 * rolled back; at least once, so a consumer may see one twice). The wire format is in {@code docs/events.md}.
 *
 * @param eventId   the outbox id: ascending in commit order for one mailbox
 * @param accountId the account (the routing key is {@code account.<accountId>})
 * @param account   the account's address
 * @param mailboxId the mailbox changed
 * @param kind      what happened
 * @param uids      the messages concerned, ascending (empty for mailbox kinds); a change to very many messages is
 *                  published as several events
 * @param modSeq    the mailbox's HIGHESTMODSEQ right after this change: a consumer that has seen it has seen
 *                  everything up to it in that mailbox
 * @param mailboxName the mailbox's name after the change (for mailbox kinds; null for message kinds)
 * @param at        when the change was committed
 * @param traceContext the trace of the request that made the change, as propagation fields (W3C {@code traceparent}),
 *                  so that a consumer (an IMAP push) joins it; empty when that request was not traced
 */
public record MailboxChangeEvent(long eventId, long accountId, String account, long mailboxId, Kind kind,
                                 List<Long> uids, long modSeq, String mailboxName, Instant at,
                                 @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> traceContext) {

    public MailboxChangeEvent {
        uids = uids == null ? List.of() : List.copyOf(uids);
        traceContext = traceContext == null ? Map.of() : Map.copyOf(traceContext);
    }

    /** An event without a trace context. */
    public MailboxChangeEvent(long eventId, long accountId, String account, long mailboxId, Kind kind,
                              List<Long> uids, long modSeq, String mailboxName, Instant at) {
        this(eventId, accountId, account, mailboxId, kind, uids, modSeq, mailboxName, at, Map.of());
    }

    public enum Kind {
        /** Messages were added (filing, APPEND, COPY, MOVE in): IMAP EXISTS. */
        MESSAGES_ADDED,
        /** Flags of these messages changed: IMAP FETCH (FLAGS). */
        FLAGS_CHANGED,
        /** These messages were removed (EXPUNGE, MOVE out, DELETE over REST): IMAP EXPUNGE / VANISHED. */
        MESSAGES_EXPUNGED,
        MAILBOX_CREATED,
        /** {@code mailboxName} is the new name. */
        MAILBOX_RENAMED,
        MAILBOX_DELETED,
        /**
         * A synthetic event from the subscriber, not from mailbox-api: after a lost connection, changes could not be
         * caught up (an untracked mailbox, {@code mailboxId} 0 for all of them; or expunge records already purged), so
         * the consumer should re-read what it holds of that mailbox.
         */
        RESYNC_NEEDED
    }
}
