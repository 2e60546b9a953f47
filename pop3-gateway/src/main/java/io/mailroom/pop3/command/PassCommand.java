package io.mailroom.pop3.command;

import java.io.IOException;
import java.net.InetSocketAddress;

import org.apache.james.core.Username;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.pop3.POP3Response;
import org.apache.james.protocols.pop3.POP3Session;
import org.apache.james.protocols.pop3.core.AbstractPassCmdHandler;
import org.apache.james.protocols.pop3.mailbox.Mailbox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mailroom.mailbox.client.AuthenticatedAccount;
import io.mailroom.mailbox.client.AuthenticationFailedException;
import io.mailroom.mailbox.client.MailboxApiClient;
import io.mailroom.mailbox.client.MailboxApiUnavailableException;
import io.mailroom.pop3.maildrop.MailboxApiMaildrop;

/**
 * PASS (RFC 1939 §7): checks the credentials with mailbox-api (the user name is the full address)
 * and opens the account's INBOX as the session's maildrop.
 *
 * <p>James's {@link AbstractPassCmdHandler#onCommand} answers every failure with the same plain
 * {@code -ERR}; this one tells a wrong password ({@code [AUTH]}, RFC 3206 §4) from a mailbox-api
 * that cannot be reached ({@code [SYS/TEMP]}, RFC 3206 §5), so that a client does not ask its user
 * for a new password when the server is the one at fault.
 */
public class PassCommand extends AbstractPassCmdHandler {

    static final String PROTOCOL = "pop3";
    private static final Logger LOGGER = LoggerFactory.getLogger(PassCommand.class);

    private final MetricFactory metricFactory;
    private final MailboxApiClient client;
    private final PlaintextAuthPolicy policy;

    public PassCommand(MetricFactory metricFactory, MailboxApiClient client, PlaintextAuthPolicy policy) {
        super(metricFactory);
        this.metricFactory = metricFactory;
        this.client = client;
        this.policy = policy;
    }

    @Override
    public Response onCommand(POP3Session session, Request request) {
        return metricFactory.decorateSupplierWithTimerMetric("pop3-pass", () -> pass(session, request));
    }

    private Response pass(POP3Session session, Request request) {
        if (!policy.allows(session)) {
            session.setHandlerState(POP3Session.AUTHENTICATION_READY);
            return Pop3Replies.PLAINTEXT_DISALLOWED;
        }
        if (session.getHandlerState() != POP3Session.AUTHENTICATION_USERSET || request.getArgument() == null) {
            session.setHandlerState(POP3Session.AUTHENTICATION_READY);
            return Pop3Replies.AUTHENTICATION_FAILED;
        }
        // Whatever happens next, a new USER must come first (RFC 1939 §7: back to AUTHORIZATION).
        session.setHandlerState(POP3Session.AUTHENTICATION_READY);
        try {
            Mailbox maildrop = auth(session, session.getUsername(), request.getArgument());
            // Read the message list now: if mailbox-api fails here the client must hear it, rather
            // than see an empty maildrop.
            maildrop.getMessages();
            session.setUserMailbox(maildrop);
            stat(session);
            session.setHandlerState(POP3Session.TRANSACTION);
            return new POP3Response(POP3Response.OK_RESPONSE, "Logged in");
        } catch (AuthenticationFailedException e) {
            LOGGER.info("POP3 login refused for {}: {}", session.getUsername().asString(), e.code());
            return e.temporary() ? Pop3Replies.TEMPORARILY_LOCKED : Pop3Replies.AUTHENTICATION_FAILED;
        } catch (MailboxApiUnavailableException e) {
            LOGGER.warn("POP3 login of {} failed: mailbox-api unavailable", session.getUsername().asString(), e);
            return Pop3Replies.MAILBOX_UNAVAILABLE;
        } catch (IOException | RuntimeException e) {
            LOGGER.error("POP3 login of {} failed", session.getUsername().asString(), e);
            return Pop3Replies.MAILBOX_UNAVAILABLE;
        }
    }

    /** Checks the credentials; never returns {@code null}, a refusal is an {@link AuthenticationFailedException}. */
    @Override
    protected Mailbox auth(POP3Session session, Username username, String password) {
        AuthenticatedAccount account = client.authenticate(username.asString(), password, PROTOCOL, clientAddress(session));
        return new MailboxApiMaildrop(client, account);
    }

    /**
     * The client's address; James reports the PROXY protocol source here when the gateway sits behind a
     * load balancer.
     */
    private static String clientAddress(POP3Session session) {
        InetSocketAddress address = session.getRemoteAddress();
        return address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
    }
}
