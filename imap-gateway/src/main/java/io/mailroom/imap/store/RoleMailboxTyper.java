package io.mailroom.imap.store;

import org.apache.james.imap.api.process.DefaultMailboxTyper;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.api.process.MailboxType;
import org.apache.james.imap.api.process.MailboxTyper;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.MailboxPath;

import io.mailroom.mailbox.client.store.MailboxInfo;
import io.mailroom.mailbox.client.store.MailboxRole;

/**
 * SPECIAL-USE attributes (RFC 6154) from the roles mailbox-api keeps, which follow a mailbox through renames; a mailbox
 * without a role falls back to James's naming convention ("Sent", "Drafts", "Trash", "Spam", "Archive"). The roles come
 * from the mailbox list LIST has just read (cached for the command), so typing costs no call of its own.
 */
public final class RoleMailboxTyper implements MailboxTyper {

    private final MailboxApiMapperFactory mappers;
    private final MailboxTyper byName = new DefaultMailboxTyper();

    public RoleMailboxTyper(MailboxApiMapperFactory mappers) {
        this.mappers = mappers;
    }

    @Override
    public MailboxType getMailboxType(ImapSession session, MailboxPath path) {
        MailboxSession mailboxSession = session.getMailboxSession();
        if (mailboxSession != null && MailboxNames.isOwn(path, mailboxSession)) {
            try {
                String apiName = MailboxNames.toApi(path);
                for (MailboxInfo info : mappers.store(mailboxSession).mailboxes()) {
                    if (info.name().equals(apiName) && info.role() != null) {
                        return type(info.role());
                    }
                }
            } catch (MailboxException e) {
                // no role known: the name decides
            }
        }
        return byName.getMailboxType(session, path);
    }

    static MailboxType type(MailboxRole role) {
        return switch (role) {
            case INBOX -> MailboxType.INBOX;
            case SENT -> MailboxType.SENT;
            case DRAFTS -> MailboxType.DRAFTS;
            case TRASH -> MailboxType.TRASH;
            case JUNK -> MailboxType.SPAM;
            case ARCHIVE -> MailboxType.ARCHIVE;
        };
    }
}
