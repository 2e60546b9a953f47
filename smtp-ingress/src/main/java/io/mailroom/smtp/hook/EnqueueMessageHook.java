package io.mailroom.smtp.hook;

import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import io.mailroom.queue.MailOptions;
import io.mailroom.queue.MailOptions.RecipientOptions;
import io.mailroom.queue.MailQueue;
import io.mailroom.queue.QueueUnavailableException;
import io.mailroom.queue.QueuedMail;
import io.mailroom.smtp.SmtpReply;
import io.mailroom.smtp.session.TransactionOptions;
import io.mailroom.smtp.session.Utf8Addresses;
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

import io.micrometer.tracing.Span;

/**
 * The end of DATA (RFC 5321 4.1.1.4) or of the last BDAT chunk (RFC 3030): the message, with a Received header on
 * top (RFC 5321 4.4) and otherwise byte for byte as received, goes onto the queue with what the transaction said
 * about it (client, authenticated user, SMTPUTF8, BODY, DSN parameters, which recipients are remote). The client
 * hears {@code 250} only after {@link MailQueue#enqueue} has returned, i.e. once the message is durable; when the
 * queue cannot take it, {@code 451 4.3.0} tells the client to try again, and nothing of the message is kept.
 *
 * <p>The message is read from its buffer (memory, or a spool file) once, into one array of its exact size, and
 * only with room reserved in {@link EnqueueMemory}, so that many large messages finishing together wait their
 * turn rather than fill the heap.
 */
public final class EnqueueMessageHook implements MessageHook {

    private static final Logger log = LoggerFactory.getLogger(EnqueueMessageHook.class);

    private final MailQueue queue;
    private final String serverName;
    private final Clock clock;
    private final EnqueueMemory memory;
    private final SendingRate sendingRate;
    private final SmtpMetrics metrics;
    private final SmtpTracing tracing;

    public EnqueueMessageHook(MailQueue queue, String serverName, Clock clock, EnqueueMemory memory,
                              SendingRate sendingRate, SmtpMetrics metrics) {
        this(queue, serverName, clock, memory, sendingRate, metrics, SmtpTracing.NONE);
    }

    public EnqueueMessageHook(MailQueue queue, String serverName, Clock clock, EnqueueMemory memory,
                              SendingRate sendingRate, SmtpMetrics metrics, SmtpTracing tracing) {
        this.tracing = tracing;
        this.queue = queue;
        this.serverName = serverName;
        this.clock = clock;
        this.memory = memory;
        this.sendingRate = sendingRate;
        this.metrics = metrics;
    }

    @Override
    public HookResult onMessage(SMTPSession session, MailEnvelope envelope) {
        // orElseGet: a span made eagerly would be one more span per message, never ended
        Span transaction = TransactionId.span(session).orElseGet(() -> tracing.tracer().nextSpan());
        HookResult result;
        try {
            result = enqueue(session, envelope, transaction);
        } catch (RuntimeException | Error e) {
            transaction.error(e);
            throw e;
        } finally {
            transaction.end();
        }
        return result;
    }

    private HookResult enqueue(SMTPSession session, MailEnvelope envelope, Span transaction) {
        String id = TransactionId.of(session).orElseGet(() -> UUID.randomUUID().toString());
        MDC.put(TransactionId.MDC_KEY, id);
        Instant receivedAt = clock.instant();
        TransactionOptions transactionOptions = TransactionOptions.of(session);
        List<String> recipients = envelope.getRecipients().stream().map(recipient -> Utf8Addresses.original(session, recipient)).toList();
        String sender = envelope.getMaybeSender().asOptional().map(address -> Utf8Addresses.original(session, address)).orElse("");
        Optional<String> user = Optional.ofNullable(session.getUsername()).map(Username::asString);

        byte[] trace = new ReceivedHeader(
                session.getAttachment(SMTPSession.CURRENT_HELO_NAME, ProtocolSession.State.Connection).orElse(null),
                session.getRemoteAddress().getAddress().getHostAddress(),
                serverName,
                session.getAttachment(SMTPSession.CURRENT_HELO_MODE, ProtocolSession.State.Connection)
                        .map("EHLO"::equalsIgnoreCase).orElse(false),
                transactionOptions.smtpUtf8(),
                session.isTLSStarted() ? session.getSSLSession() : Optional.empty(),
                user, id, recipients,
                ZonedDateTime.ofInstant(receivedAt, clock.getZone())).bytes();
        long size = trace.length + Math.max(0, envelope.getSize());

        EnqueueMemory.Reservation reservation = reserve(size);
        if (reservation == null) {
            log.warn("No memory to take the message from <{}> ({} bytes) to the queue in time; refused with 451", sender, size);
            metrics.messageRejected("enqueue-memory");
            transaction.tag("smtp.reply", "451");
            return SmtpReply.QUEUE_UNAVAILABLE.hookResult();
        }
        try (reservation) {
            QueuedMail mail;
            try {
                mail = new QueuedMail(id, id, sender, recipients, receivedAt, content(trace, envelope, size),
                        options(session, transactionOptions, envelope, user));
            } catch (IOException | RuntimeException e) {
                log.error("Cannot read the message received from <{}>", sender, e);
                metrics.messageRejected("local-error");
                transaction.error(e);
                return SmtpReply.LOCAL_ERROR.hookResult();
            }
            long started = System.nanoTime();
            Span enqueue = tracing.startEnqueue(transaction, id);
            try {
                queue.enqueue(mail.withTraceContext(tracing.context(enqueue)));
            } catch (QueueUnavailableException e) {
                log.warn("Queue unavailable, message from <{}> refused with 451: {}", sender, e.getMessage());
                metrics.enqueueFailed(Duration.ofNanos(System.nanoTime() - started));
                metrics.messageRejected("queue-unavailable");
                enqueue.error(e);
                transaction.tag("smtp.reply", "451");
                return SmtpReply.QUEUE_UNAVAILABLE.hookResult();
            } catch (RuntimeException e) {
                // Whatever went wrong, the message may not be on the queue: never answer 250 for it.
                log.error("Enqueueing the message from <{}> failed", sender, e);
                metrics.enqueueFailed(Duration.ofNanos(System.nanoTime() - started));
                metrics.messageRejected("queue-unavailable");
                enqueue.error(e);
                transaction.tag("smtp.reply", "451");
                return SmtpReply.QUEUE_UNAVAILABLE.hookResult();
            } finally {
                enqueue.end();
            }
            metrics.messageAccepted(size, Duration.ofNanos(System.nanoTime() - started));
        }
        transaction.tag("smtp.reply", "250").tag("mailroom.queue.id", id)
                .tag("mailroom.recipients", String.valueOf(recipients.size()));
        user.ifPresent(sendingRate::sent);
        SessionErrors.forgive(session);
        log.info("Queued message from <{}> to {} ({} bytes)", sender, recipients, size);
        return SmtpReply.QUEUED.withSuffix(" as " + id).hookResult();
    }

    private EnqueueMemory.Reservation reserve(long size) {
        try {
            return memory.reserve(size);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static byte[] content(byte[] trace, MailEnvelope envelope, long size) throws IOException {
        if (size > Integer.MAX_VALUE - 8) {
            throw new IOException("message too large for the queue: " + size + " bytes");
        }
        byte[] content = new byte[(int) size];
        System.arraycopy(trace, 0, content, 0, trace.length);
        try (InputStream message = envelope.getMessageInputStream()) {
            int read = message.readNBytes(content, trace.length, content.length - trace.length);
            if (read != content.length - trace.length || message.read() != -1) {
                throw new IOException("the message buffer holds " + read + " bytes, not " + (content.length - trace.length));
            }
        }
        return content;
    }

    private static MailOptions options(SMTPSession session, TransactionOptions transaction, MailEnvelope envelope,
                                       Optional<String> user) {
        List<TransactionOptions.Recipient> accepted = transaction.recipients();
        List<RecipientOptions> recipients = new ArrayList<>(envelope.getRecipients().size());
        boolean aligned = accepted.size() == envelope.getRecipients().size();
        for (int i = 0; i < envelope.getRecipients().size(); i++) {
            MailAddress address = envelope.getRecipients().get(i);
            recipients.add(aligned && accepted.get(i).address().equals(address) ? accepted.get(i).options() : RecipientOptions.LOCAL);
        }
        return new MailOptions(session.getRemoteAddress().getAddress().getHostAddress(), user.orElse(null),
                transaction.smtpUtf8(), transaction.bodyType(), transaction.dsnReturn(), transaction.dsnEnvelopeId(), recipients);
    }
}
