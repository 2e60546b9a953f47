package io.mailroom.mailbox.mailbox;

import io.mailroom.mailbox.client.store.MailboxInfo;

/**
 * A mailbox with its IMAP state and its counts.
 *
 * @param role       the special use, or null for an ordinary mailbox
 * @param size       the sum of its messages' sizes in bytes
 * @param subscribed whether the account subscribes to its name
 */
public record MailboxResponse(long id, String name, MailboxRole role, long uidValidity, long uidNext,
                              long highestModSeq, long messages, long unseen, long size, boolean subscribed) {

    static MailboxResponse of(MailboxInfo info) {
        return new MailboxResponse(info.id(), info.name(), info.role() == null ? null : MailboxRole.valueOf(info.role().name()),
                info.uidValidity(), info.uidNext(), info.highestModSeq(), info.messages(), info.unseen(), info.size(),
                info.subscribed());
    }
}
