package io.mailroom.smtp.hook;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.mailroom.queue.MailQueue;
import io.mailroom.queue.QueueUnavailableException;
import io.mailroom.queue.QueuedMail;
import io.mailroom.smtp.SmtpReply;
import org.apache.james.core.MailAddress;
import org.apache.james.core.Username;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.smtp.MailEnvelope;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.MessageHook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * The end of DATA (RFC 5321 4.1.1.4): the message, with a Received header on top (RFC 5321 4.4) and
 * otherwise byte for byte as received, goes onto the queue. The client hears {@code 250} only after
 * {@link MailQueue#enqueue} has returned, i.e. once the message is durable; when the queue cannot take it,
 * {@code 451 4.3.0} tells the client to try again, and nothing of the message is kept.
 */
public final class EnqueueMessageHook implements MessageHook {

    private static final Logger log = LoggerFactory.getLogger(EnqueueMessageHook.class);

    private final MailQueue queue;
    private final String serverName;
    private final Clock clock;

    public EnqueueMessageHook(MailQueue queue, String serverName, Clock clock) {
        this.queue = queue;
        this.serverName = serverName;
        this.clock = clock;
    }

    @Override
    public HookResult onMessage(SMTPSession session, MailEnvelope envelope) {
        String id = TransactionId.of(session).orElseGet(() -> UUID.randomUUID().toString());
        MDC.put(TransactionId.MDC_KEY, id);
        Instant receivedAt = clock.instant();
        List<String> recipients = envelope.getRecipients().stream().map(MailAddress::asString).toList();
        String sender = envelope.getMaybeSender().asOptional().map(MailAddress::asString).orElse("");
        QueuedMail mail;
        try {
            byte[] content = withTraceHeader(session, envelope, id, recipients, receivedAt);
            mail = new QueuedMail(id, id, sender, recipients, receivedAt, content);
        } catch (IOException | RuntimeException e) {
            log.error("Cannot read the message received from <{}>", sender, e);
            return SmtpReply.LOCAL_ERROR.hookResult();
        }
        try {
            queue.enqueue(mail);
        } catch (QueueUnavailableException e) {
            log.warn("Queue unavailable, message from <{}> refused with 451: {}", sender, e.getMessage());
            return SmtpReply.QUEUE_UNAVAILABLE.hookResult();
        } catch (RuntimeException e) {
            // Whatever went wrong, the message may not be on the queue: never answer 250 for it.
            log.error("Enqueueing the message from <{}> failed", sender, e);
            return SmtpReply.QUEUE_UNAVAILABLE.hookResult();
        }
        log.info("Queued message from <{}> to {} ({} bytes)", sender, recipients, mail.content().length);
        return SmtpReply.QUEUED.withSuffix(" as " + id).hookResult();
    }

    private byte[] withTraceHeader(SMTPSession session, MailEnvelope envelope, String id, List<String> recipients,
                                   Instant receivedAt) throws IOException {
        ReceivedHeader header = new ReceivedHeader(
                session.getAttachment(SMTPSession.CURRENT_HELO_NAME, ProtocolSession.State.Connection).orElse(null),
                session.getRemoteAddress().getAddress().getHostAddress(),
                serverName,
                session.getAttachment(SMTPSession.CURRENT_HELO_MODE, ProtocolSession.State.Connection)
                        .map("EHLO"::equalsIgnoreCase).orElse(false),
                session.isTLSStarted() ? session.getSSLSession() : Optional.empty(),
                Optional.ofNullable(session.getUsername()).map(Username::asString),
                id,
                recipients,
                ZonedDateTime.ofInstant(receivedAt, clock.getZone()));
        byte[] trace = header.bytes();
        long size = envelope.getSize();
        ByteArrayOutputStream content = new ByteArrayOutputStream((int) Math.min(Integer.MAX_VALUE - 8, trace.length + Math.max(0, size)));
        content.write(trace);
        try (InputStream message = envelope.getMessageInputStream()) {
            message.transferTo(content);
        }
        return content.toByteArray();
    }
}
