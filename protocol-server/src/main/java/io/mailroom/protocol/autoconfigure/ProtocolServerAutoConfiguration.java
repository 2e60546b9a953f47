package io.mailroom.protocol.autoconfigure;

import io.mailroom.protocol.metrics.MicrometerGaugeRegistry;
import io.mailroom.protocol.metrics.MicrometerMetricFactory;
import io.mailroom.protocol.tls.TlsMaterial;
import io.mailroom.protocol.tls.TlsProperties;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.james.metrics.api.GaugeRegistry;
import org.apache.james.metrics.api.MetricFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * What every protocol service gets by depending on protocol-server: its {@link TlsMaterial} (from
 * {@code mailroom.tls.*}) and James's {@link MetricFactory} / {@link GaugeRegistry} on the application's
 * Micrometer registry. Ordered after the metrics auto-configurations so that the registry is the real one.
 */
@AutoConfiguration(afterName = {
        "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration",
        "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration"})
@EnableConfigurationProperties(TlsProperties.class)
public class ProtocolServerAutoConfiguration {

    @Bean
    @ConditionalOnMissingBean
    public TlsMaterial tlsMaterial(TlsProperties properties) {
        return TlsMaterial.load(properties);
    }

    @Bean
    @ConditionalOnMissingBean
    public MetricFactory jamesMetricFactory(ObjectProvider<MeterRegistry> registry) {
        return new MicrometerMetricFactory(registry.getIfAvailable(SimpleMeterRegistry::new));
    }

    @Bean
    @ConditionalOnMissingBean
    public GaugeRegistry jamesGaugeRegistry(ObjectProvider<MeterRegistry> registry) {
        return new MicrometerGaugeRegistry(registry.getIfAvailable(SimpleMeterRegistry::new));
    }
}
