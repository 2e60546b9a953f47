package io.mailroom.pop3.login;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.apache.james.core.Username;
import org.apache.james.protocols.api.ProtocolSession.AttachmentKey;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.pop3.POP3Session;
import org.apache.james.protocols.pop3.mailbox.MessageMetaData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mailroom.mailbox.client.AuthenticatedAccount;
import io.mailroom.mailbox.client.AuthenticationFailedException;
import io.mailroom.mailbox.client.MailboxApiClient;
import io.mailroom.mailbox.client.MailboxApiException;
import io.mailroom.mailbox.client.MailboxApiUnavailableException;
import io.mailroom.pop3.Pop3Replies;
import io.mailroom.pop3.maildrop.MailboxApiMaildrop;
import io.mailroom.pop3.maildrop.MaildropLeases;
import io.mailroom.pop3.maildrop.MaildropLock;
import io.mailroom.protocol.server.Framing;

/**
 * A login, however the credentials arrived (USER/PASS, RFC 1939 §7, or AUTH, RFC 5034): the checks in
 * order, each with the reply RFC 3206 gives it.
 *
 * <ol>
 *   <li>no password on an unencrypted connection unless allowed ({@link PlaintextAuthPolicy}): {@code [AUTH]};</li>
 *   <li>a client or account blocked after too many failures ({@link LoginThrottle}): {@code [SYS/TEMP]}, without
 *       looking at the password;</li>
 *   <li>the credentials, checked by mailbox-api: wrong is {@code [AUTH]}, locked out there is {@code [SYS/TEMP]},
 *       unreachable is {@code [SYS/TEMP]};</li>
 *   <li>the maildrop lock (RFC 1939 §8): held by another session is {@code [IN-USE]}, LOGIN-DELAY not yet over is
 *       {@code [LOGIN-DELAY]};</li>
 *   <li>the message list, read once: the session's message numbers from now on.</li>
 * </ol>
 *
 * <p>A refused login's reply is held back ({@link Framing#delayReplies}) without holding the handler thread. A
 * client that sends another login before that delay is over (pipelined guesses) is refused without a check.
 */
public final class Login {

    static final String PROTOCOL = "pop3";
    private static final Logger LOGGER = LoggerFactory.getLogger(Login.class);
    /** System.nanoTime() before which a new login attempt on this connection is refused unchecked. */
    private static final AttachmentKey<Long> RETRY_NOT_BEFORE = AttachmentKey.of("mailroom.pop3.retryNotBefore", Long.class);

    private final MailboxApiClient client;
    private final PlaintextAuthPolicy policy;
    private final LoginThrottle throttle;
    private final MaildropLeases leases;

    public Login(MailboxApiClient client, PlaintextAuthPolicy policy, LoginThrottle throttle, MaildropLeases leases) {
        this.client = client;
        this.policy = policy;
        this.throttle = throttle;
        this.leases = leases;
    }

    public PlaintextAuthPolicy policy() {
        return policy;
    }

    /**
     * Logs the session in and opens its maildrop (TRANSACTION state), or says why not. The caller has put the
     * session back into the AUTHORIZATION state before.
     */
    public Response login(POP3Session session, String username, String password) {
        if (!policy.allows(session)) {
            return Pop3Replies.PLAINTEXT_DISALLOWED;
        }
        String address = clientAddress(session);
        Long notBefore = session.getAttachment(RETRY_NOT_BEFORE, State.Connection).orElse(null);
        if (notBefore != null && System.nanoTime() - notBefore < 0) {
            return refuse(session, Pop3Replies.AUTHENTICATION_FAILED, throttle.penalty(address));
        }
        Optional<LoginThrottle.Block> block = throttle.blocked(address, username);
        if (block.isPresent()) {
            LOGGER.info("POP3 login for {} from {} refused unchecked: {} blocked after too many failures",
                    username, address, block.get() == LoginThrottle.Block.ADDRESS ? "address" : "account");
            return refuse(session, Pop3Replies.TEMPORARILY_LOCKED, throttle.penalty(address));
        }
        if (username == null || username.isBlank() || password == null || password.isEmpty()) {
            return refuse(session, Pop3Replies.AUTHENTICATION_FAILED, throttle.failed(address, username));
        }
        AuthenticatedAccount account;
        try {
            account = client.authenticate(username, password, PROTOCOL, address);
        } catch (AuthenticationFailedException e) {
            LOGGER.info("POP3 login for {} from {} refused: {}", username, address, e.code());
            if (e.temporary()) {
                return refuse(session, Pop3Replies.TEMPORARILY_LOCKED, throttle.penalty(address));
            }
            return refuse(session, Pop3Replies.AUTHENTICATION_FAILED, throttle.failed(address, username));
        } catch (MailboxApiUnavailableException e) {
            LOGGER.warn("POP3 login for {} failed: mailbox-api unavailable: {}", username, e.getMessage());
            return Pop3Replies.MAILBOX_UNAVAILABLE;
        } catch (MailboxApiException e) {
            // mailbox-api refused the request itself (a user name it cannot take): a failed login all the same
            LOGGER.info("POP3 login for {} from {} refused: {}", username, address, e.code());
            return refuse(session, Pop3Replies.AUTHENTICATION_FAILED, throttle.failed(address, username));
        }
        throttle.succeeded(address, username);
        return open(session, account);
    }

    private Response open(POP3Session session, AuthenticatedAccount account) {
        MaildropLeases.Held lease;
        try {
            MaildropLeases.Result result = leases.acquire(account.address(), session.getSessionID());
            if (result instanceof MaildropLeases.Refused refused) {
                return refusal(account, refused.why());
            }
            lease = ((MaildropLeases.Taken) result).held();
        } catch (MailboxApiUnavailableException e) {
            LOGGER.warn("POP3 login for {}: the maildrop lock is unavailable: {}", account.address(), e.getMessage());
            return Pop3Replies.MAILBOX_UNAVAILABLE;
        }
        MailboxApiMaildrop maildrop = new MailboxApiMaildrop(client, account);
        try {
            // Read the message list now: if mailbox-api fails here the client must hear it, rather than see an
            // empty maildrop.
            List<MessageMetaData> messages = maildrop.getMessages();
            session.setUsername(Username.of(account.address()));
            session.setUserMailbox(maildrop);
            session.setAttachment(MaildropLeases.LEASE, lease, State.Connection);
            session.setAttachment(POP3Session.UID_LIST, messages, State.Transaction);
            session.setAttachment(POP3Session.DELETED_UID_LIST, new ArrayList<>(), State.Transaction);
            session.setHandlerState(POP3Session.TRANSACTION);
            return Pop3Replies.LOGGED_IN;
        } catch (IOException | RuntimeException e) {
            LOGGER.warn("POP3 login for {}: the maildrop could not be read: {}", account.address(), e.toString());
            lease.release();
            maildrop.close();
            return Pop3Replies.MAILBOX_UNAVAILABLE;
        }
    }

    private static Response refusal(AuthenticatedAccount account, MaildropLock.Outcome why) {
        if (why instanceof MaildropLock.TooSoon tooSoon) {
            long seconds = Math.max(1, (tooSoon.retryAfter().toMillis() + 999) / 1000);
            return Pop3Replies.err(Pop3Replies.LOGIN_DELAY + " Logged in too recently, wait " + seconds + " more seconds");
        }
        LOGGER.info("POP3 login for {} refused: the maildrop is in use by another session", account.address());
        return Pop3Replies.MAILDROP_IN_USE;
    }

    private Response refuse(POP3Session session, Response reply, Duration delay) {
        session.setAttachment(RETRY_NOT_BEFORE, System.nanoTime() + delay.toNanos(), State.Connection);
        Framing.delayReplies(session, delay);
        return reply;
    }

    /**
     * The client's address; James reports the PROXY protocol source here when the gateway sits behind a
     * load balancer.
     */
    static String clientAddress(POP3Session session) {
        InetSocketAddress address = session.getRemoteAddress();
        return address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
    }
}
