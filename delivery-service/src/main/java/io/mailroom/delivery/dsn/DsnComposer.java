package io.mailroom.delivery.dsn;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import io.mailroom.queue.DeliveryState.Destination;
import io.mailroom.queue.MailOptions;
import io.mailroom.queue.QueuedMail;

/**
 * Writes delivery status notifications (RFC 3464): a {@code multipart/report; report-type=delivery-status} with a
 * part for people, the {@code message/delivery-status} part (one per-message block, one block per recipient) and the
 * original message ({@code message/rfc822}) or its header ({@code text/rfc822-headers}), as RET asks (RFC 3461 4.3).
 * The notification travels as a new queue message from the null sender {@code <>} (RFC 5321 4.5.5), so nothing ever
 * answers it with another notification.
 */
public final class DsnComposer {

    /** RFC 3464 2.3.3 action of one recipient block. */
    public enum Action {
        FAILED, DELAYED, DELIVERED, RELAYED;

        String field() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * One recipient block.
     *
     * @param destination the outcome being reported
     * @param orcpt       ORCPT as {@code addr-type;address}, or null
     * @param action      what happened
     */
    public record Entry(Destination destination, String orcpt, Action action) {
    }

    private static final DateTimeFormatter DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
    private static final String CRLF = "\r\n";

    private final String reportingMta;
    private final long returnContentLimit;
    private final Clock clock;

    public DsnComposer(String reportingMta, long returnContentLimit, Clock clock) {
        this.reportingMta = reportingMta;
        this.returnContentLimit = returnContentLimit;
        this.clock = clock;
    }

    /**
     * The notification about {@code entries} of {@code original}, ready to enqueue: from {@code <>} to the original
     * envelope sender. Its queue id is derived from the original's id and what it reports, so that writing the same
     * report twice (a crash between enqueueing it and recording that) gives the same id, and filing it twice
     * stores one copy.
     *
     * @param willRetryUntil for delay notifications: when the message will bounce if still undelivered
     */
    public QueuedMail compose(QueuedMail original, List<Entry> entries, Instant willRetryUntil) {
        if (original.envelopeFrom().isEmpty()) {
            throw new IllegalArgumentException("never a notification to the null sender");
        }
        Instant now = clock.instant();
        String id = original.id() + "-dsn-" + fingerprint(entries);
        String boundary = "=_mailroom_dsn_" + UUID.randomUUID().toString().replace("-", "");
        boolean failed = entries.stream().anyMatch(entry -> entry.action() == Action.FAILED);
        boolean delayed = entries.stream().anyMatch(entry -> entry.action() == Action.DELAYED);
        String subject = failed ? "Undelivered Mail Returned to Sender"
                : delayed ? "Delayed Mail (still being retried)" : "Successful Mail Delivery Report";

        StringBuilder head = new StringBuilder();
        head.append("From: Mail Delivery System <MAILER-DAEMON@").append(reportingMta).append('>').append(CRLF);
        head.append("To: <").append(original.envelopeFrom()).append('>').append(CRLF);
        head.append("Subject: ").append(subject).append(CRLF);
        head.append("Date: ").append(DATE.format(now)).append(CRLF);
        head.append("Message-ID: <").append(id).append('@').append(reportingMta).append('>').append(CRLF);
        // RFC 3834 5: a notification is auto-generated; well-behaved responders do not answer it
        head.append("Auto-Submitted: auto-replied").append(CRLF);
        head.append("MIME-Version: 1.0").append(CRLF);
        head.append("Content-Type: multipart/report; report-type=delivery-status;").append(CRLF);
        head.append("\tboundary=\"").append(boundary).append('"').append(CRLF);
        head.append(CRLF);
        head.append("This is a MIME-encapsulated delivery status notification (RFC 3464).").append(CRLF);
        head.append(CRLF);

        head.append("--").append(boundary).append(CRLF);
        head.append("Content-Type: text/plain; charset=utf-8").append(CRLF);
        head.append("Content-Transfer-Encoding: 8bit").append(CRLF);
        head.append("Content-Description: Notification").append(CRLF);
        head.append(CRLF);
        humanPart(head, entries, failed, delayed, willRetryUntil);
        head.append(CRLF);

        head.append("--").append(boundary).append(CRLF);
        head.append("Content-Type: message/delivery-status").append(CRLF);
        head.append("Content-Description: Delivery report").append(CRLF);
        head.append(CRLF);
        head.append("Reporting-MTA: dns; ").append(reportingMta).append(CRLF);
        if (original.options().dsnEnvelopeId() != null) {
            head.append("Original-Envelope-Id: ").append(xtext(original.options().dsnEnvelopeId())).append(CRLF);
        }
        head.append("X-Mailroom-Queue-ID: ").append(original.id()).append(CRLF);
        head.append("Arrival-Date: ").append(DATE.format(original.receivedAt())).append(CRLF);
        for (Entry entry : entries) {
            head.append(CRLF);
            recipientBlock(head, entry, now, willRetryUntil);
        }
        head.append(CRLF);

        boolean full = failed && !"HDRS".equalsIgnoreCase(original.options().dsnReturn())
                && original.content().length <= returnContentLimit;
        byte[] returned = full ? original.content() : headerBlock(original.content());
        head.append("--").append(boundary).append(CRLF);
        head.append("Content-Type: ").append(full ? "message/rfc822" : "text/rfc822-headers").append(CRLF);
        head.append("Content-Description: ").append(full ? "Undelivered message" : "Message headers").append(CRLF);
        if (!isAscii(returned)) {
            head.append("Content-Transfer-Encoding: 8bit").append(CRLF);
        }
        head.append(CRLF);

        ByteArrayOutputStream out = new ByteArrayOutputStream(head.length() + returned.length + 128);
        out.writeBytes(head.toString().getBytes(StandardCharsets.UTF_8));
        out.writeBytes(returned);
        if (returned.length > 0 && returned[returned.length - 1] != '\n') {
            out.writeBytes(CRLF.getBytes(StandardCharsets.US_ASCII));
        }
        out.writeBytes((CRLF + "--" + boundary + "--" + CRLF).getBytes(StandardCharsets.US_ASCII));

        MailOptions options = new MailOptions(null, null, original.options().smtpUtf8(), null, null, null,
                List.of(new MailOptions.RecipientOptions(true, List.of("NEVER"), null)));
        return new QueuedMail(id, original.traceId(), "", List.of(original.envelopeFrom()), now, out.toByteArray(),
                options);
    }

    private void humanPart(StringBuilder text, List<Entry> entries, boolean failed, boolean delayed,
                           Instant willRetryUntil) {
        text.append("This is the mail system at ").append(reportingMta).append('.').append(CRLF).append(CRLF);
        if (failed) {
            text.append("Your message could not be delivered to one or more recipients. It is attached below.")
                    .append(CRLF);
        } else if (delayed) {
            text.append("Your message has not been delivered yet to one or more recipients. It is still being retried")
                    .append(willRetryUntil == null ? "." : " until " + DATE.format(willRetryUntil) + ".")
                    .append(CRLF).append("You do not need to send it again.").append(CRLF);
        } else {
            text.append("Your message was delivered to the recipients below, as you asked.").append(CRLF);
        }
        text.append(CRLF);
        for (Entry entry : entries) {
            Destination destination = entry.destination();
            text.append("<").append(destination.address()).append(">: ").append(entry.action().field());
            if (destination.detail() != null) {
                text.append(" (").append(oneLine(destination.detail())).append(')');
            }
            text.append(CRLF);
        }
    }

    private static void recipientBlock(StringBuilder block, Entry entry, Instant now, Instant willRetryUntil) {
        Destination destination = entry.destination();
        if (entry.orcpt() != null) {
            block.append("Original-Recipient: ").append(addressType(entry.orcpt())).append(CRLF);
        }
        block.append("Final-Recipient: rfc822; ").append(destination.address()).append(CRLF);
        block.append("Action: ").append(entry.action().field()).append(CRLF);
        block.append("Status: ").append(status(entry)).append(CRLF);
        if (destination.remoteMta() != null) {
            block.append("Remote-MTA: dns; ").append(destination.remoteMta()).append(CRLF);
            if (destination.detail() != null) {
                block.append("Diagnostic-Code: smtp; ").append(oneLine(destination.detail())).append(CRLF);
            }
        } else if (destination.detail() != null && entry.action() != Action.DELIVERED) {
            block.append("X-Mailroom-Diagnostic: ").append(oneLine(destination.detail())).append(CRLF);
        }
        block.append("Last-Attempt-Date: ").append(DATE.format(destination.at() == null ? now : destination.at()))
                .append(CRLF);
        if (entry.action() == Action.DELAYED && willRetryUntil != null) {
            block.append("Will-Retry-Until: ").append(DATE.format(willRetryUntil)).append(CRLF);
        }
    }

    private static String status(Entry entry) {
        String status = entry.destination().status();
        if (status != null && status.matches("[245]\\.\\d{1,3}\\.\\d{1,3}")) {
            return status;
        }
        return switch (entry.action()) {
            case FAILED -> "5.0.0";
            case DELAYED -> "4.0.0";
            case DELIVERED, RELAYED -> "2.0.0";
        };
    }

    /** ORCPT as RFC 3464 2.3.1 writes it: {@code rfc822; address}. */
    private static String addressType(String orcpt) {
        int semicolon = orcpt.indexOf(';');
        if (semicolon < 0) {
            return "rfc822; " + orcpt;
        }
        return orcpt.substring(0, semicolon).trim() + "; " + orcpt.substring(semicolon + 1).trim();
    }

    /** The original's header block, up to and including the empty line (or all of it when there is none). */
    static byte[] headerBlock(byte[] content) {
        for (int i = 0; i < content.length; i++) {
            if (content[i] == '\n') {
                if (i + 1 < content.length && content[i + 1] == '\n') {
                    return java.util.Arrays.copyOf(content, i + 2);
                }
                if (i + 2 < content.length && content[i + 1] == '\r' && content[i + 2] == '\n') {
                    return java.util.Arrays.copyOf(content, i + 3);
                }
            }
        }
        return content;
    }

    private static boolean isAscii(byte[] bytes) {
        for (byte b : bytes) {
            if (b < 0) {
                return false;
            }
        }
        return true;
    }

    /** A remote reply may span lines; a DSN field may not. */
    private static String oneLine(String text) {
        return text.replaceAll("[\\r\\n\\t]+", " ").strip();
    }

    /** RFC 3461 4 xtext for ENVID: '+', '=', controls and non-ASCII as +XX. */
    private static String xtext(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c < 33 || c > 126 || c == '+' || c == '=') {
                out.append('+').append(String.format("%02X", c));
            } else {
                out.append((char) c);
            }
        }
        return out.toString();
    }

    private static String fingerprint(List<Entry> entries) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            for (Entry entry : entries) {
                digest.update((entry.action() + ":" + entry.destination().address().toLowerCase(Locale.ROOT) + "\n")
                        .getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(digest.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
