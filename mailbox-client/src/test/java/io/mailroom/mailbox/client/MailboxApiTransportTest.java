package io.mailroom.mailbox.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.web.client.RestClient;

/** The transport over a real HTTP server on loopback (the JDK's). */
class MailboxApiTransportTest {

    private HttpServer server;
    private MailboxApiTransport transport;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/echo", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        transport = new MailboxApiTransport(new MailboxApiProperties(base, Duration.ofSeconds(2), Duration.ofSeconds(5)),
                "secret-internal", RestClient.builder());
    }

    @AfterEach
    void stop() {
        transport.close();
        server.stop(0);
    }

    /**
     * Every request with a body has its body written by a thread of the transport's pool; Spring's default would be
     * a new thread per request, which under a gateway's load meant thousands of thread starts a minute.
     */
    @Test
    void requestBodiesAreWrittenByReusedThreadsNotANewThreadPerRequest() {
        post(0); // connection, client and pool threads come into being here
        long started = ManagementFactory.getThreadMXBean().getTotalStartedThreadCount();
        for (int i = 1; i <= 40; i++) {
            assertThat(post(i)).containsEntry("n", i);
        }
        long startedSince = ManagementFactory.getThreadMXBean().getTotalStartedThreadCount() - started;
        assertThat(startedSince).as("threads started for 40 requests in a row").isLessThan(5);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> post(int n) {
        return transport.call(() -> transport.rest().post().uri("/echo")
                .contentType(MediaType.APPLICATION_JSON)
                .body(Map.of("n", n))
                .retrieve()
                .body(Map.class));
    }
}
