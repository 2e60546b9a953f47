package io.mailroom.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SuiteTest {

    @TempDir
    Path home;

    private SuiteSettings settings(QueueSettings queue) {
        return new SuiteSettings(home, home.resolve("data"), Ports.defaults(),
                "jdbc:postgresql://127.0.0.1:5432/mailroom", "postgres", "db-secret", queue,
                "admin-secret", "internal-secret", List.of("-Xmx256m"), Map.of("mailroom.pop3.allow-plaintext-auth", "true"));
    }

    @Test
    void secretsTravelInTheEnvironmentNeverOnTheCommandLine() throws Exception {
        createJar("mailbox-api");
        ServiceSpec spec = Suite.startable(settings(new QueueSettings.Postgres("jdbc:postgresql://q/db", "postgres", ""))).spec(Suite.MAILBOX_API);

        assertThat(spec.properties().values()).doesNotContain("admin-secret", "internal-secret", "db-secret");
        assertThat(spec.environment()).containsEntry("MAILROOM_ADMIN_TOKEN", "admin-secret")
                .containsEntry("MAILROOM_INTERNAL_TOKEN", "internal-secret")
                .containsEntry("SPRING_DATASOURCE_PASSWORD", "db-secret");
        assertThat(spec.properties()).containsEntry("server.port", "8080")
                .containsEntry("spring.datasource.url", "jdbc:postgresql://127.0.0.1:5432/mailroom");
        assertThat(spec.httpPort()).isEqualTo(8080);
        assertThat(spec.jvmOptions()).containsExactly("-Xmx256m");
    }

    @Test
    void bothQueueSidesGetTheSameQueueAndOnlyThey() throws Exception {
        for (String module : List.of("smtp-ingress", "delivery-service", "pop3-gateway")) {
            createJar(module);
        }
        Suite suite = Suite.startable(settings(new QueueSettings.RabbitMq("127.0.0.1", 5672, "guest", "rabbit-secret", "test.", true)));

        for (String producerOrConsumer : List.of(Suite.SMTP_INGRESS, Suite.DELIVERY_SERVICE)) {
            assertThat(suite.spec(producerOrConsumer).properties())
                    .containsEntry("mailroom.queue.type", "rabbitmq")
                    .containsEntry("mailroom.queue.rabbitmq.name-prefix", "test.")
                    .containsEntry("mailroom.mailbox-api.base-url", "http://127.0.0.1:8080")
                    .doesNotContainValue("rabbit-secret");
            assertThat(suite.spec(producerOrConsumer).environment()).containsEntry("MAILROOM_QUEUE_RABBITMQ_PASSWORD", "rabbit-secret");
        }
        assertThat(suite.spec(Suite.POP3_GATEWAY).properties()).doesNotContainKey("mailroom.queue.type")
                .containsEntry("mailroom.pop3.allow-plaintext-auth", "true");
        assertThat(suite.spec(Suite.POP3_GATEWAY).environment()).doesNotContainKey("MAILROOM_QUEUE_RABBITMQ_PASSWORD");
        assertThat(suite.spec(Suite.SMTP_INGRESS).properties()).containsEntry("server.port", "8081");
    }

    @Test
    void aMissingJarSaysHowToBuildIt() {
        Suite suite = Suite.startable(settings(new QueueSettings.Postgres("jdbc:postgresql://q/db", "postgres", "")));
        assertThatThrownBy(() -> suite.spec(Suite.IMAP_GATEWAY))
                .hasMessageContaining("imap-gateway").hasMessageContaining("./mvnw -DskipTests package");
    }

    private void createJar(String module) throws Exception {
        Path target = Files.createDirectories(home.resolve(module).resolve("target"));
        Files.createFile(target.resolve(module + "-0.1.0-SNAPSHOT-exec.jar"));
    }
}
