package io.mailroom.mailbox.client.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.mailroom.mailbox.client.MailboxApiException;
import io.mailroom.mailbox.client.MailboxApiProperties;
import io.mailroom.mailbox.client.MailboxApiUnavailableException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The store client reads metadata answers with {@link StoreJson} and maps their failures as it maps every other
 * answer's: over a real HTTP server on loopback (the JDK's) answering what a test puts in {@link #answers}.
 */
class HttpMailboxStoreClientJsonTest {

    private static final Envelope ENVELOPE = new Envelope("Tue, 1 Dec 2026 09:00:00 +0100", "Grüße",
            List.of(new Envelope.Address("Ann", "ann", "example.org")), null, null, null, null, null, null, "<m@x>");
    private static final MessageMetadata MESSAGE = new MessageMetadata(5, 7, 9, 11, 11, Set.of("\\Seen", "$Work"),
            Instant.parse("2026-11-27T10:00:00.250Z"), Instant.parse("2026-11-27T10:00:01Z"), 1200, 300, 20, "multipart",
            "mixed", null, ENVELOPE, new BodyStructure("multipart", "mixed", Map.of("boundary", "b"), null, null, null, 900,
            null, null, null, null, null, null, List.of(new BodyStructure("message", "rfc822", Map.of(), null, null, null,
            800, 12L, null, null, null, null, null, null, ENVELOPE, null)), null, null),
            "Subject: Grüße\r\n\r\n".getBytes(StandardCharsets.UTF_8));

    private final JsonMapper dataBinding = JsonMapper.builder().build();
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final List<String> requests = new java.util.concurrent.CopyOnWriteArrayList<>();
    private HttpServer server;
    private HttpMailboxStoreClient client;

    private record Answer(int status, String contentType, String body) {
    }

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getRawPath();
            requests.add(exchange.getRequestMethod() + " " + exchange.getRequestURI().toASCIIString());
            Answer answer = answers.entrySet().stream().filter(e -> path.endsWith(e.getKey())).map(Map.Entry::getValue)
                    .findFirst().orElse(new Answer(500, "text/plain", "no answer for " + path));
            byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", answer.contentType());
            exchange.sendResponseHeaders(answer.status(), body.length == 0 ? -1 : body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        client = HttpMailboxStoreClient.create(new MailboxApiProperties(
                URI.create("http://127.0.0.1:" + server.getAddress().getPort()), Duration.ofSeconds(2),
                Duration.ofSeconds(5)), "token");
    }

    @AfterEach
    void stop() {
        client.close();
        server.stop(0);
    }

    @Test
    void metadataAnswersAreReadAsDataBindingReadsThem() {
        String page = dataBinding.writeValueAsString(new MessagePage(List.of(MESSAGE, MESSAGE), 8L));
        answers.put("/messages/fetch", new Answer(200, "application/json", page));
        MessagePage read = client.fetch("ann@example.org", 5, UidSet.parse("1:*"), FetchOptions.including(MessagePart.ENVELOPE));
        MessagePage expected = dataBinding.readValue(page, MessagePage.class);
        assertThat(read.nextUid()).isEqualTo(8L);
        assertThat(read.messages()).hasSize(2);
        for (MessageMetadata message : read.messages()) {
            assertThat(withoutHeader(message)).isEqualTo(withoutHeader(expected.messages().get(0)));
            assertThat(message.header()).isEqualTo(MESSAGE.header());
        }

        answers.put("/messages/by-email-id", new Answer(200, "application/json",
                dataBinding.writeValueAsString(List.of(MESSAGE))));
        assertThat(client.findByEmailIds("ann@example.org", List.of(11L), Set.of()))
                .singleElement().satisfies(m -> assertThat(withoutHeader(m)).isEqualTo(withoutHeader(MESSAGE)));

        answers.put("/mailboxes/5/messages", new Answer(201, "application/json", dataBinding.writeValueAsString(MESSAGE)));
        byte[] raw = "Subject: x\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(client.append("ann@example.org", 5, new ByteArrayInputStream(raw), raw.length, Set.of(), null))
                .satisfies(m -> assertThat(withoutHeader(m)).isEqualTo(withoutHeader(MESSAGE)));
    }

    @Test
    void theFrequentCallsGoWhereTheTemplatesWent() {
        answers.put("/messages", new Answer(201, "application/json", dataBinding.writeValueAsString(MESSAGE)));
        byte[] raw = "Subject: x\r\n\r\nbody\r\n".getBytes(StandardCharsets.US_ASCII);
        client.append("a+b/c@example.org", 5, new ByteArrayInputStream(raw), raw.length, new java.util.LinkedHashSet<>(
                List.of("\\Seen", "$a+b")), Instant.parse("2026-11-27T10:00:00Z"));
        answers.put("/mailboxes/by-name", new Answer(404, "application/problem+json", "{\"code\":\"mailbox-not-found\"}"));
        assertThat(client.mailboxByName("a+b/c@example.org", "Archiv/2026 Ü&")).isEmpty();
        assertThat(requests).containsExactly(
                "POST /internal/v1/accounts/a%2Bb%2Fc%40example.org/mailboxes/5/messages?flags=%5CSeen&flags=%24a%2Bb"
                        + "&internalDate=2026-11-27T10%3A00%3A00Z",
                "GET /internal/v1/accounts/a%2Bb%2Fc%40example.org/mailboxes/by-name?name=Archiv%2F2026%20%C3%9C%26");
    }

    @Test
    void anAnswerTheReadersRefuseIsAnUnreadableAnswer() {
        // refused by StoreJson itself (data binding would read it out of step): proves which reader reads the answer
        answers.put("/messages/fetch", new Answer(200, "application/json",
                "{\"messages\":[{\"flags\":[[\"\\\\Seen\"]]}],\"nextUid\":null}"));
        assertThatThrownBy(() -> client.fetch("ann@example.org", 5, UidSet.parse("1:*"), FetchOptions.metadata()))
                .isInstanceOf(MailboxApiUnavailableException.class)
                .hasMessageContaining("unreadable answer")
                .hasMessageContaining("a flag must be a string");

        for (String malformed : List.of("{\"messages\":[{\"uid\":1}]}", "{\"messages\":[", "[]", "{\"messages\":null}")) {
            answers.put("/messages/fetch", new Answer(200, "application/json", malformed));
            assertThatThrownBy(() -> client.fetch("ann@example.org", 5, UidSet.parse("1:*"), FetchOptions.metadata()))
                    .as(malformed)
                    .isInstanceOf(MailboxApiUnavailableException.class)
                    .hasMessageContaining("unreadable answer");
        }
        answers.put("/messages/by-email-id", new Answer(200, "application/json", "[{\"uid\":\"x\"}]"));
        assertThatThrownBy(() -> client.findByEmailIds("ann@example.org", List.of(1L), Set.of()))
                .isInstanceOf(MailboxApiUnavailableException.class);
    }

    @Test
    void failuresMapAsBefore() {
        answers.put("/messages/fetch", new Answer(404, "application/problem+json",
                "{\"status\":404,\"code\":\"mailbox-not-found\",\"detail\":\"no mailbox 5\"}"));
        assertThatThrownBy(() -> client.fetch("ann@example.org", 5, UidSet.parse("1:*"), FetchOptions.metadata()))
                .isInstanceOfSatisfying(MailboxApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.code()).isEqualTo("mailbox-not-found");
                });
        answers.put("/messages/fetch", new Answer(503, "text/plain", "down"));
        assertThatThrownBy(() -> client.fetch("ann@example.org", 5, UidSet.parse("1:*"), FetchOptions.metadata()))
                .isInstanceOf(MailboxApiUnavailableException.class);
    }

    private static MessageMetadata withoutHeader(MessageMetadata m) {
        return new MessageMetadata(m.mailboxId(), m.uid(), m.modSeq(), m.emailId(), m.threadId(), m.flags(),
                m.internalDate(), m.saveDate(), m.size(), m.headerOctets(), m.bodyLines(), m.mediaType(), m.subType(),
                m.textLines(), m.envelope(), m.structure(), null);
    }
}
