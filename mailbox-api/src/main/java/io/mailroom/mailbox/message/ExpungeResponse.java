package io.mailroom.mailbox.message;

import java.util.List;

/**
 * @param expunged      the UIDs this call removed, ascending
 * @param highestModSeq the mailbox's HIGHESTMODSEQ afterwards
 */
public record ExpungeResponse(List<Long> expunged, long highestModSeq) {
}
