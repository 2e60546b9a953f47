package io.mailroom.pop3.login;

import java.util.Collection;
import java.util.Set;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.api.ProtocolSession.AttachmentKey;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.pop3.POP3Session;
import org.apache.james.protocols.pop3.core.AbstractPOP3CommandHandler;

import io.mailroom.pop3.Pop3Replies;

/**
 * PASS (RFC 1939 §7): the password for the name USER gave; the login itself is {@link Login}'s. Whatever
 * happens, a failed PASS puts the session back where a new USER must come first.
 */
public class PassCommand extends AbstractPOP3CommandHandler {

    /** The name as USER gave it. */
    static final AttachmentKey<String> GIVEN_NAME = AttachmentKey.of("mailroom.pop3.givenUserName", String.class);
    private static final Set<String> COMMANDS = Set.of("PASS");

    private final MetricFactory metricFactory;
    private final Login login;

    public PassCommand(MetricFactory metricFactory, Login login) {
        this.metricFactory = metricFactory;
        this.login = login;
    }

    @Override
    public Response onCommand(POP3Session session, Request request) {
        return metricFactory.decorateSupplierWithTimerMetric("pop3-pass", () -> pass(session, request));
    }

    private Response pass(POP3Session session, Request request) {
        if (!login.policy().allows(session)) {
            session.setHandlerState(POP3Session.AUTHENTICATION_READY);
            return Pop3Replies.PLAINTEXT_DISALLOWED;
        }
        if (session.getHandlerState() != POP3Session.AUTHENTICATION_USERSET || request.getArgument() == null) {
            session.setHandlerState(POP3Session.AUTHENTICATION_READY);
            return Pop3Replies.AUTHENTICATION_FAILED;
        }
        String username = session.getAttachment(GIVEN_NAME, State.Transaction).orElse("");
        session.setHandlerState(POP3Session.AUTHENTICATION_READY);
        session.removeAttachment(GIVEN_NAME, State.Transaction);
        return login.login(session, username, request.getArgument());
    }

    @Override
    public Collection<String> getImplCommands() {
        return COMMANDS;
    }
}
