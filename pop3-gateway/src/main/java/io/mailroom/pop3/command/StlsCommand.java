package io.mailroom.pop3.command;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.pop3.core.StlsCmdHandler;

/**
 * STLS (RFC 2595 §4): only in the AUTHORIZATION state before USER, only on the STLS listener, only once.
 * James's handler does exactly that; CAPA ({@link CapaCommand}) says when it is available.
 */
public class StlsCommand extends StlsCmdHandler {

    public StlsCommand(MetricFactory metricFactory) {
        super(metricFactory);
    }
}
