package io.mailroom.delivery;

import java.time.Duration;
import java.util.Locale;

import io.mailroom.delivery.dsn.DsnComposer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** delivery-service's meters (docs/delivery.md lists them); every one carries the common tag application=delivery-service. */
class DeliveryMetrics {

    private final MeterRegistry registry;
    private final Counter filed;
    private final Counter filedAgain;
    private final Timer filingLatency;
    private final Counter retries;
    private final Counter relayed;
    private final Counter deadLettered;

    DeliveryMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.filed = Counter.builder("mailroom.delivery.filed").description("Copies filed into a mailbox")
                .tag("duplicate", "false").register(registry);
        this.filedAgain = Counter.builder("mailroom.delivery.filed")
                .description("Copies filed into a mailbox").tag("duplicate", "true").register(registry);
        this.filingLatency = Timer.builder("mailroom.delivery.filing.latency")
                .description("From the end of DATA at smtp-ingress (its 250) to the copy being filed")
                .publishPercentiles(0.5, 0.95, 0.99)
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofHours(1))
                .register(registry);
        this.retries = Counter.builder("mailroom.delivery.retries")
                .description("Messages put back on the queue for a later attempt").register(registry);
        this.relayed = Counter.builder("mailroom.delivery.relayed")
                .description("Copies accepted by the outbound relay").register(registry);
        this.deadLettered = Counter.builder("mailroom.delivery.dead.letters")
                .description("Messages moved to the dead letters after failing every attempt").register(registry);
    }

    /** @param duplicate a redelivered message filed again: counted apart, and not timed twice */
    void filed(Duration sinceReceived, boolean duplicate) {
        if (duplicate) {
            filedAgain.increment();
        } else {
            filed.increment();
            filingLatency.record(sinceReceived.isNegative() ? Duration.ZERO : sinceReceived);
        }
    }

    /** One destination failed for good; {@code status} is its RFC 3463 code (5.1.1 unknown user, 4.4.7 expired, …). */
    void bounced(String status) {
        registry.counter("mailroom.delivery.bounced", "status", status == null ? "unknown" : status).increment();
    }

    void notificationSent(DsnComposer.Action action) {
        registry.counter("mailroom.delivery.notifications", "action", action.name().toLowerCase(Locale.ROOT)).increment();
    }

    void relayed() {
        relayed.increment();
    }

    void retry() {
        retries.increment();
    }

    void deadLettered() {
        deadLettered.increment();
    }
}
