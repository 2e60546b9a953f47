package io.mailroom.mailbox.client.store;

import java.time.Instant;
import java.util.Set;

/**
 * One message in one mailbox: everything IMAP FETCH and James's {@code MailboxMessage} ask for except the body bytes,
 * which {@link MailboxStoreClient#openMessage} streams.
 *
 * @param mailboxId    the mailbox it is in
 * @param uid          its UID there
 * @param modSeq       the MODSEQ of its latest change (RFC 7162 §3.1.4)
 * @param emailId      identifies the content across the account's mailboxes: a copy or a move keeps it (RFC 8474
 *                     EMAILID, James's {@code MessageId})
 * @param threadId     the conversation it belongs to (RFC 8474 THREADID, James's {@code ThreadId}): the emailId of the
 *                     first message of the thread, found through Message-ID / In-Reply-To / References at filing
 * @param flags        system flags and keywords, IMAP spelling ({@link Flags})
 * @param internalDate INTERNALDATE (RFC 9051 §2.3.3)
 * @param saveDate     when it was put into this mailbox (RFC 8514 SAVEDATE)
 * @param size         RFC822.SIZE: the size of the raw bytes
 * @param headerOctets bytes of the header block, the blank line that ends it included; the body starts here
 * @param bodyLines    lines in the body (all of it, whatever the media type)
 * @param mediaType    the top-level media type, lower case ({@code text} when the header says none)
 * @param subType      the top-level subtype, lower case
 * @param textLines    for a top-level {@code text/*} entity, lines in the body (James's "textual line count"); null
 *                     otherwise
 * @param envelope     with {@link MessagePart#ENVELOPE}, else null
 * @param structure    with {@link MessagePart#STRUCTURE}, else null
 * @param header       with {@link MessagePart#HEADERS}: the raw header block, else null
 */
public record MessageMetadata(long mailboxId, long uid, long modSeq, long emailId, long threadId, Set<String> flags,
                              Instant internalDate, Instant saveDate, long size, long headerOctets, long bodyLines,
                              String mediaType, String subType, Long textLines, Envelope envelope,
                              BodyStructure structure, byte[] header) {

    public MessageMetadata {
        flags = flags == null ? Set.of() : Set.copyOf(flags);
    }

    /** The size of the body, James's {@code getBodyOctets()}. */
    public long bodyOctets() {
        return size - headerOctets;
    }

    public boolean hasFlag(String flag) {
        for (String f : flags) {
            if (f.equalsIgnoreCase(flag)) {
                return true;
            }
        }
        return false;
    }
}
