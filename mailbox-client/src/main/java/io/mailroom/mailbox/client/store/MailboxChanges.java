package io.mailroom.mailbox.client.store;

import java.util.List;

/**
 * What changed in a mailbox after a MODSEQ: the answer to CONDSTORE/QRESYNC resynchronisation (RFC 7162 §3.2.5) and
 * to an event consumer catching up after a lost connection.
 *
 * @param since            the MODSEQ asked about
 * @param throughModSeq    this answer is complete up to and including this MODSEQ; when {@link #hasMore} ask again with
 *                         {@code since = throughModSeq}
 * @param hasMore          whether changes after {@code throughModSeq} remain (the page limit was reached)
 * @param highestModSeq    the mailbox's HIGHESTMODSEQ when this was read
 * @param uidNext          the mailbox's UIDNEXT when this was read
 * @param added            messages added after {@code since} (and not removed since), ascending UID, with their
 *                         current flags
 * @param changed          messages that existed at {@code since} and whose flags changed after it, ascending UID
 * @param vanished         UIDs removed after {@code since}, ascending (VANISHED (EARLIER))
 * @param vanishedComplete false when {@code since} is older than the expunge records kept (see
 *                         {@code mailroom.mailbox.expunge-retention}): some removals may be missing from
 *                         {@code vanished}, and the caller must compare its UIDs with the mailbox's instead
 */
public record MailboxChanges(long since, long throughModSeq, boolean hasMore, long highestModSeq, long uidNext,
                             List<MessageMetadata> added, List<MessageMetadata> changed, List<Long> vanished,
                             boolean vanishedComplete) {

    public MailboxChanges {
        added = List.copyOf(added);
        changed = List.copyOf(changed);
        vanished = List.copyOf(vanished);
    }
}
