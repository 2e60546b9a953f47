package io.mailroom.smtp.server;

import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.smtp.SMTPSession;

import io.mailroom.protocol.server.Drain;
import io.mailroom.smtp.SmtpReply;

/**
 * SMTP at shutdown (RFC 5321 3.8): a session inside a mail transaction (from MAIL to the reply to the end of DATA or
 * the last BDAT) is let finish it, so a message the client is sending gets its {@code 250} (or its error) here rather
 * than being cut off and sent again; every other session gets {@code 421 4.3.2} and is closed, and its client
 * reconnects to another replica. A client that sits in a transaction without sending is cut off at the listener's
 * shutdown timeout; it got no {@code 250}, so nothing is lost and it sends again.
 */
final class SmtpDrain implements Drain {

    private final String goodbye;

    SmtpDrain(String hostname) {
        this.goodbye = SmtpReply.SHUTTING_DOWN.line(hostname);
    }

    @Override
    public boolean busy(ProtocolSession session) {
        return session.getAttachment(SMTPSession.SENDER, ProtocolSession.State.Transaction).isPresent();
    }

    @Override
    public String goodbye(ProtocolSession session) {
        return goodbye;
    }
}
