package io.mailroom.mailbox.client;

import static org.assertj.core.api.Assertions.assertThat;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import org.springframework.http.MediaType;
import org.springframework.http.StreamingHttpOutputMessage;
import org.springframework.web.client.RestClient;

/** The transport over a real HTTP server on loopback (the JDK's). */
class MailboxApiTransportTest {

    private final CountDownLatch halfReceived = new CountDownLatch(1);
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
        server.createContext("/digest", exchange -> {
            // reads the body as it comes, says when half a megabyte is in, answers with its length and SHA-256
            MessageDigest sha;
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            long total = 0;
            byte[] buffer = new byte[16384];
            try (InputStream in = exchange.getRequestBody()) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    sha.update(buffer, 0, n);
                    total += n;
                    if (total >= 512 * 1024) {
                        halfReceived.countDown();
                    }
                }
            }
            byte[] answer = ("{\"length\":" + total + ",\"sha256\":\"" + HexFormat.of().formatHex(sha.digest()) + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.createContext("/trace", exchange -> {
            String traceId = String.valueOf(exchange.getRequestHeaders().getFirst(MailboxApiTransport.TRACE_ID_HEADER));
            byte[] answer = ("{\"traceId\":\"" + traceId + "\"}").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, answer.length);
            exchange.getResponseBody().write(answer);
            exchange.close();
        });
        server.createContext("/silent", exchange -> {
            sleep(3_000); // longer than the read timeout of the short transport
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.createContext("/stalls-mid-body", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, 100);
            exchange.getResponseBody().write("{\"n\":".getBytes(StandardCharsets.UTF_8));
            exchange.getResponseBody().flush();
            sleep(3_000);
            exchange.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        transport = transport(Duration.ofSeconds(5));
    }

    private MailboxApiTransport transport(Duration readTimeout) {
        URI base = URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        return new MailboxApiTransport(new MailboxApiProperties(base, Duration.ofSeconds(2), readTimeout),
                "secret-internal", RestClient.builder());
    }

    @AfterEach
    void stop() {
        transport.close();
        server.stop(0);
    }

    /**
     * A request body is written by the calling thread; Spring's default factory started a new thread per request
     * with a body, which under a gateway's load meant thousands of thread starts a minute.
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

    /**
     * A body larger than the buffered limit goes out while it is still being written: the writer waits until the
     * server has half a megabyte of it, which can only happen if the bytes left before the body was complete.
     */
    @Test
    @SuppressWarnings("unchecked")
    void largeBodiesAreStreamedWhileTheyAreWrittenAndArriveIntact() throws Exception {
        byte[] content = new byte[4 * 1024 * 1024 + 17];
        new Random(42).nextBytes(content);
        StreamingHttpOutputMessage.Body body = out -> {
            out.write(content, 0, 1024 * 1024);
            try {
                if (!halfReceived.await(5, TimeUnit.SECONDS)) {
                    throw new IOException("the server saw nothing of the body while it was being written");
                }
            } catch (InterruptedException e) {
                throw new IOException(e);
            }
            for (int offset = 1024 * 1024; offset < content.length; offset += 1000) {
                out.write(content, offset, Math.min(1000, content.length - offset));
            }
        };
        assertArrivesIntact(content, request -> request.body(body));
    }

    @Test
    @SuppressWarnings("unchecked")
    void smallBodiesArriveIntact() throws Exception {
        byte[] content = new byte[MailboxApiRequestFactory.BUFFERED_BODY_LIMIT];
        new Random(7).nextBytes(content);
        assertArrivesIntact(content, request -> request.body(content));
    }

    /** Posts the body to {@code /digest} and checks that the server got exactly {@code content}. */
    @SuppressWarnings("unchecked")
    private void assertArrivesIntact(byte[] content,
                                     java.util.function.UnaryOperator<RestClient.RequestBodySpec> body) throws Exception {
        Map<String, Object> answer = transport.call(() -> body.apply(transport.rest().post().uri("/digest")
                        .contentType(MediaType.APPLICATION_OCTET_STREAM))
                .retrieve()
                .body(Map.class));
        assertThat(answer).containsEntry("length", content.length)
                .containsEntry("sha256", HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content)));
    }

    @Test
    @SuppressWarnings("unchecked")
    void theCallersTraceIdTravelsWithTheRequest() {
        MDC.put(MailboxApiTransport.TRACE_ID_MDC_KEY, "4bf92f3577b34da6a3ce929d0e0e4736");
        try {
            Map<String, Object> answer = transport.call(() -> transport.rest().get().uri("/trace").retrieve().body(Map.class));
            assertThat(answer).containsEntry("traceId", "4bf92f3577b34da6a3ce929d0e0e4736");
        } finally {
            MDC.remove(MailboxApiTransport.TRACE_ID_MDC_KEY);
        }
    }

    @Test
    void aCallWithoutAnAnswerEndsAtTheReadTimeout() {
        try (MailboxApiTransport impatient = transport(Duration.ofMillis(500))) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> impatient.call(() -> impatient.rest().get().uri("/silent").retrieve().toBodilessEntity()))
                    .isInstanceOf(MailboxApiUnavailableException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2_500));
        }
    }

    @Test
    void anAnswerThatStallsMidBodyEndsAtTheReadTimeout() {
        try (MailboxApiTransport impatient = transport(Duration.ofMillis(500))) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> impatient.call(() -> impatient.rest().get().uri("/stalls-mid-body").retrieve().body(Map.class)))
                    .isInstanceOf(MailboxApiUnavailableException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(2_500));
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
