package io.mailroom.imap.server;

import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.james.imap.api.ImapMessage;
import org.apache.james.imap.api.ImapSessionState;
import org.apache.james.imap.api.display.HumanReadableText;
import org.apache.james.imap.api.message.response.ImapResponseMessage;
import org.apache.james.imap.api.message.response.StatusResponse;
import org.apache.james.imap.api.process.ImapProcessor.Responder;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.message.request.AuthenticateRequest;
import org.apache.james.imap.message.request.LoginRequest;
import org.apache.james.imap.message.response.UnpooledStatusResponseFactory;
import org.apache.james.mailbox.MailboxSession;

import io.mailroom.imap.store.AccountResolver;

/**
 * At most {@code max-connections-per-account} authenticated connections per account on this replica (on top of James's
 * per-listener and per-IP limits), as Dovecot's {@code mail_max_userip_connections} guards against a client that opens
 * a connection per folder and never closes them.
 *
 * <p>The account is known only once LOGIN / AUTHENTICATE has succeeded, so the check sits on the command's tagged
 * {@code OK}: when the account already has the maximum, that {@code OK} becomes {@code NO [LIMIT]} (RFC 5530), the
 * session is logged out and James closes the connection. A connection counts while its session is not logged out;
 * sessions that have ended are dropped from the count whenever the account logs in again.
 */
final class AccountConnectionLimit {

    static final HumanReadableText TOO_MANY_CONNECTIONS = new HumanReadableText(
            "io.mailroom.imap.TOO_MANY_CONNECTIONS", "Too many connections for this account.");

    private final int maxPerAccount;
    private final AccountResolver accounts;
    private final Map<String, Set<ImapSession>> sessions = new ConcurrentHashMap<>();

    /** @param maxPerAccount the most connections an account may hold at once; 0 for no limit */
    AccountConnectionLimit(int maxPerAccount, AccountResolver accounts) {
        this.maxPerAccount = maxPerAccount;
        this.accounts = accounts;
    }

    /** The responder a command should answer through: for a login, one that enforces the limit. */
    Responder guard(ImapMessage message, ImapSession session, Responder responder) {
        if (maxPerAccount <= 0 || !(message instanceof LoginRequest || message instanceof AuthenticateRequest)) {
            return responder;
        }
        return new Guarded(responder, session);
    }

    /** The connections the account holds now, this replica (tests, metrics). */
    int connections(String account) {
        Set<ImapSession> held = sessions.get(key(account));
        if (held == null) {
            return 0;
        }
        held.removeIf(session -> session.getState() == ImapSessionState.LOGOUT);
        return held.size();
    }

    /** Whether the session may stay logged in; if so it now counts against its account. */
    private boolean admit(ImapSession session, MailboxSession mailboxSession) {
        String key = key(accounts.account(mailboxSession));
        boolean[] admitted = {false};
        sessions.compute(key, (account, held) -> {
            Set<ImapSession> set = held == null ? ConcurrentHashMap.newKeySet() : held;
            set.removeIf(other -> other.getState() == ImapSessionState.LOGOUT);
            if (set.contains(session) || set.size() < maxPerAccount) {
                set.add(session);
                admitted[0] = true;
            }
            return set.isEmpty() ? null : set;
        });
        return admitted[0];
    }

    private static String key(String account) {
        return account.toLowerCase(Locale.ROOT);
    }

    private final class Guarded implements Responder {

        private final Responder delegate;
        private final ImapSession session;

        Guarded(Responder delegate, ImapSession session) {
            this.delegate = delegate;
            this.session = session;
        }

        @Override
        public void respond(ImapResponseMessage message) {
            MailboxSession mailboxSession = session.getMailboxSession();
            if (message instanceof StatusResponse status
                    && status.getTag() != null
                    && status.getServerResponseType() == StatusResponse.Type.OK
                    && mailboxSession != null
                    && !admit(session, mailboxSession)) {
                delegate.respond(new UnpooledStatusResponseFactory().taggedNo(status.getTag(), status.getCommand(),
                        TOO_MANY_CONNECTIONS));
                session.logout().block();
                return;
            }
            delegate.respond(message);
        }

        @Override
        public void flush() {
            delegate.flush();
        }
    }
}
