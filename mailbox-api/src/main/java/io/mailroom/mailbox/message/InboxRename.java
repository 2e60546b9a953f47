package io.mailroom.mailbox.message;

import java.util.List;

import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import io.mailroom.mailbox.client.store.MailboxInfo;
import io.mailroom.mailbox.client.store.UidSet;
import io.mailroom.mailbox.mailbox.MailboxService;

/**
 * RENAME of INBOX (RFC 9051 §6.3.6): "all messages in INBOX are moved to a new mailbox with the given name, leaving
 * INBOX empty"; INBOX itself stays, and so do mailboxes below it.
 */
@Service
public class InboxRename {

    private final MailboxService mailboxes;
    private final StoreService store;

    InboxRename(MailboxService mailboxes, StoreService store) {
        this.mailboxes = mailboxes;
        this.store = store;
    }

    @Transactional
    public List<MailboxInfo> rename(long accountId, long inboxId, String newName) {
        MailboxInfo target = mailboxes.create(accountId, newName, null);
        store.move(accountId, inboxId, UidSet.all(), target.id());
        return List.of(mailboxes.requireInfo(accountId, target.id()));
    }
}
