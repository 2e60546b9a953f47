package io.mailroom.imap.store;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.exception.MailboxNameException;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxConstants;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.model.UidValidity;

import io.mailroom.mailbox.client.store.MailboxInfo;

/**
 * Mailbox names between James and mailbox-api. James's IMAP engine uses {@code .} as the hierarchy delimiter (its
 * sessions are made with {@link MailboxConstants#DEFAULT_DELIMITER}, and its conformance scripts expect it), while
 * mailbox-api uses {@code /}. A level name that contains {@code /} cannot be expressed in mailbox-api and is refused;
 * a mailbox-api name whose levels contain {@code .} (made over REST) appears to IMAP clients as deeper levels.
 */
final class MailboxNames {

    static final char JAMES_DELIMITER = MailboxConstants.DEFAULT_DELIMITER;
    static final char API_DELIMITER = MailboxInfo.DELIMITER;

    private MailboxNames() {
    }

    static String toApi(MailboxPath path) throws MailboxNameException {
        String name = path.getName();
        if (name.indexOf(API_DELIMITER) >= 0) {
            throw new MailboxNameException("'" + API_DELIMITER + "' is not allowed in a mailbox name: " + name);
        }
        return name.replace(JAMES_DELIMITER, API_DELIMITER);
    }

    static String toJames(String apiName) {
        return apiName.replace(API_DELIMITER, JAMES_DELIMITER);
    }

    /** Whether a path names one of the session user's own mailboxes: there is no sharing. */
    static boolean isOwn(MailboxPath path, MailboxSession session) {
        return MailboxConstants.USER_NAMESPACE.equals(path.getNamespace()) && path.belongsTo(session);
    }

    static Mailbox toMailbox(MailboxInfo info, Username user) {
        return new Mailbox(MailboxPath.forUser(user, toJames(info.name())), UidValidity.of(info.uidValidity()),
                ApiMailboxId.of(info.id()));
    }
}
