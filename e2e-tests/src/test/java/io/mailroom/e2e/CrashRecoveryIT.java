package io.mailroom.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.mailroom.launcher.ServiceProcess;
import io.mailroom.launcher.Suite;

/**
 * "A message acknowledged to a sender is in the mailbox exactly once, whatever crashes in between":
 * a steady SMTP load runs while delivery-service is killed hard (SIGKILL) several times and
 * restarted, delivery-service and smtp-ingress are stopped gracefully (SIGTERM, as in a rollout) and
 * restarted, and mailbox-api is restarted once. Afterwards every message that got a 250 is in its
 * recipient's INBOX exactly once. Runs once per queue adapter.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class CrashRecoveryIT {

    private static final String PASSWORD = "crash test dummy password";
    private static final int MESSAGES = 120;
    private static final int SENDERS = 3;

    private SuiteFixture fixture;
    private RestApi rest;
    private String domain;

    abstract SuiteFixture.QueueKind queueKind();

    @BeforeAll
    void startSuite() throws Exception {
        fixture = SuiteFixture.start(queueKind(), getClass().getSimpleName(), Map.of(
                // Retry soon after mailbox-api comes back: the default (a minute) fits production, not a test.
                "mailroom.delivery.retry.initial-delay", "1s",
                "mailroom.delivery.retry.max-delay", "3s"));
        rest = fixture.rest();
        domain = "crash-" + queueKind().name().toLowerCase() + ".example.test";
        HttpResponse<String> created = rest.post("/api/v1/domains", "{\"name\":\"" + domain + "\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    }

    @AfterAll
    void stopSuite() throws IOException {
        if (fixture != null) {
            fixture.close();
        }
    }

    @Test
    void everyAcceptedMessageIsFiledExactlyOnceThroughKillsAndRestarts() throws Exception {
        List<String> recipients = List.of("ann@" + domain, "ben@" + domain, "cat@" + domain);
        for (String recipient : recipients) {
            HttpResponse<String> response = rest.post("/api/v1/accounts",
                    "{\"address\":\"" + recipient + "\",\"password\":\"" + PASSWORD + "\"}");
            assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        }

        Map<String, String> accepted = new ConcurrentHashMap<>(); // subject -> recipient, only after 250
        AtomicInteger next = new AtomicInteger();
        AtomicInteger temporaryFailures = new AtomicInteger();
        ExecutorService senders = Executors.newFixedThreadPool(SENDERS);
        List<Future<?>> running = new ArrayList<>();
        for (int s = 0; s < SENDERS; s++) {
            running.add(senders.submit(() -> {
                for (int i = next.getAndIncrement(); i < MESSAGES; i = next.getAndIncrement()) {
                    String subject = "load-" + i;
                    String recipient = recipients.get(i % recipients.size());
                    sendUntilAccepted(subject, recipient, temporaryFailures);
                    accepted.put(subject, recipient);
                }
                return null;
            }));
        }

        ServiceProcess delivery = fixture.suite.service(Suite.DELIVERY_SERVICE);
        ServiceProcess mailboxApi = fixture.suite.service(Suite.MAILBOX_API);
        ServiceProcess smtp = fixture.suite.service(Suite.SMTP_INGRESS);
        for (int kill = 0; kill < 3; kill++) {
            awaitAccepted(accepted, (kill + 1) * MESSAGES / 6);
            delivery.kill();
            delivery.restart();
            delivery.awaitReady(Duration.ofSeconds(120));
        }
        // A rollout: SIGTERM, under load, to delivery-service and then to smtp-ingress. Each must finish or hand back
        // what it has in hand and exit by itself well within a pod's grace period (143, not the 137 of our SIGKILL).
        awaitAccepted(accepted, 4 * MESSAGES / 6);
        delivery.stop(Duration.ofSeconds(60));
        assertThat(delivery.exitValue()).as("delivery-service exits on SIGTERM by itself").isEqualTo(143);
        delivery.restart();
        delivery.awaitReady(Duration.ofSeconds(120));
        awaitAccepted(accepted, 9 * MESSAGES / 12);
        smtp.stop(Duration.ofSeconds(60));
        assertThat(smtp.exitValue()).as("smtp-ingress exits on SIGTERM by itself").isEqualTo(143);
        smtp.restart();
        smtp.awaitReady(Duration.ofSeconds(120));
        awaitAccepted(accepted, 5 * MESSAGES / 6);
        mailboxApi.stop(Duration.ofSeconds(30));
        mailboxApi.restart();
        mailboxApi.awaitReady(Duration.ofSeconds(120));

        for (Future<?> sender : running) {
            sender.get(5, TimeUnit.MINUTES);
        }
        senders.shutdown();
        assertThat(accepted).hasSize(MESSAGES);

        Map<String, List<String>> expected = new TreeMap<>();
        accepted.forEach((subject, recipient) -> expected.computeIfAbsent(recipient, r -> new ArrayList<>()).add(subject));
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            for (String recipient : recipients) {
                assertThat(subjects(recipient)).as("INBOX of %s", recipient)
                        .containsExactlyInAnyOrderElementsOf(expected.getOrDefault(recipient, List.of()));
            }
        });
        // Late duplicates would show up after a redelivery: look again a little later.
        await().pollDelay(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            for (String recipient : recipients) {
                assertThat(subjects(recipient)).as("INBOX of %s, later", recipient)
                        .containsExactlyInAnyOrderElementsOf(expected.getOrDefault(recipient, List.of()));
            }
        });
    }

    /** What a sending MTA does: on a temporary failure (4xx, a dropped connection) it tries again. */
    private void sendUntilAccepted(String subject, String recipient, AtomicInteger temporaryFailures) throws InterruptedException {
        byte[] message = ("From: load@elsewhere.example\r\nTo: " + recipient + "\r\nSubject: " + subject
                + "\r\nMessage-ID: <" + UUID.randomUUID() + "@elsewhere.example>\r\n\r\nbody of " + subject + "\r\n")
                .getBytes(StandardCharsets.UTF_8);
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
        while (System.nanoTime() < deadline) {
            try (SmtpConversation smtp = new SmtpConversation("127.0.0.1", fixture.ports().smtpMx())) {
                if (smtp.reply().startsWith("220") && smtp.command("EHLO load.example").startsWith("250")) {
                    String reply = smtp.transaction("load@elsewhere.example", recipient, message);
                    if (reply.startsWith("250")) {
                        return;
                    }
                    assertThat(reply).as("only temporary failures are expected").startsWith("4");
                }
            } catch (IOException e) {
                // connection trouble: try again, as an MTA would
            }
            temporaryFailures.incrementAndGet();
            Thread.sleep(200);
        }
        throw new AssertionError(subject + " was never accepted");
    }

    private static void awaitAccepted(Map<String, String> accepted, int count) {
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(100)).until(() -> accepted.size() >= count);
    }

    private List<String> subjects(String address) throws Exception {
        List<String> subjects = new ArrayList<>();
        String cursor = null;
        long inbox = rest.inboxId(address);
        do {
            String path = "/api/v1/accounts/" + RestApi.encode(address) + "/mailboxes/" + inbox + "/messages?limit=100"
                    + (cursor == null ? "" : "&cursor=" + RestApi.encode(cursor));
            var page = rest.json(rest.get(path));
            page.path("items").forEach(m -> subjects.add(m.path("subject").asString()));
            cursor = page.path("nextCursor").isNull() || page.path("nextCursor").isMissingNode() ? null : page.path("nextCursor").asString();
        } while (cursor != null);
        return subjects;
    }
}
