package io.mailroom.smtp.server;

import io.mailroom.protocol.server.SessionMdc;
import io.mailroom.smtp.hook.TransactionId;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.util.MDCBuilder;

/** SMTP log lines carry the id of the mail transaction in progress as {@code traceId}. */
final class SmtpSessionMdc extends SessionMdc {

    @Override
    public MDCBuilder withContext(ProtocolSession session) {
        return super.withContext(session)
                .addToContextIfPresent(TransactionId.MDC_KEY, TransactionId.of(session));
    }
}
