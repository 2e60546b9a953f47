package io.mailroom.mailbox.client.store;

import java.util.List;

/**
 * The facts of IMAP's ENVELOPE (RFC 9051 §7.5.2), read from the header at filing: for tools and for a quick look. Date,
 * subject, In-Reply-To and Message-ID are the header values as written (unfolded, encoded words not decoded); null when
 * the header is absent. Sender and Reply-To default to From, as ENVELOPE asks. An IMAP server that must reproduce
 * ENVELOPE byte for byte (James's {@code EnvelopeBuilder} does) builds it from {@link MessageMetadata#header()}.
 *
 * @param date      the Date header
 * @param inReplyTo the In-Reply-To header
 * @param messageId the Message-ID header
 */
public record Envelope(String date, String subject, List<Address> from, List<Address> sender, List<Address> replyTo,
                       List<Address> to, List<Address> cc, List<Address> bcc, String inReplyTo, String messageId) {

    public Envelope {
        from = copy(from);
        sender = copy(sender);
        replyTo = copy(replyTo);
        to = copy(to);
        cc = copy(cc);
        bcc = copy(bcc);
    }

    private static List<Address> copy(List<Address> addresses) {
        return addresses == null ? List.of() : List.copyOf(addresses);
    }

    /**
     * One address in IMAP's form: personal name, mailbox (local part), host. Groups (RFC 5322 §3.4) appear the way
     * IMAP encodes them: a start marker with {@code host == null} and the group name in {@code mailbox}, the members,
     * then an end marker with {@code mailbox == null} and {@code host == null}.
     *
     * @param name    the display name, RFC 2047-decoded by the address parser, or null
     * @param mailbox the local part, or the group name of a start marker
     * @param host    the domain, or null for a group marker
     */
    public record Address(String name, String mailbox, String host) {
    }
}
