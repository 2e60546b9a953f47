package io.mailroom.pop3.command;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.pop3.POP3Session;
import org.apache.james.protocols.pop3.core.RetrCmdHandler;

import io.mailroom.mailbox.client.MailboxApiUnavailableException;

/**
 * RETR (RFC 1939 §7), streamed from mailbox-api and dot-stuffed by James. A mailbox-api that cannot
 * be reached gives {@code -ERR [SYS/TEMP]} rather than James's "message does not exist", which would
 * make some clients forget the message.
 */
public class RetrCommand extends RetrCmdHandler {

    public RetrCommand(MetricFactory metricFactory) {
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
}
