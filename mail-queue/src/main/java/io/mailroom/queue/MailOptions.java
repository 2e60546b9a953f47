package io.mailroom.queue;

import java.util.List;

/**
 * What the SMTP transaction said about a message beyond its addresses: who handed it over, how, and what the
 * sender asked for in delivery status notifications (RFC 3461). Every field is optional; messages written
 * before these fields existed read as {@link #NONE}. docs/queue-format.md names the JSON fields.
 *
 * @param clientIp        the address of the SMTP client (the one in the PROXY header behind a load balancer); null if unknown
 * @param authenticatedAs the account the client authenticated as (submission); null for unauthenticated mail (MX)
 * @param smtpUtf8        the client asked for SMTPUTF8 (RFC 6531): addresses and headers may hold UTF-8, and a
 *                        relay must not hand the message to a server that does not offer SMTPUTF8
 * @param bodyType        the MAIL BODY parameter: {@code 7BIT}, {@code 8BITMIME} (RFC 6152) or {@code BINARYMIME}
 *                        (RFC 3030); null when not given
 * @param dsnReturn       RFC 3461 RET: {@code FULL} or {@code HDRS}; null when not given
 * @param dsnEnvelopeId   RFC 3461 ENVID, xtext-decoded; null when not given
 * @param recipients      empty, or one entry per {@link QueuedMail#recipients()}, in the same order
 */
public record MailOptions(String clientIp, String authenticatedAs, boolean smtpUtf8, String bodyType,
                          String dsnReturn, String dsnEnvelopeId, List<RecipientOptions> recipients) {

    /** Nothing known beyond the addresses. */
    public static final MailOptions NONE = new MailOptions(null, null, false, null, null, null, List.of());

    public MailOptions {
        recipients = recipients == null ? List.of() : List.copyOf(recipients);
    }

    /** True when nothing beyond the defaults is set, i.e. nothing needs to travel. */
    public boolean isEmpty() {
        return equals(NONE);
    }

    /**
     * @param remote              not one of our domains: the outbound relay delivers it (submission only; MX takes
     *                            local recipients only)
     * @param dsnNotify           RFC 3461 NOTIFY: {@code NEVER}, or any of {@code SUCCESS}, {@code FAILURE},
     *                            {@code DELAY}; empty when not given (then: failures and delays, RFC 3461 4.1)
     * @param dsnOriginalRecipient RFC 3461 ORCPT as {@code addr-type;address}, the address xtext-decoded
     *                            ({@code rfc822;bob@example.com}); null when not given
     */
    public record RecipientOptions(boolean remote, List<String> dsnNotify, String dsnOriginalRecipient) {

        public static final RecipientOptions LOCAL = new RecipientOptions(false, List.of(), null);

        public RecipientOptions {
            dsnNotify = dsnNotify == null ? List.of() : List.copyOf(dsnNotify);
        }
    }
}
