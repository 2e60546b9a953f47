package io.mailroom.imap.server;

import org.apache.james.metrics.api.Gauge;
import org.apache.james.metrics.api.GaugeRegistry;

/**
 * Gives each listener's gauges their own name: James names them per server type
 * ({@code imap.request.queue.size}), so the second listener's would be dropped as a duplicate.
 */
record PerListenerGaugeRegistry(GaugeRegistry delegate, String listener) implements GaugeRegistry {

    @Override
    public <T> GaugeRegistry register(String name, Gauge<T> gauge) {
        delegate.register(qualified(name), gauge);
        return this;
    }

    @Override
    public <T> SettableGauge<T> settableGauge(String name) {
        return delegate.settableGauge(qualified(name));
    }

    private String qualified(String name) {
        return name + "." + listener;
    }
}
