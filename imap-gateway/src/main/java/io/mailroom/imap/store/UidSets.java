package io.mailroom.imap.store;

import java.util.Optional;

import org.apache.james.mailbox.model.MessageRange;

import io.mailroom.mailbox.client.store.UidSet;

/** James's {@link MessageRange} as mailbox-api's {@link UidSet}; empty when the range names no possible UID. */
final class UidSets {

    private UidSets() {
    }

    static Optional<UidSet> of(MessageRange range) {
        long from = range.getUidFrom().asLong();
        if (from > UidSet.MAX_UID) {
            return Optional.empty();
        }
        long first = Math.max(1, from);
        return switch (range.getType()) {
            case ALL -> Optional.of(UidSet.all());
            case FROM -> Optional.of(UidSet.from(first));
            case ONE -> Optional.of(UidSet.of(first));
            case RANGE -> {
                long to = Math.min(range.getUidTo().asLong(), UidSet.MAX_UID);
                yield to < first ? Optional.empty() : Optional.of(UidSet.range(first, to));
            }
        };
    }
}
