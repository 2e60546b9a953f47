package io.mailroom.smtp.server;

import io.mailroom.smtp.SmtpReply;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.core.esmtp.AuthCmdHandler;

/**
 * AUTH (RFC 4954) only where it is announced, which is only over TLS. James announces AUTH according to the
 * configuration but accepts the command regardless; a client that sends AUTH PLAIN on a plain-text
 * connection gets 538 5.7.11 before its credentials are looked at (RFC 4954 4, "Encryption required").
 */
final class TlsOnlyAuthCmdHandler extends AuthCmdHandler {

    @Override
    public Response onCommand(SMTPSession session, Request request) {
        if (!session.isAuthAnnounced()) {
            return SmtpReply.ENCRYPTION_REQUIRED.response();
        }
        return super.onCommand(session, request);
    }
}
