package io.mailroom.smtp.server;

import io.mailroom.smtp.session.TransactionOptions;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.core.MailCmdHandler;

/**
 * James's MAIL command (RFC 5321 4.1.1.2), starting each new transaction's options from nothing, so that the
 * parameters of a refused MAIL do not stick to the next one.
 */
final class SmtpMailCmdHandler extends MailCmdHandler {

    SmtpMailCmdHandler(MetricFactory metricFactory) {
        super(metricFactory);
    }

    @Override
    public Response onCommand(SMTPSession session, Request request) {
        if (session.getAttachment(SMTPSession.SENDER, ProtocolSession.State.Transaction).isEmpty()) {
            TransactionOptions.clear(session);
        }
        return super.onCommand(session, request);
    }
}
