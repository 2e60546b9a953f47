package io.mailroom.mailbox.client.store;

import java.util.List;
import java.util.Set;

/**
 * What a flag store did.
 *
 * @param updated       every message of the set that exists and passed the UNCHANGEDSINCE test, in UID order, with its
 *                      flags before and after; a message whose flags did not change keeps its MODSEQ
 * @param modified      UIDs that failed the UNCHANGEDSINCE test and were left alone: IMAP's
 *                      {@code [MODIFIED …]} (RFC 7162 §3.1.3), ascending
 * @param highestModSeq the mailbox's HIGHESTMODSEQ afterwards
 */
public record FlagUpdateResult(List<Updated> updated, List<Long> modified, long highestModSeq) {

    public FlagUpdateResult {
        updated = List.copyOf(updated);
        modified = List.copyOf(modified);
    }

    /**
     * One message's flags before and after (James's {@code UpdatedFlags}).
     *
     * @param modSeq its MODSEQ afterwards: a new one when the flags changed, the old one otherwise
     */
    public record Updated(long uid, long modSeq, long emailId, Set<String> oldFlags, Set<String> newFlags) {

        public Updated {
            oldFlags = Set.copyOf(oldFlags);
            newFlags = Set.copyOf(newFlags);
        }

        public boolean changed() {
            return !oldFlags.equals(newFlags);
        }
    }
}
