package io.mailroom.smtp.hook;

import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

import javax.net.ssl.SSLSession;

/**
 * The trace header smtp-ingress puts on top of every message it accepts (RFC 5321 4.4):
 *
 * <pre>
 * Received: from client.example.org ([192.0.2.1])
 *         by mx.example.com (Mailroom) with ESMTPSA id 0f8c…
 *         (using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384)
 *         (authenticated as alice@example.com)
 *         for &lt;bob@example.com&gt;; Tue, 7 Jan 2025 10:00:00 +0000
 * </pre>
 *
 * <p>The "with" keyword follows RFC 3848 (ESMTP, plus S for TLS and A for authentication). The client's
 * address is given as an address literal only: a reverse DNS lookup would be a blocking call per message.
 * The recipient is named only when there is one, so that a copy for one recipient does not list the others.
 * RFC 3848 / RFC 6531 4.3: "with" is ESMTP, ESMTPS, ESMTPA, ESMTPSA, or UTF8SMTP… in SMTPUTF8 transactions.
 */
record ReceivedHeader(String heloName, String clientIp, String serverName, boolean esmtp, boolean smtpUtf8,
                      Optional<SSLSession> tls, Optional<String> authenticatedUser, String id,
                      List<String> recipients, ZonedDateTime receivedAt) {

    private static final DateTimeFormatter RFC_5322_DATE = DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.US);
    /** Anything in the EHLO argument that could break the header's syntax goes. */
    private static final Pattern UNSAFE_IN_DOMAIN = Pattern.compile("[^A-Za-z0-9.\\-_:\\[\\]]");
    private static final String FOLD = "\r\n\t";

    String protocol() {
        if (!esmtp) {
            return "SMTP";
        }
        // RFC 6531 4.3: UTF8SMTP for a transaction that used SMTPUTF8.
        return (smtpUtf8 ? "UTF8SMTP" : "ESMTP") + (tls.isPresent() ? "S" : "") + (authenticatedUser.isPresent() ? "A" : "");
    }

    String render() {
        StringBuilder header = new StringBuilder("Received: from ")
                .append(fromDomain())
                .append(" (").append(addressLiteral(clientIp)).append(')')
                .append(FOLD).append("by ").append(serverName).append(" (Mailroom) with ").append(protocol())
                .append(" id ").append(id);
        tls.ifPresent(session -> header.append(FOLD).append("(using ").append(session.getProtocol())
                .append(" with cipher ").append(session.getCipherSuite()).append(')'));
        authenticatedUser.ifPresent(user -> header.append(FOLD).append("(authenticated as ").append(comment(user)).append(')'));
        header.append(FOLD);
        if (recipients.size() == 1) {
            header.append("for <").append(recipients.getFirst()).append(">; ");
        } else {
            header.append("; ");
        }
        return header.append(RFC_5322_DATE.format(receivedAt)).append("\r\n").toString();
    }

    byte[] bytes() {
        // The EHLO name is ASCII after sanitising; addresses are UTF-8 only in SMTPUTF8 transactions (RFC 6532).
        return render().getBytes(StandardCharsets.UTF_8);
    }

    private String fromDomain() {
        String cleaned = heloName == null ? "" : UNSAFE_IN_DOMAIN.matcher(heloName).replaceAll("");
        return cleaned.isEmpty() ? "unknown" : cleaned;
    }

    /** RFC 5321 4.1.3: {@code [192.0.2.1]}, {@code [IPv6:2001:db8::1]}. */
    private static String addressLiteral(String ip) {
        return ip.indexOf(':') >= 0 ? "[IPv6:" + ip + "]" : "[" + ip + "]";
    }

    private static String comment(String text) {
        return text.replaceAll("[()\\\\\r\n]", "");
    }
}
