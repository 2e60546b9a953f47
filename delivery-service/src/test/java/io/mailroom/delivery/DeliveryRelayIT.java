package io.mailroom.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.micrometer.core.instrument.MeterRegistry;
import io.mailroom.delivery.relay.RelayTestServer;
import io.mailroom.queue.MailOptions;
import io.mailroom.queue.MailOptions.RecipientOptions;
import io.mailroom.queue.MailQueue;
import io.mailroom.queue.QueuedMail;
import io.mailroom.testsupport.TestDatabase;
import io.mailroom.testsupport.TestPostgres;

/**
 * Submission mail to remote recipients, end to end on the PostgreSQL queue: relayed to a real second SMTP server
 * (STARTTLS, AUTH PLAIN), and the recipient the relay refuses with 5xx bounces to the (local) sender with the
 * relay's answer in the report.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(InMemoryMailboxApiConfiguration.class)
class DeliveryRelayIT {

    private static final TestDatabase DATABASE = TestPostgres.newDatabase();
    private static final RelayTestServer RELAY = start();

    private static RelayTestServer start() {
        try {
            return new RelayTestServer(true, Files.createTempDirectory("relay-tls"));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        QueueBackends.postgres(registry, DATABASE);
        registry.add("mailroom.internal.token", () -> "test-internal-token");
        registry.add("mailroom.delivery.retry.initial-delay", () -> "1s");
        registry.add("mailroom.delivery.relay.host", () -> "127.0.0.1");
        registry.add("mailroom.delivery.relay.port", RELAY::port);
        registry.add("mailroom.delivery.relay.trust-all", () -> "true");
        registry.add("mailroom.delivery.relay.username", () -> RelayTestServer.USER);
        registry.add("mailroom.delivery.relay.password", () -> RelayTestServer.PASSWORD);
    }

    @AfterAll
    static void stop() {
        RELAY.close();
    }

    @Autowired
    MailQueue queue;

    @Autowired
    InMemoryMailboxApiClient mailboxApi;

    @Autowired
    MeterRegistry registry;

    @Test
    void remoteRecipientsAreRelayedAndARefusalBouncesToTheSender() throws Exception {
        RecipientOptions remote = new RecipientOptions(true, List.of(), null);
        MailOptions submission = new MailOptions("192.0.2.9", "alice@example.com", false, null, null, null,
                List.of(remote, remote, RecipientOptions.LOCAL));
        byte[] content = "From: alice@example.com\r\nSubject: out\r\n\r\nto the world\r\n".getBytes(StandardCharsets.US_ASCII);

        queue.enqueue(new QueuedMail("relay-1", "relay-1", "alice@example.com",
                List.of("friend@remote.example", "refused@remote.example", "bob@example.com"), Instant.now(), content,
                submission));

        await().atMost(Duration.ofSeconds(60)).until(() -> mailboxApi.copies().keySet().stream()
                .anyMatch(key -> key.startsWith("relay-1-dsn-")));
        assertThat(RELAY.received()).singleElement().satisfies(received -> {
            assertThat(received.recipients()).containsExactly("friend@remote.example");
            assertThat(received.sender()).isEqualTo("alice@example.com");
            assertThat(received.tls()).isTrue();
            assertThat(received.user()).isEqualTo(RelayTestServer.USER);
            // a relayed copy is not a final delivery: no Return-Path from us, the bytes as queued
            assertThat(new String(received.content(), StandardCharsets.US_ASCII))
                    .endsWith(new String(content, StandardCharsets.US_ASCII)).doesNotContain("Return-Path:");
        });
        assertThat(mailboxApi.copies()).containsKey("relay-1:bob@example.com");
        String report = new String(mailboxApi.copies().values().stream()
                .filter(copy -> copy.deliveryId().startsWith("relay-1-dsn-")).findFirst().orElseThrow().content(),
                StandardCharsets.UTF_8);
        assertThat(report).startsWith("Return-Path: <>\r\n");
        assertThat(report).contains("Final-Recipient: rfc822; refused@remote.example", "Action: failed",
                "Status: 5.1.1", "Remote-MTA: dns; 127.0.0.1", "Diagnostic-Code: smtp; 550 5.1.1 no such user here");
        assertThat(report).doesNotContain("Final-Recipient: rfc822; friend@remote.example");
        assertThat(registry.get("mailroom.delivery.relayed").counter().count()).isEqualTo(1);
    }
}
