package io.mailroom.pop3.command;

import java.util.Set;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.pop3.POP3Session;
import org.apache.james.protocols.pop3.core.UserCmdHandler;

/**
 * USER (RFC 1939 §7), refused before TLS unless {@link PlaintextAuthPolicy} allows it. The USER
 * capability is then not announced either (RFC 2449 §6.8), so that a client goes for STLS first.
 */
public class UserCommand extends UserCmdHandler {

    private final PlaintextAuthPolicy policy;

    public UserCommand(MetricFactory metricFactory, PlaintextAuthPolicy policy) {
        super(metricFactory);
        this.policy = policy;
    }

    @Override
    public Response onCommand(POP3Session session, Request request) {
        if (!policy.allows(session)) {
            return Pop3Replies.PLAINTEXT_DISALLOWED;
        }
        return super.onCommand(session, request);
    }

    @Override
    public Set<String> getImplementedCapabilities(POP3Session session) {
        return policy.allows(session) ? super.getImplementedCapabilities(session) : Set.of();
    }
}
