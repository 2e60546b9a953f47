package io.mailroom.pop3.login;

import java.util.Collection;
import java.util.Set;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.pop3.POP3Response;
import org.apache.james.protocols.pop3.POP3Session;
import org.apache.james.protocols.pop3.core.AbstractPOP3CommandHandler;

import io.mailroom.pop3.Pop3Replies;

/**
 * USER (RFC 1939 §7): names the account, as its full address, for the PASS that follows. Refused before
 * TLS unless {@link PlaintextAuthPolicy} allows it, so that a client learns before it sends a password.
 */
public class UserCommand extends AbstractPOP3CommandHandler {

    private static final Set<String> COMMANDS = Set.of("USER");

    private final MetricFactory metricFactory;
    private final PlaintextAuthPolicy policy;

    public UserCommand(MetricFactory metricFactory, PlaintextAuthPolicy policy) {
        this.metricFactory = metricFactory;
        this.policy = policy;
    }

    @Override
    public Response onCommand(POP3Session session, Request request) {
        return metricFactory.decorateSupplierWithTimerMetric("pop3-user", () -> user(session, request));
    }

    private Response user(POP3Session session, Request request) {
        if (!policy.allows(session)) {
            return Pop3Replies.PLAINTEXT_DISALLOWED;
        }
        String name = request.getArgument();
        if (session.getHandlerState() != POP3Session.AUTHENTICATION_READY || name == null || name.isBlank()) {
            return POP3Response.ERR;
        }
        // Checked only at PASS, with the password: an unknown name gets the same answer as a wrong password.
        session.setAttachment(PassCommand.GIVEN_NAME, name.strip(), State.Transaction);
        session.setHandlerState(POP3Session.AUTHENTICATION_USERSET);
        return POP3Response.OK;
    }

    @Override
    public Collection<String> getImplCommands() {
        return COMMANDS;
    }
}
