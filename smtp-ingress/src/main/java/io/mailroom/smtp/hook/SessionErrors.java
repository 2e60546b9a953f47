package io.mailroom.smtp.hook;

import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.smtp.SMTPSession;

/**
 * Lets the server side know that a message got through, so that the errors before it no longer count against
 * the connection's error limit. The listener's session registers what to do.
 */
public final class SessionErrors {

    public static final ProtocolSession.AttachmentKey<Runnable> FORGIVE =
            ProtocolSession.AttachmentKey.of("mailroom.forgiveErrors", Runnable.class);

    private SessionErrors() {
    }

    static void forgive(SMTPSession session) {
        session.getAttachment(FORGIVE, ProtocolSession.State.Connection).ifPresent(Runnable::run);
    }
}
