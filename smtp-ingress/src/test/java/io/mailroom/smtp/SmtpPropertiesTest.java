package io.mailroom.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.util.unit.DataSize;

class SmtpPropertiesTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        SmtpProperties properties = bind(Map.of());

        assertThat(properties.listeners().mx().port()).isEqualTo(2525);
        assertThat(properties.listeners().submission().port()).isEqualTo(2587);
        assertThat(properties.listeners().submissions().port()).isEqualTo(2465);
        assertThat(properties.listeners().mx().enabled()).isTrue();
        assertThat(properties.maxMessageSize()).isEqualTo(DataSize.ofMegabytes(50));
        assertThat(properties.maxRecipients()).isEqualTo(1000);
        assertThat(properties.hostname()).isNotBlank();
        assertThat(properties.maxErrors()).isEqualTo(20);
        assertThat(properties.maxCommandsPerConnection()).isEqualTo(10_000);
        assertThat(properties.maxMessagesPerHour()).isEqualTo(500);
        assertThat(properties.authFailures().maxPerIp()).isEqualTo(10);
        assertThat(properties.authFailures().block()).isEqualTo(java.time.Duration.ofMinutes(15));
        assertThat(properties.spool().memoryThreshold()).isEqualTo(DataSize.ofKilobytes(256));
        assertThat(properties.spool().enqueueMemoryOrDefault()).isEqualTo(Runtime.getRuntime().maxMemory() / 4);
    }

    @Test
    void aListenerKeepsItsOwnDefaultPortWhenOnlyPartlyConfigured() {
        SmtpProperties properties = bind(Map.of(
                "mailroom.smtp.listeners.submission.enabled", "false",
                "mailroom.smtp.listeners.mx.bind-address", "127.0.0.1"));

        assertThat(properties.listeners().submission().enabled()).isFalse();
        assertThat(properties.listeners().submission().port()).isEqualTo(2587);
        assertThat(properties.listeners().mx().bindAddress()).isEqualTo("127.0.0.1");
        assertThat(properties.listeners().mx().port()).isEqualTo(2525);
    }

    private static SmtpProperties bind(Map<String, String> values) {
        return new Binder(new MapConfigurationPropertySource(values))
                .bindOrCreate("mailroom.smtp", SmtpProperties.class);
    }
}
