package io.mailroom.delivery.relay;

import java.util.List;

import io.mailroom.queue.QueuedMail;

/**
 * How a copy leaves for a remote address. The first implementation hands everything to one configured relay host
 * ({@link SmtpRelayTransport}); direct MX delivery is another implementation of the same interface (it would group
 * the recipients by domain and look up each domain's MX hosts), with the same retry and bounce rules, which live in
 * the caller.
 */
public interface OutboundTransport {

    /**
     * Hands {@code mail} over for {@code recipients} in as few transactions as it can. Never throws for a failure of
     * the remote side: every recipient gets a result.
     *
     * @param recipients remote addresses, each with the DSN wishes it carries
     * @return one result per recipient, in the same order
     */
    List<RelayResult> send(QueuedMail mail, List<RelayRecipient> recipients);

    /**
     * @param address the remote address
     * @param dsnNotify RFC 3461 NOTIFY to pass on when the remote side supports DSN; empty when not given
     * @param orcpt   RFC 3461 ORCPT ({@code rfc822;address}); null when not given
     */
    record RelayRecipient(String address, List<String> dsnNotify, String orcpt) {
    }

    /**
     * @param address   the recipient
     * @param kind      what the remote side said
     * @param status    RFC 3463 enhanced status code ({@code 2.0.0}, {@code 4.4.1}, {@code 5.1.1}, …)
     * @param detail    the remote reply (or what went wrong on the way), for people and for the bounce
     * @param remoteMta the host that answered; null when none did
     */
    record RelayResult(String address, Kind kind, String status, String detail, String remoteMta) {

        public enum Kind {
            /** Accepted by the remote side. */
            SENT,
            /** Try again later (4xx, connection trouble). */
            TEMPORARY,
            /** Refused for good (5xx). */
            PERMANENT
        }
    }

    /** When no relay is configured: every remote recipient waits (4.3.5) until one is, or its lifetime ends. */
    OutboundTransport NONE = (mail, recipients) -> recipients.stream()
            .map(recipient -> new RelayResult(recipient.address(), RelayResult.Kind.TEMPORARY, "4.3.5",
                    "no outbound relay is configured (mailroom.delivery.relay.host)", null))
            .toList();
}
