package io.mailroom.smtp.hook;

import io.mailroom.smtp.SmtpReply;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.LineHandler;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.core.DataCmdHandler;
import org.apache.james.protocols.smtp.core.DataLineFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * In DATA, every line must end in CRLF and hold no other CR or LF (RFC 5321 2.3.8), so that the end of the
 * message can only be {@code <CRLF>.<CRLF>} (RFC 5321 4.1.1.4).
 *
 * <p>James frames lines at every LF and takes any three-byte line that starts with a dot for the end of the
 * data. A sender could therefore end a message with {@code <LF>.<CRLF>}, {@code <LF>.<LF>}, {@code <CR>.<CR>}
 * and the like, sequences that the server which relayed the message to us did not take for an end, and have
 * what follows read as new SMTP commands: a second, forged message ("SMTP smuggling", CVE-2023-51764/51765/
 * 51766). Any bare CR or LF is therefore answered with 554 5.6.0 and the connection is closed (where the client
 * thinks its data ends cannot be known), as Postfix does with {@code smtpd_forbid_bare_newline = reject}.
 * BDAT carries its message by length, without this ambiguity, and is not filtered.
 *
 * <p>Must be the first data line filter, so that it sees every line before anything treats it as the end.
 */
public final class SmtpSmugglingGuard implements DataLineFilter {

    private static final Logger log = LoggerFactory.getLogger(SmtpSmugglingGuard.class);

    private final SmtpMetrics metrics;

    public SmtpSmugglingGuard(SmtpMetrics metrics) {
        this.metrics = metrics;
    }

    @Override
    public Response onLine(SMTPSession session, byte[] line, LineHandler<SMTPSession> next) {
        if (!endsInCrLfOnly(line)) {
            log.warn("Bare CR or LF in DATA from {} (possible SMTP smuggling): closing the connection",
                    session.getRemoteAddress().getAddress().getHostAddress());
            metrics.messageRejected("bare-line-ending");
            session.getAttachment(DataCmdHandler.MAILENV, ProtocolSession.State.Transaction).ifPresent(SmtpSmugglingGuard::release);
            session.resetState();
            return SmtpReply.BARE_LINE_ENDING.responseThenDisconnect();
        }
        return next.onLine(session, line);
    }

    private static void release(org.apache.james.protocols.smtp.MailEnvelope envelope) {
        if (envelope instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                log.warn("Cannot release a message buffer: {}", e.toString());
            }
        }
    }

    /** True when the line ends in CRLF and holds no other CR or LF. */
    static boolean endsInCrLfOnly(byte[] line) {
        int length = line.length;
        if (length < 2 || line[length - 1] != '\n' || line[length - 2] != '\r') {
            return false;
        }
        for (int i = 0; i < length - 2; i++) {
            if (line[i] == '\r' || line[i] == '\n') {
                return false;
            }
        }
        return true;
    }
}
