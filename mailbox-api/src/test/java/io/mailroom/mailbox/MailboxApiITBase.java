package io.mailroom.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Locale;
import java.util.UUID;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.util.UriUtils;

import io.mailroom.testsupport.TestDatabase;
import io.mailroom.testsupport.TestPostgres;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The running service on a random port over a fresh database of its own, spoken to over real HTTP. Every IT
 * shares this one application context (and database); each test makes its own domain, so none sees another's data.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "mailroom.admin.token=" + MailboxApiITBase.ADMIN_TOKEN,
        "mailroom.internal.token=" + MailboxApiITBase.INTERNAL_TOKEN,
        "mailroom.mailbox.max-message-size=" + MailboxApiITBase.MAX_MESSAGE_SIZE,
        // tests fail logins on purpose, all from 127.0.0.1: no delays, and no IP lockout (LoginThrottlingIT tests both)
        "mailroom.login.delay-step=0ms",
        "mailroom.login.max-failures-per-ip=1000000",
        // mailbox-client is on the test class path for the contract test only; this service does not call itself
        "spring.autoconfigure.exclude=io.mailroom.mailbox.client.MailboxApiClientAutoConfiguration"})
public abstract class MailboxApiITBase {

    protected static final String ADMIN_TOKEN = "test-admin-token-0123456789";
    protected static final String INTERNAL_TOKEN = "test-internal-token-0123456789";
    // small enough that Tomcat drains a refused body (its swallow limit is 2 MB) and answers 413 cleanly
    protected static final int MAX_MESSAGE_SIZE = 1024 * 1024;
    protected static final String PASSWORD = "correct horse battery staple";

    private static final TestDatabase DATABASE = TestPostgres.newDatabase();

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        DATABASE.springProperties().forEach((name, value) -> registry.add(name, () -> value));
    }

    /** The database this service uses (for a subscriber's own LISTEN connection). */
    protected static TestDatabase database() {
        return DATABASE;
    }

    @LocalServerPort
    protected int port;

    @Autowired
    protected JdbcClient jdbc;

    protected final JsonMapper json = JsonMapper.builder().build();
    protected final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    /** One HTTP exchange, fully read. */
    public record Response(int status, HttpHeaders headers, byte[] body, JsonMapper mapper) {

        public JsonNode json() {
            return mapper.readTree(body);
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        public String header(String name) {
            return headers.firstValue(name).orElse(null);
        }

        /** The problem's stable code. */
        public String code() {
            return json().path("code").asString();
        }
    }

    protected static String admin() {
        return "Bearer " + ADMIN_TOKEN;
    }

    protected static String internal() {
        return "Bearer " + INTERNAL_TOKEN;
    }

    protected static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    protected static String segment(String value) {
        return UriUtils.encodePathSegment(value, StandardCharsets.UTF_8);
    }

    protected URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    protected Response send(String method, String path, String authorization, String contentType, byte[] body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        if (contentType != null) {
            request.header("Content-Type", contentType);
        }
        try {
            HttpResponse<byte[]> response = http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
            return new Response(response.statusCode(), response.headers(), response.body(), json);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    protected Response get(String path, String authorization) {
        return send("GET", path, authorization, null, null);
    }

    protected Response post(String path, String authorization, Object body) {
        return send("POST", path, authorization, "application/json", json.writeValueAsBytes(body));
    }

    /** Files a message as delivery-service would. */
    protected Response file(String address, String deliveryId, byte[] message) {
        return send("PUT", "/internal/v1/accounts/" + segment(address) + "/deliveries/" + segment(deliveryId),
                internal(), "message/rfc822", message);
    }

    /** A new domain with a name no other test uses. */
    protected String newDomain() {
        String name = "d" + UUID.randomUUID().toString().substring(0, 12).toLowerCase(Locale.ROOT) + ".test";
        Response created = post("/api/v1/domains", admin(), java.util.Map.of("name", name));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        return name;
    }

    /** A new account (password {@link #PASSWORD}) in a new domain. */
    protected String newAccount() {
        return newAccount(newDomain(), "user");
    }

    protected String newAccount(String domain, String localPart) {
        String address = localPart + "@" + domain;
        Response created = post("/api/v1/accounts", admin(), java.util.Map.of("address", address, "password", PASSWORD));
        assertThat(created.status()).as(created.text()).isEqualTo(201);
        return address;
    }

    /** The id of the account's mailbox with this role. */
    protected long mailboxId(String address, String role) {
        Response mailboxes = get("/api/v1/accounts/" + segment(address) + "/mailboxes", admin());
        assertThat(mailboxes.status()).isEqualTo(200);
        for (JsonNode mailbox : mailboxes.json()) {
            if (role.equals(mailbox.path("role").asString())) {
                return mailbox.path("id").asLong();
            }
        }
        throw new AssertionError("no " + role + " mailbox: " + mailboxes.text());
    }

    protected static byte[] message(String subject, String body) {
        return ("From: Sender <sender@example.org>\r\nTo: someone@example.net\r\nSubject: " + subject
                + "\r\nMessage-ID: <" + UUID.randomUUID() + "@example.org>\r\n\r\n" + body + "\r\n")
                .getBytes(StandardCharsets.UTF_8);
    }
}
