package io.mailroom.mailbox.client.store;

import java.util.List;

/**
 * A mailbox with the state IMAP SELECT, STATUS and LIST report (RFC 9051 §6.3.1, §6.3.11, RFC 7162 §3.1.1,
 * RFC 8438 STATUS=SIZE).
 *
 * @param id            mailbox-api's id for it: stable across renames, never reused
 * @param name          the full hierarchical name, {@code /} as the delimiter, {@code INBOX} always spelt so;
 *                      Unicode (the gateway converts to and from modified UTF-7)
 * @param role          the special use, or null
 * @param uidValidity   UIDVALIDITY: never repeats for this account, so a re-created name gets a new one
 * @param uidNext       UIDNEXT: the UID the next message added will get at the least
 * @param highestModSeq HIGHESTMODSEQ (CONDSTORE): the MODSEQ of the latest change of any kind in this mailbox
 * @param messages      messages in it (MESSAGES)
 * @param unseen        messages without {@code \Seen} (UNSEEN)
 * @param recent        messages with {@code \Recent} (RECENT; see {@link Flags#RECENT} for what that means here)
 * @param size          sum of the messages' sizes in bytes (STATUS=SIZE)
 * @param firstUnseen   the lowest UID without {@code \Seen}, or null when every message is seen (SELECT's
 *                      {@code [UNSEEN n]} once turned into a sequence number)
 * @param subscribed    whether the account subscribes to this name (LSUB, LIST (SUBSCRIBED))
 * @param keywords      every keyword ever set on a message here (for FLAGS and PERMANENTFLAGS); it may name keywords
 *                      that no message carries any more, as RFC 9051 §7.3.5 allows
 */
public record MailboxInfo(long id, String name, MailboxRole role, long uidValidity, long uidNext, long highestModSeq,
                          long messages, long unseen, long recent, long size, Long firstUnseen, boolean subscribed,
                          List<String> keywords) {

    /** The IMAP hierarchy delimiter in mailbox names. */
    public static final char DELIMITER = '/';

    public MailboxInfo {
        keywords = keywords == null ? List.of() : List.copyOf(keywords);
    }
}
