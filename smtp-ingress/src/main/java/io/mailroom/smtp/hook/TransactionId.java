package io.mailroom.smtp.hook;

import java.util.Optional;
import java.util.UUID;

import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.MailHook;
import org.slf4j.MDC;

/**
 * Gives each mail transaction (RFC 5321 3.3: from MAIL to the end of DATA) an id when MAIL arrives. The same
 * id is the queue id of the message, its trace id through queue, delivery and mailbox-api, and the
 * {@value #MDC_KEY} of every log line of the transaction.
 */
public final class TransactionId implements MailHook {

    public static final String MDC_KEY = "traceId";
    static final ProtocolSession.AttachmentKey<String> KEY = ProtocolSession.AttachmentKey.of("mailroom.transactionId", String.class);

    /** The id of the session's current transaction, once MAIL has been given. */
    public static Optional<String> of(ProtocolSession session) {
        return session.getAttachment(KEY, ProtocolSession.State.Transaction);
    }

    @Override
    public HookResult doMail(SMTPSession session, MaybeSender sender) {
        String id = UUID.randomUUID().toString();
        // Transaction state: RSET, a new EHLO or the end of DATA drop it, so the next MAIL gets a new id.
        session.setAttachment(KEY, id, ProtocolSession.State.Transaction);
        MDC.put(MDC_KEY, id);
        return HookResult.DECLINED;
    }
}
