package io.mailroom.queue;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One message that smtp-ingress accepted, as it travels from smtp-ingress to delivery-service.
 * The wire format of each adapter is versioned ({@link #FORMAT_VERSION}) and documented in
 * docs/queue-format.md.
 *
 * @param id           unique, assigned by smtp-ingress; delivery ids derive from it
 * @param traceId      carried into every log line along the way (SMTP → queue → delivery → mailbox-api)
 * @param envelopeFrom the SMTP MAIL FROM address; empty for the null sender {@code <>}
 * @param recipients   the SMTP RCPT TO addresses, in order
 * @param receivedAt   when smtp-ingress answered the end of DATA
 * @param content      the raw RFC 5322 message as it will be filed (trace headers included)
 * @param options      what the SMTP transaction said beyond the addresses (client, authentication, SMTPUTF8,
 *                     DSN parameters, which recipients are remote); {@link MailOptions#NONE} when nothing
 * @param state        what earlier attempts achieved (travels beside the envelope, not in it);
 *                     {@link DeliveryState#EMPTY} for a new message
 * @param traceContext the distributed-tracing context of the SMTP transaction as propagation fields (W3C
 *                     {@code traceparent}, {@code tracestate}), so that delivery continues smtp-ingress's trace;
 *                     empty when tracing was off
 */
public record QueuedMail(String id, String traceId, String envelopeFrom, List<String> recipients,
                         Instant receivedAt, byte[] content, MailOptions options, DeliveryState state,
                         Map<String, String> traceContext) {

    /** The version of the message format this code writes and reads. */
    public static final int FORMAT_VERSION = 1;

    public QueuedMail {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(traceId, "traceId");
        Objects.requireNonNull(envelopeFrom, "envelopeFrom");
        recipients = List.copyOf(recipients);
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException("a queued message needs at least one recipient");
        }
        Objects.requireNonNull(receivedAt, "receivedAt");
        Objects.requireNonNull(content, "content");
        options = options == null ? MailOptions.NONE : options;
        state = state == null ? DeliveryState.EMPTY : state;
        traceContext = traceContext == null ? Map.of() : Map.copyOf(traceContext);
        if (!options.recipients().isEmpty() && options.recipients().size() != recipients.size()) {
            throw new IllegalArgumentException("recipient options must be given for every recipient or for none");
        }
    }

    /** A message without a trace context. */
    public QueuedMail(String id, String traceId, String envelopeFrom, List<String> recipients, Instant receivedAt,
                      byte[] content, MailOptions options, DeliveryState state) {
        this(id, traceId, envelopeFrom, recipients, receivedAt, content, options, state, Map.of());
    }

    /** A message as smtp-ingress enqueues it: nothing attempted yet. */
    public QueuedMail(String id, String traceId, String envelopeFrom, List<String> recipients, Instant receivedAt,
                      byte[] content, MailOptions options) {
        this(id, traceId, envelopeFrom, recipients, receivedAt, content, options, DeliveryState.EMPTY);
    }

    /** A message with nothing known beyond its addresses (as format version 1 first had it). */
    public QueuedMail(String id, String traceId, String envelopeFrom, List<String> recipients, Instant receivedAt,
                      byte[] content) {
        this(id, traceId, envelopeFrom, recipients, receivedAt, content, MailOptions.NONE);
    }

    /** This message as it continues after an attempt that left {@code state}. */
    public QueuedMail withState(DeliveryState state) {
        return new QueuedMail(id, traceId, envelopeFrom, recipients, receivedAt, content, options, state, traceContext);
    }

    /** This message carrying the trace context {@code fields} (propagation header name to value). */
    public QueuedMail withTraceContext(Map<String, String> fields) {
        return new QueuedMail(id, traceId, envelopeFrom, recipients, receivedAt, content, options, state, fields);
    }

    /** The options of the recipient at {@code index}: what smtp-ingress recorded, or the local default. */
    public MailOptions.RecipientOptions recipientOptions(int index) {
        return options.recipients().isEmpty() ? MailOptions.RecipientOptions.LOCAL : options.recipients().get(index);
    }
}
