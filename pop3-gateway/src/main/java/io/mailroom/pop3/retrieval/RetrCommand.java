package io.mailroom.pop3.retrieval;

import java.util.Collection;
import java.util.Set;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.pop3.POP3Session;
import org.apache.james.protocols.pop3.core.AbstractPOP3CommandHandler;

/** RETR (RFC 1939 §7): the whole message, staged off the I/O thread ({@link MessageSpool}). */
public class RetrCommand extends AbstractPOP3CommandHandler {

    private static final Set<String> COMMANDS = Set.of("RETR");

    private final MetricFactory metricFactory;
    private final MessageRetrieval retrieval;

    public RetrCommand(MetricFactory metricFactory, MessageRetrieval retrieval) {
        this.metricFactory = metricFactory;
        this.retrieval = retrieval;
    }

    @Override
    public Response onCommand(POP3Session session, Request request) {
        return metricFactory.decorateSupplierWithTimerMetric("pop3-retr", () -> retrieval.retr(session, request.getArgument()));
    }

    @Override
    public Collection<String> getImplCommands() {
        return COMMANDS;
    }
}
