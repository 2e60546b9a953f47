package io.mailroom.mailbox.client;

import java.util.List;

/**
 * An account's INBOX as POP3 sees it.
 *
 * @param mailboxId   the INBOX's id, for {@link MailboxApiClient#openMessage} and {@link MailboxApiClient#expunge}
 * @param uidValidity with the UID, makes a POP3 UIDL value that is never reused
 * @param messages    every message, in ascending UID order
 */
public record Maildrop(long mailboxId, long uidValidity, List<Entry> messages) {

    /** One message: its UID and its size in bytes (the raw RFC 5322 size). */
    public record Entry(long uid, long size) {
    }
}
