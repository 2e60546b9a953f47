package io.mailroom.smtp.server;

import java.util.List;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.smtp.MailEnvelope;
import org.apache.james.protocols.smtp.MailEnvelopeImpl;

/**
 * Where the body of a message goes while DATA or BDAT arrives. The hooks read it back through
 * {@link MailEnvelope}; an envelope that is {@link AutoCloseable} is closed once the message has been answered
 * (or the connection dropped), which is when a spooled one deletes its file. {@link SpoolingMessageBuffer} is
 * what the service uses.
 */
@FunctionalInterface
public interface MessageBuffer {

    /** James's envelope: the whole message on the heap. For tests of small messages only. */
    MessageBuffer IN_MEMORY = (sender, recipients) -> {
        MailEnvelopeImpl envelope = new MailEnvelopeImpl();
        envelope.setSender(sender);
        envelope.setRecipients(recipients);
        return envelope;
    };

    MailEnvelope newEnvelope(MaybeSender sender, List<MailAddress> recipients);

    /** The connection's message in progress, whichever way its transaction ends. */
    org.apache.james.protocols.api.ProtocolSession.AttachmentKey<MailEnvelope> CURRENT =
            org.apache.james.protocols.api.ProtocolSession.AttachmentKey.of("mailroom.currentMessage", MailEnvelope.class);

    /**
     * Remembers {@code envelope} as the connection's message in progress and releases the one before it.
     * RSET, EHLO or a refused message drop the transaction without a word to its buffer; this way at most one
     * buffer per connection outlives its transaction, until the next message or the end of the connection.
     */
    static void track(org.apache.james.protocols.api.ProtocolSession session, MailEnvelope envelope) {
        session.getAttachment(CURRENT, org.apache.james.protocols.api.ProtocolSession.State.Connection)
                .filter(previous -> previous != envelope)
                .ifPresent(MessageBuffer::release);
        session.setAttachment(CURRENT, envelope, org.apache.james.protocols.api.ProtocolSession.State.Connection);
    }

    /** Closes {@code envelope} if it holds anything to release. */
    static void release(MailEnvelope envelope) {
        if (envelope instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                org.slf4j.LoggerFactory.getLogger(MessageBuffer.class).warn("Cannot release a message buffer: {}", e.toString());
            }
        }
    }
}
