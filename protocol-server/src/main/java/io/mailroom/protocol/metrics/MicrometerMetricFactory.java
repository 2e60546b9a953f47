package io.mailroom.protocol.metrics;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.apache.james.metrics.api.Metric;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.metrics.api.TimeMetric;
import org.reactivestreams.Publisher;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Flux;

/**
 * James's metrics on Micrometer, so that what James measures (per-command timers such as
 * {@code SMTP-DATA}, IMAP processing times, counters) reaches {@code /actuator/prometheus} with the
 * service's other meters.
 *
 * <p>James's metric names are open-ended strings; they become the {@code name} tag of two meters:
 * {@value #TIMER} (a timer, with percentile histograms left to the registry's configuration) and
 * {@value #COUNTER} (a gauge: James's "counters" go down as well as up).
 */
public final class MicrometerMetricFactory implements MetricFactory {

    public static final String TIMER = "james.timer";
    public static final String COUNTER = "james.counter";
    static final String NAME_TAG = "name";

    private static final Logger log = LoggerFactory.getLogger(MicrometerMetricFactory.class);

    private final MeterRegistry registry;
    /** Most timer names a client cannot choose; an unknown command's word it can, so the cache stops growing here. */
    static final int MAX_CACHED_TIMERS = 256;

    private final Map<String, Metric> metrics = new ConcurrentHashMap<>();
    // James asks for a timer by name on every command: registering it each time builds and looks up a meter id.
    private final Map<String, Timer> timers = new ConcurrentHashMap<>();

    public MicrometerMetricFactory(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    @Override
    public Metric generate(String name) {
        return metrics.computeIfAbsent(name, this::newMetric);
    }

    @Override
    public TimeMetric timer(String name) {
        return new MicrometerTimeMetric(name, timerFor(name), System.nanoTime());
    }

    @Override
    public <T> Publisher<T> decoratePublisherWithTimerMetric(String name, Publisher<T> publisher) {
        Timer timer = timerFor(name);
        return Flux.defer(() -> {
            long start = System.nanoTime();
            Runnable record = () -> timer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            // Recorded before the terminal signal travels on, so that whoever waits for it sees the timing.
            return Flux.from(publisher).doOnTerminate(record).doOnCancel(record);
        });
    }

    @Override
    @Deprecated
    public <T> Publisher<T> decoratePublisherWithTimerMetricLogP99(String name, Publisher<T> publisher) {
        return decoratePublisherWithTimerMetric(name, publisher);
    }

    private Timer timerFor(String name) {
        Timer timer = timers.get(name);
        if (timer == null) {
            timer = Timer.builder(TIMER).tag(NAME_TAG, name).register(registry);
            if (timers.size() < MAX_CACHED_TIMERS) {
                timers.putIfAbsent(name, timer);
            }
        }
        return timer;
    }

    /** How many timers are cached (tests). */
    int cachedTimers() {
        return timers.size();
    }

    private Metric newMetric(String name) {
        AtomicLong value = new AtomicLong();
        Gauge.builder(COUNTER, value, AtomicLong::get).tag(NAME_TAG, name).register(registry);
        return new AtomicMetric(value);
    }

    private record AtomicMetric(AtomicLong value) implements Metric {

        @Override
        public void increment() {
            value.incrementAndGet();
        }

        @Override
        public void decrement() {
            // James documents the count as never negative; a stray decrement must not make it so.
            value.getAndUpdate(current -> Math.max(0, current - 1));
        }

        @Override
        public void add(int amount) {
            value.getAndUpdate(current -> Math.max(0, current + amount));
        }

        @Override
        public void remove(int amount) {
            add(-amount);
        }

        @Override
        public long getCount() {
            return value.get();
        }
    }

    private record MicrometerTimeMetric(String name, Timer timer, long startNanos) implements TimeMetric {

        @Override
        public ExecutionResult stopAndPublish() {
            Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
            timer.record(elapsed);
            return new Result(name, elapsed);
        }
    }

    private record Result(String name, Duration elapsed) implements TimeMetric.ExecutionResult {

        @Override
        public Duration elasped() {
            return elapsed;
        }

        @Override
        @Deprecated
        public TimeMetric.ExecutionResult logWhenExceedP99(Duration threshold) {
            if (elapsed.compareTo(threshold) > 0) {
                log.info("{} took {} ms", name, elapsed.toMillis());
            }
            return this;
        }
    }
}
