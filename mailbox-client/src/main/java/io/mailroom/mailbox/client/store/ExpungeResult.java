package io.mailroom.mailbox.client.store;

import java.util.List;

/**
 * What an expunge removed.
 *
 * @param expunged      the removed messages in ascending UID order, with their metadata as it was (flags, size,
 *                      dates, emailId) except {@code modSeq}, which is the MODSEQ of the removal: the one QRESYNC's
 *                      VANISHED (EARLIER) reports it under
 * @param highestModSeq the mailbox's HIGHESTMODSEQ afterwards
 */
public record ExpungeResult(List<MessageMetadata> expunged, long highestModSeq) {

    public ExpungeResult {
        expunged = List.copyOf(expunged);
    }

    public List<Long> uids() {
        return expunged.stream().map(MessageMetadata::uid).toList();
    }
}
