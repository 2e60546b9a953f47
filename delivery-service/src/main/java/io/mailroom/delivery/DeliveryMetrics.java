package io.mailroom.delivery;

import java.time.Duration;
import java.util.Locale;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** delivery-service's meters. */
class DeliveryMetrics {

    private final MeterRegistry registry;
    private final Counter filed;
    private final Counter filedAgain;
    private final Timer filingLatency;
    private final Counter retries;
    private final Counter givenUp;

    DeliveryMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.filed = Counter.builder("mailroom.delivery.filed").description("Copies filed into a mailbox")
                .tag("duplicate", "false").register(registry);
        this.filedAgain = Counter.builder("mailroom.delivery.filed")
                .description("Copies filed into a mailbox").tag("duplicate", "true").register(registry);
        this.filingLatency = Timer.builder("mailroom.delivery.filing.latency")
                .description("From the end of DATA at smtp-ingress to the copy being filed").register(registry);
        this.retries = Counter.builder("mailroom.delivery.retries")
                .description("Messages put back on the queue for a later attempt").register(registry);
        this.givenUp = Counter.builder("mailroom.delivery.given.up")
                .description("Messages moved to the dead-letter queue after retrying for too long").register(registry);
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

    void permanentFailure(PermanentFailure.Reason reason) {
        registry.counter("mailroom.delivery.permanent.failures", "reason", reason.name().toLowerCase(Locale.ROOT)).increment();
    }

    void retry() {
        retries.increment();
    }

    void gaveUp() {
        givenUp.increment();
    }
}
