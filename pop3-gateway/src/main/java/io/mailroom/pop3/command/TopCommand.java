package io.mailroom.pop3.command;

import java.util.Set;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.pop3.POP3Session;
import org.apache.james.protocols.pop3.core.TopCmdHandler;

import io.mailroom.mailbox.client.MailboxApiUnavailableException;

/**
 * TOP (RFC 1939 §7), with the same temporary-failure answer as {@link RetrCommand}, and announced
 * before login too (see {@link UidlCommand}).
 */
public class TopCommand extends TopCmdHandler {

    private static final Set<String> CAPABILITIES = Set.of("TOP");

    public TopCommand(MetricFactory metricFactory) {
        super(metricFactory);
    }

    @Override
    public Response onCommand(POP3Session session, Request request) {
        try {
            return super.onCommand(session, request);
        } catch (MailboxApiUnavailableException e) {
            return Pop3Replies.MAILBOX_UNAVAILABLE;
        }
    }

    @Override
    public Set<String> getImplementedCapabilities(POP3Session session) {
        return CAPABILITIES;
    }
}
