package io.mailroom.smtp.server;

import java.util.List;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.smtp.MailEnvelope;
import org.apache.james.protocols.smtp.MailEnvelopeImpl;

/**
 * Where the body of a message goes while DATA arrives. For now James's in-memory envelope: a message is held
 * in memory whole, up to the maximum message size. Spooling large messages to disk replaces this, and
 * nothing else needs to change: the hooks read the body back through {@link MailEnvelope}.
 */
@FunctionalInterface
public interface MessageBuffer {

    MessageBuffer IN_MEMORY = (sender, recipients) -> {
        MailEnvelopeImpl envelope = new MailEnvelopeImpl();
        envelope.setSender(sender);
        envelope.setRecipients(recipients);
        return envelope;
    };

    MailEnvelope newEnvelope(MaybeSender sender, List<MailAddress> recipients);
}
