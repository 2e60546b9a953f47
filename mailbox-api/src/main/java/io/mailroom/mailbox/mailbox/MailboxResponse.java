package io.mailroom.mailbox.mailbox;

/**
 * A mailbox with its IMAP state and its counts.
 *
 * @param role    the special use, or null for an ordinary mailbox
 * @param size    the sum of its messages' sizes in bytes
 */
public record MailboxResponse(long id, String name, MailboxRole role, long uidValidity, long uidNext,
                              long highestModSeq, long messages, long unseen, long size) {
}
