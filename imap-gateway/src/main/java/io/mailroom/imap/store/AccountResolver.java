package io.mailroom.imap.store;

import java.util.Locale;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxSession;

/**
 * Which mailbox-api account a James user name stands for. Users log in with their full address, which is the account's
 * name in mailbox-api; a deployment may also let them log in with the local part alone, completed with a default
 * domain ({@code mailroom.imap.default-domain}).
 */
public final class AccountResolver {

    private final String defaultDomain;

    /** @param defaultDomain the domain added to a login name without one, or null to take names as they are */
    public AccountResolver(String defaultDomain) {
        this.defaultDomain = defaultDomain == null || defaultDomain.isBlank() ? null : defaultDomain.strip();
    }

    public static AccountResolver asGiven() {
        return new AccountResolver(null);
    }

    public String account(Username username) {
        String name = username.asString();
        if (defaultDomain != null && name.indexOf('@') < 0) {
            return name + "@" + defaultDomain;
        }
        return name;
    }

    public String account(MailboxSession session) {
        return account(session.getUser());
    }

    /** The key under which an account is remembered, whatever case its name was written in. */
    static String key(String account) {
        return account.toLowerCase(Locale.ROOT);
    }
}
