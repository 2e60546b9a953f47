package io.mailroom.smtp.hook;

import io.mailroom.mailbox.client.AuthenticatedAccount;
import io.mailroom.mailbox.client.AuthenticationFailedException;
import io.mailroom.mailbox.client.MailboxApiClient;
import io.mailroom.mailbox.client.MailboxApiException;
import io.mailroom.mailbox.client.MailboxApiUnavailableException;
import io.mailroom.protocol.server.Framing;
import io.mailroom.smtp.SmtpReply;
import org.apache.james.core.Username;
import org.apache.james.protocols.api.OidcSASLConfiguration;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.AuthHook;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks AUTH PLAIN / LOGIN credentials (RFC 4954) with mailbox-api; the user name is the full address.
 * Success makes the session authenticated as the account's address (235 2.7.0); wrong credentials give
 * 535 5.7.8, a lockout or an unreachable mailbox-api 454 4.7.0. Failures are answered after a pause (without
 * holding a thread), and too many of them from one address or for one account block AUTH there for a while
 * ({@link AuthThrottle}).
 */
public final class MailboxApiAuthHook implements AuthHook {

    private static final Logger log = LoggerFactory.getLogger(MailboxApiAuthHook.class);
    static final String PROTOCOL = "smtp";

    private final MailboxApiClient mailboxApi;
    private final AuthThrottle throttle;
    private final SmtpMetrics metrics;

    public MailboxApiAuthHook(MailboxApiClient mailboxApi, AuthThrottle throttle, SmtpMetrics metrics) {
        this.mailboxApi = mailboxApi;
        this.throttle = throttle;
        this.metrics = metrics;
    }

    @Override
    public HookResult doAuth(SMTPSession session, Username username, String password) {
        if (!session.isTLSStarted()) {
            // The AUTH command is refused before this point without TLS; this is the second lock on the door.
            return SmtpReply.ENCRYPTION_REQUIRED.hookResult();
        }
        String remoteIp = session.getRemoteAddress().getAddress().getHostAddress();
        if (throttle.blocked(remoteIp, username.asString())) {
            log.info("Authentication of {} from {} refused: too many failures", username.asString(), remoteIp);
            metrics.authFailed("blocked");
            Framing.delayReplies(session, throttle.delay());
            return SmtpReply.AUTHENTICATION_BLOCKED.hookResult();
        }
        try {
            AuthenticatedAccount account = mailboxApi.authenticate(username.asString(), password, PROTOCOL, remoteIp);
            session.setUsername(Username.of(account.address()));
            session.setRelayingAllowed(true);
            throttle.succeeded(username.asString());
            log.info("Authenticated {} from {}", account.address(), remoteIp);
            return SmtpReply.AUTHENTICATED.hookResult();
        } catch (AuthenticationFailedException e) {
            log.info("Authentication failed for {} from {}{}", username.asString(), remoteIp, e.temporary() ? " (locked out for now)" : "");
            throttle.failed(remoteIp, username.asString());
            metrics.authFailed(e.temporary() ? "locked" : "invalid");
            Framing.delayReplies(session, throttle.delay());
            return e.temporary() ? SmtpReply.AUTHENTICATION_UNAVAILABLE.hookResult() : SmtpReply.AUTHENTICATION_FAILED.hookResult();
        } catch (MailboxApiUnavailableException e) {
            log.warn("Cannot check credentials of {}: mailbox-api unavailable ({})", username.asString(), e.getMessage());
            metrics.authFailed("unavailable");
            return SmtpReply.AUTHENTICATION_UNAVAILABLE.hookResult();
        } catch (MailboxApiException e) {
            log.error("mailbox-api refused the credential check for {}: {} {}", username.asString(), e.status(), e.code(), e);
            return SmtpReply.AUTHENTICATION_UNAVAILABLE.hookResult();
        }
    }

    @Override
    public HookResult doSasl(SMTPSession session, OidcSASLConfiguration saslConfiguration, String initialResponse) {
        return HookResult.DECLINED;
    }
}
