package io.mailroom.queue.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mailroom.queue.Disposition;
import io.mailroom.queue.MailQueue;
import io.mailroom.queue.MailQueueConsumer;
import io.mailroom.queue.QueuedMail;
import io.mailroom.queue.postgres.PostgresMailQueue;
import io.mailroom.queue.postgres.PostgresMailQueueConsumer;
import io.mailroom.testsupport.TestDatabase;
import io.mailroom.testsupport.TestPostgres;

class MailQueueAutoConfigurationIT {

    private final TestDatabase database = TestPostgres.newDatabase();

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(MailQueueAutoConfiguration.class))
            .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
            .withPropertyValues(
                    "mailroom.queue.postgres.url=" + database.jdbcUrl(),
                    "mailroom.queue.postgres.username=" + database.username(),
                    "mailroom.queue.postgres.password=" + database.password(),
                    "mailroom.queue.postgres.poll-interval=200ms");

    @Test
    void postgresIsTheDefaultAndLeavesTheApplicationsDataSourceAlone() {
        runner.run(context -> {
            assertThat(context).getBean(MailQueue.class).isInstanceOf(PostgresMailQueue.class);
            assertThat(context).doesNotHaveBean(MailQueueConsumer.class);
            assertThat(context).doesNotHaveBean(DataSource.class);
        });
    }

    @Test
    void theConsumerBeanConsumesWhatTheQueueBeanEnqueued() {
        runner.withPropertyValues("mailroom.queue.consumer.enabled=true", "mailroom.queue.consumer.concurrency=2")
                .run(context -> {
                    MailQueueConsumer consumer = context.getBean(MailQueueConsumer.class);
                    assertThat(consumer).isInstanceOf(PostgresMailQueueConsumer.class);
                    List<QueuedMail> received = new CopyOnWriteArrayList<>();
                    consumer.start((mail, attempt) -> {
                        received.add(mail);
                        return Disposition.done();
                    });

                    context.getBean(MailQueue.class).enqueue(new QueuedMail("wired-1", "trace", "a@example.org",
                            List.of("b@example.com"), Instant.now(), "Subject: hi\r\n\r\nhi\r\n".getBytes(StandardCharsets.US_ASCII)));

                    await().atMost(Duration.ofSeconds(20)).until(() -> received.size() == 1);
                    assertThat(received.getFirst().id()).isEqualTo("wired-1");
                    MeterRegistry registry = context.getBean(MeterRegistry.class);
                    await().atMost(Duration.ofSeconds(5)).until(() ->
                            registry.get("mailroom.queue.acked").tag("adapter", "postgres").counter().count() == 1);
                    assertThat(registry.get("mailroom.queue.enqueue.latency").tag("adapter", "postgres").timer().count())
                            .isEqualTo(1);
                });
    }
}
