package io.mailroom.protocol.server;

import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The connection meters of one listener, tagged {@code listener=<name>}:
 * {@value #OPEN} (gauge), {@value #CONNECTIONS} (counter, {@code outcome=accepted|max-connections|max-connections-per-ip})
 * and {@value #TLS} (counter, {@code protocol=TLSv1.3|…|failed}).
 */
final class ProtocolMeters {

    static final String OPEN = "mailroom.connections.open";
    static final String CONNECTIONS = "mailroom.connections";
    static final String TLS = "mailroom.tls.handshakes";
    static final String INLINE = "mailroom.lines.inline";

    private final MeterRegistry registry;
    private final String listener;
    private final AtomicInteger open = new AtomicInteger();
    private final Counter accepted;
    private final Counter inline;

    ProtocolMeters(MeterRegistry registry, String listener) {
        this.registry = registry == null ? new SimpleMeterRegistry() : registry;
        this.listener = listener;
        Gauge.builder(OPEN, open, AtomicInteger::get).tag("listener", listener)
                .description("client connections open now").strongReference(true).register(this.registry);
        this.accepted = connections("accepted");
        this.inline = Counter.builder(INLINE).tag("listener", listener)
                .description("command lines answered on the I/O thread (InlineCommands)").register(this.registry);
    }

    void inlineLine() {
        inline.increment();
    }

    void opened() {
        open.incrementAndGet();
        accepted.increment();
    }

    void closed() {
        open.decrementAndGet();
    }

    void refused(String reason) {
        connections(reason).increment();
    }

    void tlsHandshake(String protocol) {
        Counter.builder(TLS).tag("listener", listener).tag("protocol", protocol).register(registry).increment();
    }

    private Counter connections(String outcome) {
        return Counter.builder(CONNECTIONS).tag("listener", listener).tag("outcome", outcome)
                .description("client connections by outcome").register(registry);
    }
}
