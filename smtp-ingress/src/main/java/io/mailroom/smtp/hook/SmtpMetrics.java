package io.mailroom.smtp.hook;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * smtp-ingress's own meters, tagged {@code listener=smtp-mx|smtp-submission|smtp-submissions}. Connections and
 * TLS handshakes are counted by the listener itself ({@code mailroom.connections*}, {@code mailroom.tls.handshakes}).
 *
 * <ul>
 *   <li>{@value #MESSAGES}: messages by {@code outcome=accepted|rejected} and {@code reason}</li>
 *   <li>{@value #RECIPIENTS}: refused recipients by {@code reason}</li>
 *   <li>{@value #BYTES}: sizes of accepted messages</li>
 *   <li>{@value #ENQUEUE}: how long the queue took to take a message durably, by {@code outcome}</li>
 *   <li>{@value #AUTH_FAILURES}: failed AUTH by {@code reason=invalid|blocked|unavailable}</li>
 * </ul>
 */
public final class SmtpMetrics {

    public static final String MESSAGES = "mailroom.smtp.messages";
    public static final String RECIPIENTS = "mailroom.smtp.recipients.rejected";
    public static final String BYTES = "mailroom.smtp.message.bytes";
    public static final String ENQUEUE = "mailroom.smtp.enqueue.latency";
    public static final String AUTH_FAILURES = "mailroom.smtp.auth.failures";

    private final MeterRegistry registry;
    private final String listener;
    private final DistributionSummary bytes;
    // The meters of every accepted message, looked up once: registering anew costs a map lookup and garbage each time.
    private final Counter accepted;
    private final Timer enqueueOk;
    private final Map<String, Counter> rejected = new ConcurrentHashMap<>();

    public SmtpMetrics(MeterRegistry registry, String listener) {
        this.registry = registry;
        this.listener = listener;
        this.bytes = DistributionSummary.builder(BYTES).baseUnit("bytes").tag("listener", listener).register(registry);
        this.accepted = Counter.builder(MESSAGES).tag("listener", listener).tag("outcome", "accepted").tag("reason", "none")
                .register(registry);
        this.enqueueOk = enqueue("ok");
    }

    public void messageAccepted(long size, Duration enqueueLatency) {
        accepted.increment();
        bytes.record(size);
        enqueueOk.record(enqueueLatency);
    }

    public void enqueueFailed(Duration latency) {
        enqueue("failed").record(latency);
    }

    public void messageRejected(String reason) {
        rejected.computeIfAbsent(reason, key -> Counter.builder(MESSAGES).tag("listener", listener).tag("outcome", "rejected")
                .tag("reason", key).register(registry)).increment();
    }

    public void recipientRejected(String reason) {
        Counter.builder(RECIPIENTS).tag("listener", listener).tag("reason", reason).register(registry).increment();
    }

    public void authFailed(String reason) {
        Counter.builder(AUTH_FAILURES).tag("listener", listener).tag("reason", reason).register(registry).increment();
    }

    private Timer enqueue(String outcome) {
        return Timer.builder(ENQUEUE).tag("listener", listener).tag("outcome", outcome).register(registry);
    }
}
