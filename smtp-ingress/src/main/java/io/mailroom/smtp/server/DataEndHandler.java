package io.mailroom.smtp.server;

import io.mailroom.smtp.SmtpReply;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.LineHandler;
import org.apache.james.protocols.smtp.MailEnvelope;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.core.DataCmdHandler;
import org.apache.james.protocols.smtp.core.DataLineMessageHookHandler;

/**
 * The last data line filter: writes each line of DATA to the message buffer and, at the end, runs the message
 * hooks (James's), then releases the buffer whatever they answered. BDAT hands its last chunk's message to
 * {@link #deliver} for the same hooks. A line that was too long fails the message at its end (RFC 5321
 * 4.5.3.1.6), so that the one reply the client waits for says so.
 */
final class DataEndHandler extends DataLineMessageHookHandler {

    @Override
    public Response onLine(SMTPSession session, byte[] line, LineHandler<SMTPSession> next) {
        boolean end = line.length == 3 && line[0] == '.';
        if (end && session.getAttachment(MailroomSmtpProtocol.Session.LINE_TOO_LONG_IN_DATA, ProtocolSession.State.Transaction).orElse(false)) {
            session.getAttachment(DataCmdHandler.MAILENV, ProtocolSession.State.Transaction).ifPresent(MessageBuffer::release);
            session.popLineHandler();
            session.resetState();
            return SmtpReply.LINE_TOO_LONG.response();
        }
        return super.onLine(session, line, next);
    }

    @Override
    protected Response processExtensions(SMTPSession session, MailEnvelope mail) {
        try {
            return super.processExtensions(session, mail);
        } finally {
            MessageBuffer.release(mail);
        }
    }

    /** Runs the message hooks on a message that came in BDAT chunks; the caller resets the transaction. */
    Response deliver(SMTPSession session, MailEnvelope mail) {
        return processExtensions(session, mail);
    }
}
