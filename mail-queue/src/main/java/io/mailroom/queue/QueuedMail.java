package io.mailroom.queue;

import java.time.Instant;
import java.util.List;
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
 */
public record QueuedMail(String id, String traceId, String envelopeFrom, List<String> recipients,
                         Instant receivedAt, byte[] content) {

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
    }
}
