package io.mailroom.smtp.server;

import io.mailroom.smtp.SmtpReply;
import io.mailroom.smtp.hook.SmtpMetrics;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.smtp.core.DataCmdHandler;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.LineHandler;
import org.apache.james.protocols.smtp.SMTPRetCode;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.core.esmtp.MailSizeEsmtpExtension;

/**
 * The SIZE extension (RFC 1870) as James implements it: announced in the EHLO reply, checked against the
 * SIZE parameter of MAIL, and counted while DATA arrives (lines beyond the limit are dropped, not kept).
 * James ends an oversized DATA with a bare "552 Quota exceeded"; this gives the full 552 5.3.4 reply.
 */
final class MessageSizeLimit extends MailSizeEsmtpExtension {

    private final SmtpMetrics metrics;

    MessageSizeLimit(SmtpMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public Response onLine(SMTPSession session, byte[] line, LineHandler<SMTPSession> next) {
        Response response = super.onLine(session, line, next);
        if (response != null && SMTPRetCode.QUOTA_EXCEEDED.equals(response.getRetCode())) {
            metrics.messageRejected("too-big");
            // James's oversized message skips the message hooks: its buffer is released here.
            session.getAttachment(DataCmdHandler.MAILENV, ProtocolSession.State.Transaction).ifPresent(MessageBuffer::release);
            return SmtpReply.MESSAGE_TOO_BIG.response();
        }
        return response;
    }
}
