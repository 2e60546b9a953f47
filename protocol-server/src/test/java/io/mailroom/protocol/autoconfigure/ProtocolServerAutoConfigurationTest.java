package io.mailroom.protocol.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;

import io.mailroom.protocol.metrics.MicrometerMetricFactory;
import io.mailroom.protocol.tls.TlsMaterial;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.james.metrics.api.GaugeRegistry;
import org.apache.james.metrics.api.MetricFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

class ProtocolServerAutoConfigurationTest {

    @TempDir
    Path directory;

    @Test
    void registersTlsMaterialAndJamesMetricsOnTheApplicationsRegistry() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        new ApplicationContextRunner()
                .withConfiguration(AutoConfigurations.of(ProtocolServerAutoConfiguration.class))
                .withBean(MeterRegistry.class, () -> registry)
                .withPropertyValues("mailroom.tls.self-signed-directory=" + directory, "mailroom.tls.hostname=mx.example.test")
                .run(context -> {
                    assertThat(context).hasSingleBean(TlsMaterial.class).hasSingleBean(GaugeRegistry.class);
                    assertThat(context.getBean(TlsMaterial.class).certificate().getSubjectX500Principal().getName())
                            .contains("CN=mx.example.test");
                    context.getBean(MetricFactory.class).timer("probe").stopAndPublish();
                    assertThat(registry.find(MicrometerMetricFactory.TIMER).tag("name", "probe").timer()).isNotNull();
                });
    }
}
