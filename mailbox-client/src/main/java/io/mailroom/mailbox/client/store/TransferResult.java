package io.mailroom.mailbox.client.store;

import java.util.List;

/**
 * What a COPY or MOVE did (RFC 9051 §6.4.7, RFC 6851): the source UIDs and the new messages, which answer
 * UIDPLUS's {@code [COPYUID uidvalidity source-uids target-uids]} (RFC 4315 §3).
 *
 * @param uidValidity         the target mailbox's UIDVALIDITY
 * @param messages            one entry per message transferred, in ascending source UID order (so the new UIDs
 *                            ascend too); source UIDs that did not exist are simply absent
 * @param highestModSeq       the target's HIGHESTMODSEQ afterwards
 * @param sourceHighestModSeq for a move, the source's HIGHESTMODSEQ afterwards (each moved message leaves an expunge
 *                            record there); for a copy, the source's unchanged HIGHESTMODSEQ
 */
public record TransferResult(long uidValidity, List<Transferred> messages, long highestModSeq, long sourceHighestModSeq) {

    public TransferResult {
        messages = List.copyOf(messages);
    }

    /** One message: its UID in the source and its new self in the target (flags carried over, new UID and MODSEQ). */
    public record Transferred(long sourceUid, MessageMetadata message) {
    }
}
