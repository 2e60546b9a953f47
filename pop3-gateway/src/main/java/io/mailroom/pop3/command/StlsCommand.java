package io.mailroom.pop3.command;

import java.util.Set;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.pop3.POP3Session;
import org.apache.james.protocols.pop3.core.StlsCmdHandler;

/** STLS (RFC 2595 §4), announced only while it can still be used: not once TLS is on. */
public class StlsCommand extends StlsCmdHandler {

    public StlsCommand(MetricFactory metricFactory) {
        super(metricFactory);
    }

    @Override
    public Set<String> getImplementedCapabilities(POP3Session session) {
        return session.isTLSStarted() ? Set.of() : super.getImplementedCapabilities(session);
    }
}
