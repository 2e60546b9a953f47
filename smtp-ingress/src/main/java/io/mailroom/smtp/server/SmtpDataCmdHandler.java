package io.mailroom.smtp.server;

import java.util.List;

import io.mailroom.smtp.SmtpReply;
import io.mailroom.smtp.session.TransactionOptions;
import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.smtp.MailEnvelope;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.core.DataCmdHandler;

/**
 * James's DATA command (RFC 5321 4.1.1.4), with the message body going to a {@link MessageBuffer}, and refused
 * where RFC 3030 says only BDAT may carry the message: after BDAT in the same transaction, and for BODY=BINARYMIME.
 */
final class SmtpDataCmdHandler extends DataCmdHandler {

    private final MessageBuffer buffer;

    SmtpDataCmdHandler(MetricFactory metricFactory, MessageBuffer buffer) {
        super(metricFactory);
        this.buffer = buffer;
    }

    @Override
    protected Response doDATAFilter(SMTPSession session, String argument) {
        TransactionOptions options = TransactionOptions.of(session);
        if (options.chunking()) {
            return SmtpReply.DATA_AFTER_BDAT.response();
        }
        if ("BINARYMIME".equals(options.bodyType())) {
            return SmtpReply.BINARYMIME_NEEDS_BDAT.response();
        }
        return super.doDATAFilter(session, argument);
    }

    @Override
    protected Response doDATA(SMTPSession session, String argument) {
        Response response = super.doDATA(session, argument);
        session.getAttachment(MAILENV, org.apache.james.protocols.api.ProtocolSession.State.Transaction)
                .ifPresent(envelope -> MessageBuffer.track(session, envelope));
        return response;
    }

    @Override
    protected MailEnvelope createEnvelope(MaybeSender sender, List<MailAddress> recipients) {
        return buffer.newEnvelope(sender, recipients);
    }
}
