package io.mailroom.smtp.hook;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class ReceivedHeaderTest {

    private static final ZonedDateTime WHEN = ZonedDateTime.of(2025, 1, 7, 10, 0, 0, 0, ZoneOffset.UTC);

    @Test
    void namesTheClientTheServerTheIdAndTheOnlyRecipient() {
        ReceivedHeader header = new ReceivedHeader("client.example.org", "192.0.2.1", "mx.example.com", true, false,
                Optional.empty(), Optional.empty(), "q1", List.of("bob@example.com"), WHEN);

        assertThat(header.render()).isEqualTo("Received: from client.example.org ([192.0.2.1])\r\n"
                + "\tby mx.example.com (Mailroom) with ESMTP id q1\r\n"
                + "\tfor <bob@example.com>; Tue, 7 Jan 2025 10:00:00 +0000\r\n");
    }

    @Test
    void doesNotListSeveralRecipients() {
        ReceivedHeader header = new ReceivedHeader("client.example.org", "192.0.2.1", "mx.example.com", true, false,
                Optional.empty(), Optional.empty(), "q1", List.of("bob@example.com", "carol@example.com"), WHEN);

        assertThat(header.render()).doesNotContain("bob@").endsWith("\r\n\t; Tue, 7 Jan 2025 10:00:00 +0000\r\n");
    }

    @Test
    void protocolFollowsRfc3848() {
        assertThat(header(false, Optional.empty()).protocol()).isEqualTo("SMTP");
        assertThat(header(true, Optional.empty()).protocol()).isEqualTo("ESMTP");
        assertThat(header(true, Optional.of("alice@example.com")).protocol()).isEqualTo("ESMTPA");
        assertThat(header(true, Optional.of("alice@example.com")).render()).contains("\r\n\t(authenticated as alice@example.com)\r\n");
    }

    @Test
    void anEhloArgumentCannotBreakTheHeader() {
        ReceivedHeader header = new ReceivedHeader("evil\r\nBcc: x (y)", "192.0.2.1", "mx.example.com", true, false,
                Optional.empty(), Optional.empty(), "q1", List.of(), WHEN);

        assertThat(header.render()).startsWith("Received: from evilBcc:xy ([192.0.2.1])\r\n\tby ");
        assertThat(new ReceivedHeader("", "192.0.2.1", "mx", true, false, Optional.empty(), Optional.empty(), "q1", List.of(), WHEN).render())
                .startsWith("Received: from unknown ([192.0.2.1])");
    }

    @Test
    void anIpv6ClientIsAnIpv6AddressLiteral() {
        ReceivedHeader header = new ReceivedHeader("client.example.org", "2001:db8:0:0:0:0:0:1", "mx", true, false,
                Optional.empty(), Optional.empty(), "q1", List.of(), WHEN);

        assertThat(header.render()).startsWith("Received: from client.example.org ([IPv6:2001:db8:0:0:0:0:0:1])\r\n");
    }

    @Test
    void anSmtpUtf8TransactionIsUtf8Smtp() {
        ReceivedHeader header = new ReceivedHeader("c", "192.0.2.1", "mx", true, true, Optional.empty(),
                Optional.of("jos\u00e9@example.com"), "q1", List.of("\u00fcser@example.com"), WHEN);

        assertThat(header.protocol()).isEqualTo("UTF8SMTPA");
        assertThat(new String(header.bytes(), java.nio.charset.StandardCharsets.UTF_8)).contains("for <\u00fcser@example.com>");
    }

    private static ReceivedHeader header(boolean esmtp, Optional<String> user) {
        return new ReceivedHeader("c", "192.0.2.1", "mx", esmtp, false, Optional.empty(), user, "q1", List.of("b@x"), WHEN);
    }
}
