package io.mailroom.queue.support;

import java.time.Duration;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The queue's meters, tagged with the adapter ({@code postgres} | {@code rabbitmq}) so that dashboards
 * read the same for both. Shared by the adapters; not an API for applications.
 */
public final class QueueMetrics {

    private final Counter enqueued;
    private final Counter enqueueFailed;
    private final Timer enqueueLatency;
    private final Counter acked;
    private final Counter retried;
    private final Counter deadLettered;

    public QueueMetrics(MeterRegistry registry, String adapter) {
        this.enqueued = Counter.builder("mailroom.queue.enqueued")
                .description("Messages the queue durably accepted").tag("adapter", adapter).register(registry);
        this.enqueueFailed = Counter.builder("mailroom.queue.enqueue.failed")
                .description("Messages the queue did not accept (the sender was told to try later)")
                .tag("adapter", adapter).register(registry);
        this.enqueueLatency = Timer.builder("mailroom.queue.enqueue.latency")
                .description("Time until the queue confirmed (or refused) a message").tag("adapter", adapter)
                .register(registry);
        this.acked = Counter.builder("mailroom.queue.acked")
                .description("Messages processed to the end and removed from the queue").tag("adapter", adapter)
                .register(registry);
        this.retried = Counter.builder("mailroom.queue.retried")
                .description("Messages put back for a later attempt").tag("adapter", adapter).register(registry);
        this.deadLettered = Counter.builder("mailroom.queue.dead.lettered")
                .description("Messages moved to the dead-letter store").tag("adapter", adapter).register(registry);
    }

    public void enqueued(Duration latency) {
        enqueued.increment();
        enqueueLatency.record(latency);
    }

    public void enqueueFailed(Duration latency) {
        enqueueFailed.increment();
        enqueueLatency.record(latency);
    }

    public void acked() {
        acked.increment();
    }

    public void retried() {
        retried.increment();
    }

    public void deadLettered() {
        deadLettered.increment();
    }
}
