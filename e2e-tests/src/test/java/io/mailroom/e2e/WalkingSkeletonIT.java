package io.mailroom.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import io.mailroom.launcher.Suite;
import tools.jackson.databind.JsonNode;

/**
 * The walking skeleton through real sockets: an admin creates an account over REST, a real SMTP
 * client sends to it, delivery-service files it, and it reads back over REST and POP3 byte for
 * byte (apart from the trace headers the server adds on top). Runs once per queue adapter.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class WalkingSkeletonIT {

    private static final String PASSWORD = "correct horse battery staple";

    private SuiteFixture fixture;
    private OtlpReceiver traces;
    private RestApi rest;
    private String domain;

    abstract SuiteFixture.QueueKind queueKind();

    @BeforeAll
    void startSuite() throws Exception {
        traces = new OtlpReceiver();
        fixture = SuiteFixture.start(queueKind(), getClass().getSimpleName(), Map.of(
                "management.opentelemetry.tracing.export.otlp.endpoint", traces.endpoint(),
                "management.tracing.sampling.probability", "1.0",
                "management.opentelemetry.tracing.export.schedule-delay", "200ms"));
        rest = fixture.rest();
        domain = queueKind().name().toLowerCase() + ".example.test";
        HttpResponse<String> created = rest.post("/api/v1/domains", "{\"name\":\"" + domain + "\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    }

    @AfterAll
    void stopSuite() throws IOException {
        if (fixture != null) {
            fixture.close();
        }
        if (traces != null) {
            traces.close();
        }
    }

    @Test
    void mailSentWithCurlIsReadableOverRestAndPop3ByteForByte() throws Exception {
        String alice = "alice@" + domain;
        createAccount(alice);
        byte[] sent = message("Grüße from the walking skeleton",
                "Hello Alice,\r\n.this line starts with a dot\r\n..and this one with two\r\nGrüße, 8-bit bytes\r\n");
        Path file = Files.createTempFile("mailroom-e2e", ".eml");
        Files.write(file, sent);

        Process curl = new ProcessBuilder("curl", "-sS", "--max-time", "60",
                "--url", "smtp://127.0.0.1:" + fixture.ports().smtpMx(),
                "--mail-from", "sender@elsewhere.example", "--mail-rcpt", alice,
                "--upload-file", file.toString())
                .redirectErrorStream(true).start();
        String curlOutput = new String(curl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(curl.waitFor(90, TimeUnit.SECONDS)).isTrue();
        assertThat(curl.exitValue()).as("curl smtp: " + curlOutput).isZero();

        JsonNode filed = awaitInbox(alice, 1).get(0);
        long inbox = rest.inboxId(alice);
        HttpResponse<byte[]> raw = rest.getBytes("/api/v1/accounts/" + RestApi.encode(alice) + "/mailboxes/" + inbox
                + "/messages/" + filed.path("id").asLong() + "/raw");
        assertThat(raw.statusCode()).isEqualTo(200);
        assertThat(raw.headers().firstValue("Content-Type")).hasValueSatisfying(type -> assertThat(type).startsWith("message/rfc822"));
        assertSameApartFromTraceHeaders(raw.body(), sent);

        // A real POP3 client: curl retrieves message 1.
        Process pop = new ProcessBuilder("curl", "-sS", "--max-time", "60",
                "pop3://127.0.0.1:" + fixture.ports().pop3() + "/1", "-u", alice + ":" + PASSWORD)
                .start();
        byte[] popped = pop.getInputStream().readAllBytes();
        String popErrors = new String(pop.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(pop.waitFor(90, TimeUnit.SECONDS)).isTrue();
        assertThat(pop.exitValue()).as("curl pop3: " + popErrors).isZero();
        assertThat(popped).isEqualTo(raw.body());

        // The POP3 conversation RFC 1939 describes, command by command.
        try (Pop3Conversation pop3 = new Pop3Conversation("127.0.0.1", fixture.ports().pop3())) {
            assertThat(pop3.readLine()).startsWith("+OK");
            assertThat(pop3.command("USER " + alice)).startsWith("+OK");
            assertThat(pop3.command("PASS " + PASSWORD)).startsWith("+OK");
            assertThat(pop3.command("STAT")).isEqualTo("+OK 1 " + raw.body().length);
            assertThat(pop3.multiLine("LIST")).containsExactly("1 " + raw.body().length);
            List<String> uidl = pop3.multiLine("UIDL");
            assertThat(uidl).hasSize(1);
            assertThat(uidl.get(0)).matches("1 \\S+");
            assertThat(pop3.retrieve(1)).isEqualTo(raw.body());
            assertThat(pop3.command("DELE 1")).startsWith("+OK");
            assertThat(pop3.command("QUIT")).startsWith("+OK");
        }
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(rest.inboxMessages(alice)).isEmpty());
    }

    @Test
    void withTheQueueUnreachableSmtpAnswers451AndNothingIsLostOrFiledTwice() throws Exception {
        String bob = "bob@" + domain;
        createAccount(bob);
        byte[] before = message("before the outage", "accepted while the queue was up\r\n");
        byte[] during = message("during the outage", "refused with 451, then sent again\r\n");

        try (SmtpConversation smtp = new SmtpConversation("127.0.0.1", fixture.ports().smtpMx())) {
            assertThat(smtp.reply()).startsWith("220");
            assertThat(smtp.command("EHLO client.example")).startsWith("250");
            assertThat(smtp.transaction("sender@elsewhere.example", bob, before)).startsWith("250");

            fixture.queueProxy.cut();
            try {
                assertThat(smtp.command("RSET")).startsWith("250");
                assertThat(smtp.transaction("sender@elsewhere.example", bob, during)).startsWith("451 4.3.0");
            } finally {
                fixture.queueProxy.restore();
            }
        }

        // The sending MTA retries later, as a 451 tells it to.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            try (SmtpConversation smtp = new SmtpConversation("127.0.0.1", fixture.ports().smtpMx())) {
                assertThat(smtp.reply()).startsWith("220");
                assertThat(smtp.command("EHLO client.example")).startsWith("250");
                assertThat(smtp.transaction("sender@elsewhere.example", bob, during)).startsWith("250");
            }
        });

        awaitInbox(bob, 2);
        // Nothing arrives late and twice: give stragglers a moment, then count again.
        await().pollDelay(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            List<String> subjects = new ArrayList<>();
            rest.inboxMessages(bob).forEach(m -> subjects.add(m.path("subject").asString()));
            assertThat(subjects).containsExactlyInAnyOrder("before the outage", "during the outage");
        });
    }

    @Test
    void everyServiceHasProbesAndPrometheusMetricsTaggedWithItsName() throws Exception {
        java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient();
        Map<String, Integer> httpPorts = Map.of(
                "mailbox-api", fixture.ports().mailboxApiHttp(),
                "smtp-ingress", fixture.ports().smtpHttp(),
                "delivery-service", fixture.ports().deliveryHttp(),
                "imap-gateway", fixture.ports().imapHttp(),
                "pop3-gateway", fixture.ports().pop3Http());
        for (Map.Entry<String, Integer> service : httpPorts.entrySet()) {
            String base = "http://127.0.0.1:" + service.getValue() + "/actuator";
            for (String probe : List.of("/health/liveness", "/health/readiness")) {
                HttpResponse<String> response = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + probe)).build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(response.statusCode()).as(service.getKey() + probe).isEqualTo(200);
                assertThat(response.body()).contains("\"UP\"");
            }
            HttpResponse<String> metrics = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base + "/prometheus")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(metrics.statusCode()).as(service.getKey() + " /actuator/prometheus").isEqualTo(200);
            assertThat(metrics.body()).contains("jvm_memory_used_bytes{").contains("application=\"" + service.getKey() + "\"");
        }
    }

    @Test
    void oneTraceFollowsAMessageFromSmtpThroughTheQueueDeliveryAndMailboxApiToTheImapIdlePush() throws Exception {
        String carol = "carol@" + domain;
        createAccount(carol);
        String reply;
        try (LineConversation imap = new LineConversation("127.0.0.1", fixture.ports().imap())) {
            assertThat(imap.readLine()).startsWith("* OK");
            imap.send("a LOGIN \"" + carol + "\" \"" + PASSWORD + "\"");
            assertThat(readTagged(imap, "a")).startsWith("a OK");
            imap.send("b SELECT INBOX");
            assertThat(readTagged(imap, "b")).startsWith("b OK");
            imap.send("c IDLE");
            assertThat(imap.readLine()).startsWith("+");
            try (SmtpConversation smtp = new SmtpConversation("127.0.0.1", fixture.ports().smtpMx())) {
                assertThat(smtp.reply()).startsWith("220");
                assertThat(smtp.command("EHLO client.example")).startsWith("250");
                reply = smtp.transaction("sender@elsewhere.example", carol, message("traced", "follow me\r\n"));
            }
            assertThat(imap.readLine()).as("the IDLE push of the filed message").isEqualTo("* 1 EXISTS");
            imap.send("DONE");
            assertThat(readTagged(imap, "c")).startsWith("c OK");
        }
        assertThat(reply).startsWith("250 2.0.0");
        String id = reply.substring(reply.lastIndexOf(' ') + 1);
        awaitInbox(carol, 1);
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (String service : List.of(Suite.SMTP_INGRESS, Suite.DELIVERY_SERVICE, Suite.MAILBOX_API)) {
                assertThat(Files.readString(fixture.suite.service(service).logFile()))
                        .as("%s's log carries the trace id %s", service, id)
                        .containsPattern("\\[" + service + "," + java.util.regex.Pattern.quote(id) + "\\]");
            }
        });
        assertThat(id).as("with tracing on, the queue id is the trace id").matches("[0-9a-f]{32}");
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            List<OtlpReceiver.ReceivedSpan> trace = traces.trace(id);
            OtlpReceiver.ReceivedSpan transaction = span(trace, Suite.SMTP_INGRESS, "smtp.transaction");
            OtlpReceiver.ReceivedSpan enqueue = span(trace, Suite.SMTP_INGRESS, "mail.enqueue");
            OtlpReceiver.ReceivedSpan deliver = span(trace, Suite.DELIVERY_SERVICE, "mail.deliver");
            assertThat(transaction.parentSpanId()).as("the SMTP transaction starts the trace").isEmpty();
            assertThat(enqueue.parentSpanId()).isEqualTo(transaction.spanId());
            assertThat(deliver.parentSpanId()).as("delivery continues from the queue's message headers")
                    .isEqualTo(enqueue.spanId());
            List<String> deliverySpans = trace.stream().filter(s -> s.service().equals(Suite.DELIVERY_SERVICE))
                    .map(OtlpReceiver.ReceivedSpan::spanId).toList();
            assertThat(trace).as("mailbox-api's filing request is a child of delivery-service's call: %s", trace)
                    .anySatisfy(s -> {
                        assertThat(s.service()).isEqualTo(Suite.MAILBOX_API);
                        assertThat(s.kind()).isEqualTo("SPAN_KIND_SERVER");
                        assertThat(s.name()).startsWith("mail.file");
                        assertThat(deliverySpans).contains(s.parentSpanId());
                    });
            OtlpReceiver.ReceivedSpan filing = trace.stream()
                    .filter(s -> s.service().equals(Suite.MAILBOX_API) && s.name().startsWith("mail.file")).findFirst().orElseThrow();
            OtlpReceiver.ReceivedSpan push = span(trace, Suite.IMAP_GATEWAY, "imap.push");
            assertThat(push.parentSpanId()).as("the IMAP push continues from the change event of the filing")
                    .isEqualTo(filing.spanId());
        });
    }

    /** Reads lines until the tagged completion of {@code tag}, which it returns. */
    private static String readTagged(LineConversation imap, String tag) throws IOException {
        String line;
        do {
            line = imap.readLine();
        } while (!line.startsWith(tag + " "));
        return line;
    }

    private static OtlpReceiver.ReceivedSpan span(List<OtlpReceiver.ReceivedSpan> trace, String service, String name) {
        return trace.stream().filter(s -> s.service().equals(service) && s.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no span " + name + " from " + service + " in " + trace));
    }

    private void createAccount(String address) throws Exception {
        HttpResponse<String> response = rest.post("/api/v1/accounts",
                "{\"address\":\"" + address + "\",\"password\":\"" + PASSWORD + "\"}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    }

    private JsonNode awaitInbox(String address, int count) {
        JsonNode[] items = new JsonNode[1];
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            items[0] = rest.inboxMessages(address);
            assertThat(items[0].size()).isEqualTo(count);
        });
        return items[0];
    }

    private static byte[] message(String subject, String body) {
        String headers = "From: Sender <sender@elsewhere.example>\r\n"
                + "To: recipient\r\n"
                + "Subject: " + subject + "\r\n"
                + "Message-ID: <" + UUID.randomUUID() + "@elsewhere.example>\r\n"
                + "Date: Fri, 27 Nov 2026 10:00:00 +0000\r\n"
                + "MIME-Version: 1.0\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n"
                + "Content-Transfer-Encoding: 8bit\r\n"
                + "\r\n";
        return (headers + body).getBytes(StandardCharsets.UTF_8);
    }

    /** {@code stored} must be {@code sent} with only trace header fields (Received, Return-Path) added on top. */
    private static void assertSameApartFromTraceHeaders(byte[] stored, byte[] sent) {
        assertThat(stored.length).isGreaterThanOrEqualTo(sent.length);
        int prefix = stored.length - sent.length;
        byte[] tail = java.util.Arrays.copyOfRange(stored, prefix, stored.length);
        assertThat(tail).as("the message as sent, unchanged").isEqualTo(sent);
        String added = new String(stored, 0, prefix, StandardCharsets.UTF_8);
        for (String line : added.split("\r\n")) {
            assertThat(line).as("an added line is a trace header or its continuation")
                    .matches("(?i)(Received:|Return-Path:|[ \\t]).*");
        }
    }

}
