package io.mailroom.delivery.relay;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.mailroom.delivery.DeliveryProperties;
import io.mailroom.delivery.DeliveryProperties.Relay.StartTls;
import io.mailroom.delivery.relay.OutboundTransport.RelayRecipient;
import io.mailroom.delivery.relay.OutboundTransport.RelayResult;
import io.mailroom.delivery.relay.OutboundTransport.RelayResult.Kind;
import io.mailroom.queue.MailOptions;
import io.mailroom.queue.QueuedMail;

/** The SMTP relay client against a real second SMTP server (Apache James's SMTP on Netty, see {@link RelayTestServer}). */
class SmtpRelayTransportIT {

    @TempDir
    static Path tls;

    private static RelayTestServer withTls;
    private static RelayTestServer withoutTls;

    private static final byte[] CONTENT = ("From: alice@example.com\r\nTo: x@remote.example\r\nSubject: relay\r\n\r\n"
            + "first line\r\n.a line that starts with a dot\r\n.\r\nlast line\r\n").getBytes(StandardCharsets.US_ASCII);

    @BeforeAll
    static void start() throws Exception {
        withTls = new RelayTestServer(true, tls);
        withoutTls = new RelayTestServer(false, tls);
    }

    @AfterAll
    static void stop() {
        withTls.close();
        withoutTls.close();
    }

    private static DeliveryProperties.Relay relay(int port, StartTls startTls, String user, String password) {
        return new DeliveryProperties.Relay("127.0.0.1", port, startTls, true, user, password, Duration.ofSeconds(10),
                Duration.ofSeconds(30));
    }

    private static QueuedMail mail(String id, String... recipients) {
        return new QueuedMail(id, id, "alice@example.com", List.of(recipients), Instant.now(), CONTENT);
    }

    private static List<RelayRecipient> to(String... addresses) {
        return java.util.Arrays.stream(addresses).map(a -> new RelayRecipient(a, List.of(), null)).toList();
    }

    @Test
    void handsTheMessageOverAfterStartTlsAndAuthPlainByteForByte() {
        SmtpRelayTransport transport = new SmtpRelayTransport(relay(withTls.port(), StartTls.REQUIRED,
                RelayTestServer.USER, RelayTestServer.PASSWORD), "delivery.test");

        List<RelayResult> results = transport.send(mail("r1", "x@remote.example", "y@remote.example"),
                to("x@remote.example", "y@remote.example"));

        assertThat(results).extracting(RelayResult::kind).containsExactly(Kind.SENT, Kind.SENT);
        assertThat(results.getFirst().remoteMta()).isEqualTo("127.0.0.1");
        RelayTestServer.Received received = withTls.received().stream()
                .filter(r -> r.recipients().contains("x@remote.example")).findFirst().orElseThrow();
        assertThat(received.tls()).isTrue();
        assertThat(received.user()).isEqualTo(RelayTestServer.USER);
        assertThat(received.sender()).isEqualTo("alice@example.com");
        assertThat(received.recipients()).containsExactly("x@remote.example", "y@remote.example");
        String text = new String(received.content(), StandardCharsets.US_ASCII);
        // the relay may add its own trace header in front; the message itself arrives unchanged, dots included
        assertThat(text).endsWith(new String(CONTENT, StandardCharsets.US_ASCII));
    }

    @Test
    void perRecipientRepliesBecomePerRecipientOutcomes() {
        SmtpRelayTransport transport = new SmtpRelayTransport(relay(withTls.port(), StartTls.REQUIRED,
                RelayTestServer.USER, RelayTestServer.PASSWORD), "delivery.test");

        List<RelayResult> results = transport.send(mail("r2", "ok@remote.example", "refused@remote.example",
                "later@remote.example"), to("ok@remote.example", "refused@remote.example", "later@remote.example"));

        assertThat(results).extracting(RelayResult::kind).containsExactly(Kind.SENT, Kind.PERMANENT, Kind.TEMPORARY);
        assertThat(results.get(1).status()).isEqualTo("5.1.1");
        assertThat(results.get(1).detail()).contains("550", "no such user here");
        assertThat(results.get(2).status()).isEqualTo("4.2.0");
        assertThat(withTls.received()).filteredOn(r -> r.recipients().contains("ok@remote.example")).singleElement()
                .satisfies(r -> assertThat(r.recipients()).containsExactly("ok@remote.example"));
    }

    @Test
    void refusedCredentialsAreTemporaryNotABounce() {
        SmtpRelayTransport transport = new SmtpRelayTransport(relay(withTls.port(), StartTls.REQUIRED,
                RelayTestServer.USER, "wrong"), "delivery.test");

        List<RelayResult> results = transport.send(mail("r3", "z@remote.example"), to("z@remote.example"));

        assertThat(results).singleElement().satisfies(r -> {
            assertThat(r.kind()).isEqualTo(Kind.TEMPORARY);
            assertThat(r.status()).isEqualTo("4.7.8");
        });
        assertThat(withTls.received()).noneMatch(r -> r.recipients().contains("z@remote.example"));
    }

    @Test
    void withoutStartTlsOnOfferNothingIsSentInClearUnlessAllowed() {
        SmtpRelayTransport required = new SmtpRelayTransport(relay(withoutTls.port(), StartTls.REQUIRED, "", ""),
                "delivery.test");
        SmtpRelayTransport opportunistic = new SmtpRelayTransport(relay(withoutTls.port(), StartTls.OPPORTUNISTIC, "", ""),
                "delivery.test");

        List<RelayResult> refused = required.send(mail("r4", "clear@remote.example"), to("clear@remote.example"));
        assertThat(refused).singleElement().satisfies(r -> {
            assertThat(r.kind()).isEqualTo(Kind.TEMPORARY);
            assertThat(r.status()).isEqualTo("4.7.0");
        });
        assertThat(withoutTls.received()).isEmpty();

        List<RelayResult> sent = opportunistic.send(mail("r5", "clear@remote.example"), to("clear@remote.example"));
        assertThat(sent).singleElement().extracting(RelayResult::kind).isEqualTo(Kind.SENT);
        assertThat(withoutTls.received()).singleElement().satisfies(r -> assertThat(r.tls()).isFalse());
    }

    @Test
    void aMessageThatNeedsSmtpUtf8IsNotHandedToARelayWithoutIt() {
        SmtpRelayTransport transport = new SmtpRelayTransport(relay(withTls.port(), StartTls.REQUIRED,
                RelayTestServer.USER, RelayTestServer.PASSWORD), "delivery.test");
        QueuedMail utf8 = new QueuedMail("r6", "r6", "alice@example.com", List.of("u@remote.example"), Instant.now(),
                CONTENT, new MailOptions(null, "alice@example.com", true, "8BITMIME", null, null, List.of()));

        List<RelayResult> results = transport.send(utf8, to("u@remote.example"));

        assertThat(results).singleElement().satisfies(r -> {
            assertThat(r.kind()).isEqualTo(Kind.PERMANENT);
            assertThat(r.status()).isEqualTo("5.6.7");
        });
    }

    @Test
    void aRelayThatCannotBeReachedIsTemporary() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        SmtpRelayTransport transport = new SmtpRelayTransport(relay(closedPort, StartTls.REQUIRED, "", ""), "delivery.test");

        List<RelayResult> results = transport.send(mail("r7", "n@remote.example"), to("n@remote.example"));

        assertThat(results).singleElement().satisfies(r -> {
            assertThat(r.kind()).isEqualTo(Kind.TEMPORARY);
            assertThat(r.detail()).contains("127.0.0.1:" + closedPort);
        });
    }
}
