package io.mailroom.smtp.hook;

import io.mailroom.smtp.SmtpReply;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.LineHandler;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.core.DataLineFilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refuses DATA whose end is not an unambiguous {@code <CRLF>.<CRLF>} (RFC 5321 4.1.1.4).
 *
 * <p>James frames lines at every LF and takes any three-byte line that starts with a dot for the end of the
 * data. A sender can therefore end the message with {@code <LF>.<CRLF>} or {@code .x<LF>}, sequences that
 * the server which relayed the message to us did not take for an end, and have what follows read as new
 * SMTP commands: a second, forged message ("SMTP smuggling", CVE-2023-51764/51765/51766). Such an end is
 * answered with 554 5.5.2 and the connection is closed, as Postfix does with
 * {@code smtpd_forbid_bare_newline = reject}; bare LFs elsewhere in a message are left as they are.
 *
 * <p>Must be the first data line filter, so that it sees every line before anything treats it as the end.
 */
public final class SmtpSmugglingGuard implements DataLineFilter {

    private static final Logger log = LoggerFactory.getLogger(SmtpSmugglingGuard.class);
    private static final ProtocolSession.AttachmentKey<Boolean> AFTER_BARE_LF =
            ProtocolSession.AttachmentKey.of("mailroom.afterBareLineFeed", Boolean.class);

    @Override
    public Response onLine(SMTPSession session, byte[] line, LineHandler<SMTPSession> next) {
        boolean looksLikeEnd = line.length == 3 && line[0] == '.';
        boolean properEnd = looksLikeEnd && line[1] == '\r' && line[2] == '\n';
        boolean afterBareLf = session.getAttachment(AFTER_BARE_LF, ProtocolSession.State.Transaction).orElse(false);
        if ((looksLikeEnd && !properEnd) || (properEnd && afterBareLf)) {
            log.warn("Ambiguous end of DATA from {} (possible SMTP smuggling): closing the connection",
                    session.getRemoteAddress().getAddress().getHostAddress());
            session.resetState();
            return SmtpReply.BARE_LINE_FEED.responseThenDisconnect();
        }
        session.setAttachment(AFTER_BARE_LF, endsWithBareLineFeed(line), ProtocolSession.State.Transaction);
        return next.onLine(session, line);
    }

    private static boolean endsWithBareLineFeed(byte[] line) {
        int length = line.length;
        return length > 0 && line[length - 1] == '\n' && (length < 2 || line[length - 2] != '\r');
    }
}
