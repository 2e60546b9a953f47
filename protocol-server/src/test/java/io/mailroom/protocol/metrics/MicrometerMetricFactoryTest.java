package io.mailroom.protocol.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.james.metrics.api.Metric;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

class MicrometerMetricFactoryTest {

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final MicrometerMetricFactory factory = new MicrometerMetricFactory(registry);

    @Test
    void timersBecomeMicrometerTimersTaggedWithTheJamesName() {
        factory.timer("SMTP-DATA").stopAndPublish();
        factory.runPublishingTimerMetric("SMTP-DATA", () -> { });

        assertThat(registry.get(MicrometerMetricFactory.TIMER).tag("name", "SMTP-DATA").timer().count()).isEqualTo(2);
    }

    @Test
    void aTimerIsRegisteredOnceAndReusedForEveryCommand() {
        for (int i = 0; i < 5; i++) {
            factory.timer("SMTP-mail").stopAndPublish();
        }

        assertThat(factory.cachedTimers()).isEqualTo(1);
        assertThat(registry.find(MicrometerMetricFactory.TIMER).timers()).hasSize(1);
        assertThat(registry.get(MicrometerMetricFactory.TIMER).tag("name", "SMTP-mail").timer().count()).isEqualTo(5);
    }

    @Test
    void timerNamesAClientChoosesDoNotGrowTheCacheWithoutBound() {
        for (int i = 0; i < MicrometerMetricFactory.MAX_CACHED_TIMERS + 50; i++) {
            factory.timer("SMTP-unknown" + i).stopAndPublish();
        }

        assertThat(factory.cachedTimers()).isEqualTo(MicrometerMetricFactory.MAX_CACHED_TIMERS);
        // beyond the cache, timers are still recorded (registered as before)
        assertThat(registry.get(MicrometerMetricFactory.TIMER).tag("name", "SMTP-unknown" + (MicrometerMetricFactory.MAX_CACHED_TIMERS + 10))
                .timer().count()).isEqualTo(1);
    }

    @Test
    void aDecoratedPublisherIsTimedFromSubscriptionToCompletion() {
        Flux<Integer> timed = Flux.from(factory.decoratePublisherWithTimerMetric("imap-fetch", Mono.just(1).delayElement(java.time.Duration.ofMillis(20))));

        assertThat(registry.find(MicrometerMetricFactory.TIMER).tag("name", "imap-fetch").timer().count()).isZero();
        assertThat(timed.blockLast()).isEqualTo(1);

        var timer = registry.get(MicrometerMetricFactory.TIMER).tag("name", "imap-fetch").timer();
        assertThat(timer.count()).isEqualTo(1);
        assertThat(timer.totalTime(TimeUnit.MILLISECONDS)).isGreaterThanOrEqualTo(15);
    }

    @Test
    void countersGoUpAndDownButNeverBelowZero() {
        Metric connections = factory.generate("SMTP-connections");
        connections.increment();
        connections.add(3);
        connections.decrement();

        assertThat(factory.generate("SMTP-connections").getCount()).isEqualTo(3);
        assertThat(registry.get(MicrometerMetricFactory.COUNTER).tag("name", "SMTP-connections").gauge().value()).isEqualTo(3);

        connections.remove(10);
        assertThat(connections.getCount()).isZero();
    }

    @Test
    void gaugesReportTheirCurrentValue() {
        MicrometerGaugeRegistry gauges = new MicrometerGaugeRegistry(registry);
        var settable = gauges.<Integer>settableGauge("imap-sessions");
        settable.setValue(7);

        assertThat(registry.get(MicrometerGaugeRegistry.GAUGE).tag("name", "imap-sessions").gauge().value()).isEqualTo(7);
    }
}
