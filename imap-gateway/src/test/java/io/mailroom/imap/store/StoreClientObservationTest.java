package io.mailroom.imap.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpServer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.web.client.RestClient;

import io.mailroom.mailbox.client.MailboxApiProperties;
import io.mailroom.mailbox.client.store.HttpMailboxStoreClient;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Span;
import io.micrometer.tracing.TraceContext;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;

/**
 * The gateway's store client makes no observation per HTTP call (no timer, no client span), yet a call made within a
 * span still carries that span's trace context to mailbox-api.
 */
class StoreClientObservationTest {

    private static final String TRACE_PARENT = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";

    private HttpServer server;
    private final List<String> traceParents = new CopyOnWriteArrayList<>();
    private final AtomicInteger observations = new AtomicInteger();
    private ObservationRegistry registry;

    @BeforeEach
    void start() throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String header = exchange.getRequestHeaders().getFirst("traceparent");
            traceParents.add(header == null ? "none" : header);
            byte[] body = "[]".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        registry = ObservationRegistry.create();
        registry.observationConfig().observationHandler(new ObservationHandler<>() {
            @Override
            public void onStart(Observation.Context context) {
                observations.incrementAndGet();
            }

            @Override
            public boolean supportsContext(Observation.Context context) {
                return true;
            }
        });
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void callsAreNotObservedButCarryTheCurrentSpansTraceContext() {
        Tracer tracer = mock(Tracer.class);
        Propagator propagator = mock(Propagator.class);
        Span span = mock(Span.class);
        TraceContext context = mock(TraceContext.class);
        when(span.context()).thenReturn(context);
        doAnswer(call -> {
            Propagator.Setter<Object> setter = call.getArgument(2);
            setter.set(call.getArgument(1), "traceparent", TRACE_PARENT);
            return null;
        }).when(propagator).inject(any(), any(), any());

        try (HttpMailboxStoreClient client = MailboxStoreConfiguration.storeClient(properties(), "token",
                RestClient.builder().observationRegistry(registry), tracer, propagator)) {
            when(tracer.currentSpan()).thenReturn(null);
            client.listMailboxes("user@example.test");
            when(tracer.currentSpan()).thenReturn(span);
            client.listMailboxes("user@example.test");
        }

        assertThat(observations).as("no observation per call").hasValue(0);
        assertThat(traceParents).containsExactly("none", TRACE_PARENT);
    }

    @Test
    void mailboxClientsOwnSetUpWouldObserveEveryCall() {
        try (HttpMailboxStoreClient client = new HttpMailboxStoreClient(properties(), "token",
                RestClient.builder().observationRegistry(registry))) {
            client.listMailboxes("user@example.test");
        }
        assertThat(observations.get()).as("what the gateway's client leaves out").isPositive();
    }

    private MailboxApiProperties properties() {
        return new MailboxApiProperties(URI.create("http://127.0.0.1:" + server.getAddress().getPort()),
                Duration.ofSeconds(2), Duration.ofSeconds(5));
    }
}
