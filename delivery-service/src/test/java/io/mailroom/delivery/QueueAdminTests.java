package io.mailroom.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.DynamicPropertyRegistry;

import io.micrometer.core.instrument.MeterRegistry;
import io.mailroom.queue.MailQueue;
import io.mailroom.queue.QueuedMail;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The admin endpoint over real HTTP and a real queue ({@link QueueAdminPostgresIT}, {@link QueueAdminRabbitIT}):
 * where each recipient of a deferred message stands, search, retry now, delete, the token, problem details, and
 * the queue gauges. Retries wait an hour here, so a deferred message stays deferred until the test moves it.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(InMemoryMailboxApiConfiguration.class)
abstract class QueueAdminTests {

    static final String TOKEN = "test-admin-token-" + UUID.randomUUID();
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    static void common(DynamicPropertyRegistry registry) {
        registry.add("mailroom.internal.token", () -> "test-internal-token");
        registry.add("mailroom.delivery.admin-token", () -> TOKEN);
        registry.add("mailroom.delivery.retry.initial-delay", () -> "1h");
        registry.add("mailroom.delivery.stats-interval", () -> "200ms");
    }

    @LocalServerPort
    int port;

    @Autowired
    MailQueue queue;

    @Autowired
    InMemoryMailboxApiClient mailboxApi;

    @Autowired
    MeterRegistry registry;

    @AfterEach
    void noMoreFailures() {
        mailboxApi.failFilings(0, account -> false);
    }

    private HttpResponse<String> call(String method, String path, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(30)).method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode get(String path) throws Exception {
        HttpResponse<String> response = call("GET", path, TOKEN);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return JSON.readTree(response.body());
    }

    private JsonNode recipient(JsonNode message, String address) {
        for (JsonNode entry : message.path("recipients")) {
            if (entry.path("address").asString().equals(address)) {
                return entry;
            }
        }
        throw new AssertionError("no entry for " + address + " in " + message);
    }

    @Test
    void anOperatorSeesWhereEachRecipientStandsRetriesNowAndDeletes() throws Exception {
        String id = "admin-" + UUID.randomUUID();
        mailboxApi.failFilings(Integer.MAX_VALUE, account -> account.equals("carol@example.com"));
        Instant received = Instant.now();
        queue.enqueue(new QueuedMail(id, id, "dora@example.org", List.of("alice@example.com", "carol@example.com"),
                received, "Subject: stuck\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII)));

        await().atMost(Duration.ofSeconds(60)).until(() -> call("GET", "/admin/v1/queue/messages/" + id, TOKEN)
                .body().contains("\"location\":\"deferred\""));
        JsonNode message = get("/admin/v1/queue/messages/" + id);
        assertThat(message.path("sender").asString()).isEqualTo("dora@example.org");
        assertThat(message.path("attempts").asInt()).isEqualTo(1);
        assertThat(message.path("lastError").asString()).contains("carol@example.com", "4.4.1");
        JsonNode alice = recipient(message, "alice@example.com");
        assertThat(alice.path("status").asString()).isEqualTo("filed");
        long aliceUid = mailboxApi.copies().get(id + ":alice@example.com").filed().uid();
        assertThat(alice.path("uid").asLong()).isEqualTo(aliceUid);
        assertThat(alice.path("mailboxId").asLong()).isEqualTo(1);
        JsonNode carol = recipient(message, "carol@example.com");
        assertThat(carol.path("status").asString()).isEqualTo("deferred");
        assertThat(carol.path("detail").asString()).contains("read timed out");
        assertThat(Instant.parse(carol.path("nextAttemptAt").asString())).isAfter(received.plus(Duration.ofMinutes(50)));

        // search: by sender, by recipient (or its domain), by time window
        assertThat(ids(get("/admin/v1/queue/messages?sender=dora@example.org"))).contains(id);
        assertThat(ids(get("/admin/v1/queue/messages?status=deferred&recipient=@example.com"))).contains(id);
        assertThat(ids(get("/admin/v1/queue/messages?recipient=nobody@example.com"))).doesNotContain(id);
        assertThat(ids(get("/admin/v1/queue/messages?status=dead&sender=dora@example.org"))).doesNotContain(id);
        assertThat(ids(get("/admin/v1/queue/messages?from=" + received.minusSeconds(60) + "&to="
                + Instant.now().plusSeconds(60)))).contains(id);
        assertThat(ids(get("/admin/v1/queue/messages?from=" + Instant.now().plusSeconds(3600)))).doesNotContain(id);

        // the statistics and the gauges see it
        JsonNode stats = get("/admin/v1/queue/stats");
        assertThat(stats.path("deferred").asLong()).isGreaterThanOrEqualTo(1);
        assertThat(stats.has("oldestAgeSeconds")).isTrue();
        await().atMost(Duration.ofSeconds(30)).until(() -> registry.get("mailroom.delivery.queue.depth")
                .tag("state", "deferred").gauge().value() >= 1);

        // retry now, with mailbox-api well again: carol gets her copy (alice is not filed again) and the message is done
        mailboxApi.failFilings(0, account -> false);
        HttpResponse<String> retried = call("POST", "/admin/v1/queue/messages/" + id + "/retry", TOKEN);
        assertThat(retried.statusCode()).as(retried.body()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).until(() -> mailboxApi.copies().containsKey(id + ":carol@example.com"));
        assertThat(mailboxApi.fileCalls()).filteredOn(call -> call.account().equals("alice@example.com")
                && call.deliveryId().startsWith(id)).hasSize(1);
        await().atMost(Duration.ofSeconds(30)).until(() ->
                call("GET", "/admin/v1/queue/messages/" + id, TOKEN).statusCode() == 404);
    }

    @Test
    void aDeferredMessageCanBeDeleted() throws Exception {
        String id = "delete-" + UUID.randomUUID();
        mailboxApi.failFilings(Integer.MAX_VALUE, account -> account.equals("carol@example.com"));
        queue.enqueue(new QueuedMail(id, id, "erin@example.org", List.of("carol@example.com"), Instant.now(),
                "Subject: delete me\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII)));
        await().atMost(Duration.ofSeconds(60)).until(() -> call("GET", "/admin/v1/queue/messages/" + id, TOKEN)
                .body().contains("\"location\":\"deferred\""));

        HttpResponse<String> deleted = call("DELETE", "/admin/v1/queue/messages/" + id, TOKEN);

        assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(204);
        HttpResponse<String> gone = call("GET", "/admin/v1/queue/messages/" + id, TOKEN);
        assertThat(gone.statusCode()).isEqualTo(404);
        assertThat(gone.headers().firstValue("Content-Type")).get().asString().contains("application/problem+json");
        assertThat(JSON.readTree(gone.body()).path("code").asString()).isEqualTo("queue-message-not-found");
        assertThat(call("DELETE", "/admin/v1/queue/messages/" + id, TOKEN).statusCode()).isEqualTo(404);
    }

    @Test
    void withoutTheTokenNothingIsAnswered() throws Exception {
        for (String token : new String[] {null, "wrong", TOKEN + "x"}) {
            HttpResponse<String> response = call("GET", "/admin/v1/queue/messages?status=dead", token);
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(JSON.readTree(response.body()).path("code").asString()).isEqualTo("unauthenticated");
        }
        HttpResponse<String> badLimit = call("GET", "/admin/v1/queue/messages?limit=0", TOKEN);
        assertThat(badLimit.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(badLimit.body()).path("code").asString()).isEqualTo("invalid-request");
        HttpResponse<String> badTime = call("GET", "/admin/v1/queue/messages?from=yesterday", TOKEN);
        assertThat(badTime.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(badTime.body()).path("code").asString()).isEqualTo("invalid-request");
    }

    private static List<String> ids(JsonNode list) {
        return list.path("messages").valueStream().map(m -> m.path("id").asString()).toList();
    }
}
