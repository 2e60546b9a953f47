package io.mailroom.smtp.hook;

import java.util.Optional;
import java.util.UUID;

import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.MailHook;
import org.slf4j.MDC;

import io.micrometer.tracing.Span;

/**
 * Gives each mail transaction (RFC 5321 3.3: from MAIL to the end of DATA) an id when MAIL arrives, and starts
 * its trace. The same id is the queue id of the message, its trace id through queue, delivery and mailbox-api
 * (the OpenTelemetry trace id when tracing is on, 32 hex digits; a random UUID otherwise), and the
 * {@value #MDC_KEY} of every log line of the transaction.
 */
public final class TransactionId implements MailHook {

    public static final String MDC_KEY = "traceId";
    static final ProtocolSession.AttachmentKey<String> KEY = ProtocolSession.AttachmentKey.of("mailroom.transactionId", String.class);
    static final ProtocolSession.AttachmentKey<Span> SPAN = ProtocolSession.AttachmentKey.of("mailroom.transactionSpan", Span.class);

    private final SmtpTracing tracing;
    private final String listener;

    public TransactionId() {
        this(SmtpTracing.NONE, "smtp");
    }

    public TransactionId(SmtpTracing tracing, String listener) {
        this.tracing = tracing;
        this.listener = listener;
    }

    /** The id of the session's current transaction, once MAIL has been given. */
    public static Optional<String> of(ProtocolSession session) {
        return session.getAttachment(KEY, ProtocolSession.State.Transaction);
    }

    /** The span of the session's current transaction, once MAIL has been given. */
    static Optional<Span> span(ProtocolSession session) {
        return session.getAttachment(SPAN, ProtocolSession.State.Transaction);
    }

    @Override
    public HookResult doMail(SMTPSession session, MaybeSender sender) {
        Span span = tracing.startTransaction(listener, session.getRemoteAddress().getAddress().getHostAddress());
        String traceId = span.context().traceId();
        String id = traceId == null || traceId.isEmpty() ? UUID.randomUUID().toString() : traceId;
        // Transaction state: RSET, a new EHLO or the end of DATA drop it, so the next MAIL gets a new id.
        session.setAttachment(KEY, id, ProtocolSession.State.Transaction);
        session.setAttachment(SPAN, span, ProtocolSession.State.Transaction);
        MDC.put(MDC_KEY, id);
        return HookResult.DECLINED;
    }
}
