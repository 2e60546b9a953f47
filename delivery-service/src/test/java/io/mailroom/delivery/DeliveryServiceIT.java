package io.mailroom.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.micrometer.core.instrument.MeterRegistry;
import io.mailroom.queue.MailQueue;
import io.mailroom.queue.QueuedMail;
import io.mailroom.testsupport.TestDatabase;
import io.mailroom.testsupport.TestPostgres;

/** The whole service on the PostgreSQL queue, with mailbox-api replaced by an in-memory client. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class DeliveryServiceIT {

    private static final TestDatabase DATABASE = TestPostgres.newDatabase();

    @DynamicPropertySource
    static void queue(DynamicPropertyRegistry registry) {
        registry.add("mailroom.queue.type", () -> "postgres");
        registry.add("mailroom.queue.postgres.url", DATABASE::jdbcUrl);
        registry.add("mailroom.queue.postgres.username", DATABASE::username);
        registry.add("mailroom.queue.postgres.password", DATABASE::password);
        registry.add("mailroom.queue.postgres.poll-interval", () -> "200ms");
        registry.add("mailroom.internal.token", () -> "test-internal-token");
    }

    @TestConfiguration
    static class InMemoryMailboxApi {
        @Bean
        @Primary
        InMemoryMailboxApiClient inMemoryMailboxApiClient() {
            return new InMemoryMailboxApiClient().account("alice@example.com").account("bob@example.com");
        }
    }

    @Autowired
    MailQueue queue;

    @Autowired
    InMemoryMailboxApiClient mailboxApi;

    @Autowired
    MeterRegistry registry;

    @Test
    void aMessageEnqueuedThroughTheQueueEndsUpFiledForEachLocalRecipient() throws Exception {
        byte[] content = "From: x@example.org\r\nSubject: caf\u00e9\r\n\r\n\u00e9t\u00e9\r\n".getBytes(StandardCharsets.ISO_8859_1);

        queue.enqueue(new QueuedMail("it-1", "trace-it-1", "x@example.org",
                List.of("alice@example.com", "bob@example.com", "nobody@example.com"), Instant.now(), content));

        await().atMost(Duration.ofSeconds(30)).until(() -> mailboxApi.copies().size() == 2);
        assertThat(mailboxApi.copies()).containsOnlyKeys("it-1:alice@example.com", "it-1:bob@example.com");
        byte[] filed = DeliveryProcessor.returnPath(new QueuedMail("it-1", "trace-it-1", "x@example.org",
                List.of("alice@example.com"), Instant.now(), content));
        assertThat(new String(filed, StandardCharsets.ISO_8859_1)).startsWith("Return-Path: <x@example.org>\r\nFrom: x@example.org\r\n");
        assertThat(mailboxApi.copies().values()).allSatisfy(copy -> assertThat(copy.content()).isEqualTo(filed));
        assertThat(mailboxApi.fileCalls()).allSatisfy(call -> assertThat(call.mdcTraceId()).isEqualTo("trace-it-1"));
        await().atMost(Duration.ofSeconds(10)).until(() ->
                registry.find("mailroom.queue.acked").tag("adapter", "postgres").counter() != null
                        && registry.get("mailroom.queue.acked").tag("adapter", "postgres").counter().count() == 1);
        assertThat(registry.get("mailroom.delivery.bounced").tag("status", "5.1.1").counter().count())
                .isEqualTo(1);
    }
}
