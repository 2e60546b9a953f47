package io.mailroom.imap.auth;

import java.util.Optional;

import org.apache.james.core.Username;
import org.apache.james.mailbox.Authenticator;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.util.MDCBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import io.mailroom.imap.store.AccountResolver;
import io.mailroom.imap.store.MailboxDirectory;
import io.mailroom.mailbox.client.AuthenticatedAccount;
import io.mailroom.mailbox.client.AuthenticationFailedException;
import io.mailroom.mailbox.client.MailboxApiClient;
import io.mailroom.mailbox.client.MailboxApiUnavailableException;

/**
 * Checks IMAP LOGIN / AUTHENTICATE credentials with mailbox-api (the user name is the full address).
 *
 * <p>A wrong password or a disabled account is a plain refusal ({@code false}: James answers
 * {@code NO [AUTHENTICATIONFAILED]}). A temporary lock-out and an unreachable mailbox-api are
 * {@link MailboxException}s instead, which James answers with a {@code NO} that does not blame the
 * password, so that a client does not ask its user for a new one.
 *
 * <p>James's {@link Authenticator} is not told who is connecting; its IMAP processors run with the
 * connection's MDC set, whose {@code ip} entry carries the client's address (the PROXY protocol source
 * when there is one), so the per-IP lock-out of mailbox-api still works.
 */
public class MailboxApiAuthenticator implements Authenticator {

    static final String PROTOCOL = "imap";
    static final String UNKNOWN_ADDRESS = "unknown";
    private static final Logger LOGGER = LoggerFactory.getLogger(MailboxApiAuthenticator.class);

    private final MailboxApiClient client;
    private final AccountResolver accounts;
    private final MailboxDirectory directory;

    public MailboxApiAuthenticator(MailboxApiClient client) {
        this(client, AccountResolver.asGiven(), new MailboxDirectory());
    }

    /**
     * @param accounts  which account a login name stands for
     * @param directory where the ids of accounts that logged in are remembered, for the change-event bridge
     */
    public MailboxApiAuthenticator(MailboxApiClient client, AccountResolver accounts, MailboxDirectory directory) {
        this.client = client;
        this.accounts = accounts;
        this.directory = directory;
    }

    @Override
    public boolean isAuthentic(Username userid, CharSequence passwd) throws MailboxException {
        try {
            String account = accounts.account(userid);
            AuthenticatedAccount authenticated = client.authenticate(account, passwd.toString(), PROTOCOL, clientAddress());
            directory.rememberAccount(account, authenticated.accountId());
            return true;
        } catch (AuthenticationFailedException e) {
            if (e.temporary()) {
                throw new MailboxException("login of " + userid.asString() + " temporarily refused: " + e.code());
            }
            LOGGER.info("IMAP login refused for {}: {}", userid.asString(), e.code());
            return false;
        } catch (MailboxApiUnavailableException e) {
            throw new MailboxException("mailbox-api unavailable", e);
        }
    }

    private static String clientAddress() {
        return Optional.ofNullable(MDC.get(MDCBuilder.IP)).orElse(UNKNOWN_ADDRESS);
    }
}
