package io.mailroom.mailbox.message;

import java.util.List;

/** Mirrors mailbox-client's {@code Maildrop}: the INBOX as POP3 sees it. */
public record MaildropResponse(long mailboxId, long uidValidity, List<Entry> messages) {

    public record Entry(long uid, long size) {
    }
}
