package io.mailroom.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;

import org.junit.jupiter.api.Test;

class LauncherTest {

    private static final String JDBC = "jdbc:postgresql://127.0.0.1:5432/mailroom";

    @Test
    void thePostgresQueueIsTheDefault() {
        assertThat(Launcher.queue(new String[0], JDBC, Map.of()))
                .isEqualTo(new QueueSettings.Postgres(JDBC, "postgres", ""));
    }

    @Test
    void rabbitMqDefaultsToTheLocalBrokerWithAPrefixOfItsOwnPerRun() {
        QueueSettings.RabbitMq first = (QueueSettings.RabbitMq) Launcher.queue(new String[] {"--queue", "rabbitmq"}, JDBC, Map.of());
        QueueSettings.RabbitMq second = (QueueSettings.RabbitMq) Launcher.queue(new String[] {"--queue", "rabbitmq"}, JDBC, Map.of());

        assertThat(first.host()).isEqualTo("127.0.0.1");
        assertThat(first.port()).isEqualTo(5672);
        assertThat(first.username()).isEqualTo("guest");
        assertThat(first.password()).isEqualTo("guest");
        assertThat(first.ephemeral()).isTrue();
        assertThat(first.namePrefix()).matches("mailroom-[0-9a-f]{12}\\.");
        assertThat(second.namePrefix()).isNotEqualTo(first.namePrefix());
    }

    @Test
    void optionsWinOverTheEnvironmentAndThePasswordComesOnlyFromIt() {
        Map<String, String> env = Map.of("MAILROOM_QUEUE", "rabbitmq", "MAILROOM_RABBITMQ_HOST", "rabbit.internal",
                "MAILROOM_RABBITMQ_PORT", "5673", "MAILROOM_RABBITMQ_USERNAME", "mailroom",
                "MAILROOM_RABBITMQ_PASSWORD", "s3cret");
        QueueSettings.RabbitMq queue = (QueueSettings.RabbitMq) Launcher.queue(
                new String[] {"--rabbitmq-port", "5674", "--rabbitmq-prefix", "prod."}, JDBC, env);

        assertThat(queue).isEqualTo(new QueueSettings.RabbitMq("rabbit.internal", 5674, "mailroom", "s3cret", "prod.", false));
        assertThat(queue.properties()).doesNotContainValue("s3cret");
        assertThat(queue.environment()).containsEntry("MAILROOM_QUEUE_RABBITMQ_PASSWORD", "s3cret");
    }

    @Test
    void anUnknownQueueOrPortIsRefused() {
        assertThatThrownBy(() -> Launcher.queue(new String[] {"--queue", "kafka"}, JDBC, Map.of()))
                .hasMessageContaining("postgres or rabbitmq");
        assertThatThrownBy(() -> Launcher.queue(new String[] {"--queue", "rabbitmq", "--rabbitmq-port", "x"}, JDBC, Map.of()))
                .hasMessageContaining("--rabbitmq-port");
    }
}
