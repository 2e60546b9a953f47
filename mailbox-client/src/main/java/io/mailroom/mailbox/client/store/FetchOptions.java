package io.mailroom.mailbox.client.store;

import java.util.EnumSet;
import java.util.Set;

/**
 * How {@link MailboxStoreClient#fetch} reads.
 *
 * @param include      what to add to the basic metadata
 * @param changedSince only messages whose MODSEQ is greater (FETCH … (CHANGEDSINCE n), RFC 7162 §3.1.4.1); null for all
 * @param limit        at most this many messages per call (1 to {@link #MAX_LIMIT}); the page says where to go on
 */
public record FetchOptions(Set<MessagePart> include, Long changedSince, int limit) {

    public static final int DEFAULT_LIMIT = 1000;
    public static final int MAX_LIMIT = 5000;

    public FetchOptions {
        include = include == null || include.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(include));
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new IllegalArgumentException("limit must be 1 to " + MAX_LIMIT);
        }
    }

    /** The basic metadata only, {@link #DEFAULT_LIMIT} a page. */
    public static FetchOptions metadata() {
        return new FetchOptions(Set.of(), null, DEFAULT_LIMIT);
    }

    public static FetchOptions including(MessagePart... parts) {
        return new FetchOptions(Set.of(parts), null, DEFAULT_LIMIT);
    }

    public FetchOptions changedSince(long modSeq) {
        return new FetchOptions(include, modSeq, limit);
    }

    public FetchOptions limit(int newLimit) {
        return new FetchOptions(include, changedSince, newLimit);
    }
}
