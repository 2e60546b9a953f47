package io.mailroom.pop3.retrieval;

import java.util.Collection;
import java.util.Set;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.pop3.POP3Session;
import org.apache.james.protocols.pop3.core.AbstractPOP3CommandHandler;

/**
 * TOP (RFC 1939 §7): the header, the blank line and the first n lines of the body. Only those are read
 * from mailbox-api; the transfer is cut off after them, so TOP of a large message stays cheap.
 */
public class TopCommand extends AbstractPOP3CommandHandler {

    private static final Set<String> COMMANDS = Set.of("TOP");

    private final MetricFactory metricFactory;
    private final MessageRetrieval retrieval;

    public TopCommand(MetricFactory metricFactory, MessageRetrieval retrieval) {
        this.metricFactory = metricFactory;
        this.retrieval = retrieval;
    }

    @Override
    public Response onCommand(POP3Session session, Request request) {
        return metricFactory.decorateSupplierWithTimerMetric("pop3-top", () -> retrieval.top(session, request.getArgument()));
    }

    @Override
    public Collection<String> getImplCommands() {
        return COMMANDS;
    }
}
