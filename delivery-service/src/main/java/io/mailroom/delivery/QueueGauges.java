package io.mailroom.delivery;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.mailroom.queue.MailQueueAdmin;
import io.mailroom.queue.MailQueueAdmin.QueueStats;

/**
 * The queue's depth and the age of its oldest message, as gauges. A scrape never waits for the queue: the figures
 * are refreshed every {@code mailroom.delivery.stats-interval} in the background, and a scrape reads the last ones
 * (NaN until the first refresh, or while the queue cannot answer).
 */
class QueueGauges implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(QueueGauges.class);

    private final Supplier<MailQueueAdmin> admin;
    private final Duration interval;
    private volatile QueueStats stats;
    private ScheduledExecutorService scheduler;

    QueueGauges(Supplier<MailQueueAdmin> admin, Duration interval, MeterRegistry registry) {
        this.admin = admin;
        this.interval = interval;
        gauge(registry, "ready", () -> stats == null ? Double.NaN : stats.ready());
        gauge(registry, "deferred", () -> stats == null ? Double.NaN : stats.deferred());
        gauge(registry, "in_progress", () -> stats == null || stats.inProgress() < 0 ? Double.NaN : stats.inProgress());
        gauge(registry, "dead", () -> stats == null ? Double.NaN : stats.dead());
        Gauge.builder("mailroom.delivery.queue.oldest.age", () -> stats == null || stats.oldestAge().isEmpty()
                        ? Double.NaN : stats.oldestAge().get().toMillis() / 1000.0)
                .description("Age of the oldest message on the queue (ready, deferred or in progress)")
                .baseUnit("seconds").register(registry);
    }

    private void gauge(MeterRegistry registry, String state, Supplier<Number> value) {
        Gauge.builder("mailroom.delivery.queue.depth", value).tag("state", state)
                .description("Messages on the queue, by where they stand").register(registry);
    }

    void refresh() {
        try {
            MailQueueAdmin queue = admin.get();
            stats = queue == null ? null : queue.stats();
        } catch (Exception e) {
            stats = null;
            LOG.debug("Queue statistics unavailable: {}", e.toString());
        }
    }

    QueueStats last() {
        return stats;
    }

    @Override
    public synchronized void start() {
        scheduler = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("queue-gauges").factory());
        scheduler.scheduleWithFixedDelay(this::refresh, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public synchronized void stop() {
        if (scheduler != null) {
            scheduler.shutdownNow();
            scheduler = null;
        }
    }

    @Override
    public synchronized boolean isRunning() {
        return scheduler != null;
    }
}
