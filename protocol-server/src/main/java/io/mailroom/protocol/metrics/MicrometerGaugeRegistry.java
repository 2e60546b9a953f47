package io.mailroom.protocol.metrics;

import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.james.metrics.api.Gauge;
import org.apache.james.metrics.api.GaugeRegistry;

/**
 * James's gauges on Micrometer (James's IMAP server registers some). Each becomes {@value #GAUGE} with the
 * James name as the {@code name} tag; values that are not numbers read as NaN.
 */
public final class MicrometerGaugeRegistry implements GaugeRegistry {

    public static final String GAUGE = "james.gauge";

    private final MeterRegistry registry;

    public MicrometerGaugeRegistry(MeterRegistry registry) {
        this.registry = Objects.requireNonNull(registry, "registry");
    }

    @Override
    public <T> GaugeRegistry register(String name, Gauge<T> gauge) {
        io.micrometer.core.instrument.Gauge.builder(GAUGE, gauge, MicrometerGaugeRegistry::asDouble)
                .tag(MicrometerMetricFactory.NAME_TAG, name)
                .strongReference(true)
                .register(registry);
        return this;
    }

    @Override
    public <T> SettableGauge<T> settableGauge(String name) {
        AtomicReference<T> value = new AtomicReference<>();
        register(name, value::get);
        return value::set;
    }

    private static double asDouble(Gauge<?> gauge) {
        return gauge.get() instanceof Number number ? number.doubleValue() : Double.NaN;
    }
}
