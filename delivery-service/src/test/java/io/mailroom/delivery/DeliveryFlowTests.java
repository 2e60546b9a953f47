package io.mailroom.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;

import io.mailroom.queue.MailOptions;
import io.mailroom.queue.MailOptions.RecipientOptions;
import io.mailroom.queue.MailQueue;
import io.mailroom.queue.QueuedMail;

/**
 * Retries and bounces through each real queue adapter: the delivery state that travels with a retried message (a
 * recipient filed at the first attempt is not filed again at the second), and a bounce that goes onto the queue as a
 * new message from {@code <>} and is then delivered to the (local) sender. mailbox-api is the in-memory one;
 * {@link DeliveryFlowPostgresIT} and {@link DeliveryFlowRabbitIT} run these on each adapter.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(InMemoryMailboxApiConfiguration.class)
abstract class DeliveryFlowTests {

    static void common(DynamicPropertyRegistry registry) {
        registry.add("mailroom.internal.token", () -> "test-internal-token");
        registry.add("mailroom.delivery.retry.initial-delay", () -> "1s");
        registry.add("mailroom.delivery.retry.multiplier", () -> "1.0");
        registry.add("mailroom.delivery.retry.max-delay", () -> "1s");
        registry.add("mailroom.delivery.hostname", () -> "delivery.test");
    }

    @Autowired
    MailQueue queue;

    @Autowired
    InMemoryMailboxApiClient mailboxApi;

    @AfterEach
    void noMoreFailures() {
        mailboxApi.failFilings(0, account -> false);
    }

    @Test
    void aRetryCarriesWhatWasDoneSoADoneRecipientIsNeverFiledAgain() throws Exception {
        String id = "flow-" + UUID.randomUUID();
        mailboxApi.failFilings(1, account -> account.equals("bob@example.com"));

        queue.enqueue(new QueuedMail(id, id, "x@example.org", List.of("alice@example.com", "bob@example.com"),
                Instant.now(), "Subject: retry\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII)));

        await().atMost(Duration.ofSeconds(60)).until(() -> mailboxApi.copies().containsKey(id + ":bob@example.com"));
        assertThat(mailboxApi.copies()).containsKey(id + ":alice@example.com");
        // bob was tried twice (the failure, then the retry); alice once: the retry knew she was done
        assertThat(mailboxApi.fileCalls()).filteredOn(call -> call.deliveryId().startsWith(id))
                .extracting(InMemoryMailboxApiClient.FileCall::account)
                .containsExactly("alice@example.com", "bob@example.com", "bob@example.com");
    }

    @Test
    void aBounceTravelsTheQueueFromTheNullSenderAndReachesALocalSender() throws Exception {
        String id = "bounce-" + UUID.randomUUID();
        MailOptions options = new MailOptions("192.0.2.7", "alice@example.com", false, null, "HDRS", "ENV-" + id,
                List.of(new RecipientOptions(false, List.of("FAILURE", "DELAY"), "rfc822;Ghost@example.com"),
                        RecipientOptions.LOCAL));
        queue.enqueue(new QueuedMail(id, id, "alice@example.com", List.of("ghost@example.com", "bob@example.com"),
                Instant.now(), "Subject: to a ghost\r\n\r\nsecret body\r\n".getBytes(StandardCharsets.US_ASCII),
                options));

        await().atMost(Duration.ofSeconds(60)).until(() -> mailboxApi.copies().keySet().stream()
                .anyMatch(key -> key.startsWith(id + "-dsn-") && key.endsWith(":alice@example.com")));
        assertThat(mailboxApi.copies()).containsKey(id + ":bob@example.com");
        List<InMemoryMailboxApiClient.StoredCopy> reports = mailboxApi.copies().values().stream()
                .filter(copy -> copy.deliveryId().startsWith(id + "-dsn-")).toList();
        assertThat(reports).singleElement().satisfies(report -> {
            String text = new String(report.content(), StandardCharsets.UTF_8);
            assertThat(text).contains("report-type=delivery-status", "Reporting-MTA: dns; delivery.test",
                    "Original-Envelope-Id: ENV-" + id, "Original-Recipient: rfc822; Ghost@example.com",
                    "Final-Recipient: rfc822; ghost@example.com", "Action: failed", "Status: 5.1.1",
                    "Content-Type: text/rfc822-headers", "Subject: to a ghost");
            assertThat(text).doesNotContain("secret body", "Final-Recipient: rfc822; bob@example.com");
        });
    }
}
