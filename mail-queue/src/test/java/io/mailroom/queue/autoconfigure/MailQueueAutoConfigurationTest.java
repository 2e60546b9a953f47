package io.mailroom.queue.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.mailroom.queue.MailQueue;
import io.mailroom.queue.MailQueueAdmin;
import io.mailroom.queue.MailQueueConsumer;
import io.mailroom.queue.MailQueueProperties;
import io.mailroom.queue.postgres.PostgresQueueDatabase;
import io.mailroom.queue.rabbitmq.RabbitMailQueue;
import io.mailroom.queue.rabbitmq.RabbitMailQueueAdmin;
import io.mailroom.queue.rabbitmq.RabbitMailQueueConsumer;
import io.mailroom.queue.rabbitmq.RabbitQueueBroker;

/** The wiring that needs no broker or database: creating the RabbitMQ beans opens no connection. */
class MailQueueAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(MailQueueAutoConfiguration.class));

    @Test
    void rabbitmqTypeGivesAProducerOnlyUnlessTheApplicationAsksToConsume() {
        runner.withPropertyValues("mailroom.queue.type=rabbitmq").run(context -> {
            assertThat(context).hasSingleBean(MailQueue.class).getBean(MailQueue.class).isInstanceOf(RabbitMailQueue.class);
            assertThat(context).doesNotHaveBean(MailQueueConsumer.class);
            assertThat(context).doesNotHaveBean(PostgresQueueDatabase.class);
        });
        runner.withPropertyValues("mailroom.queue.type=rabbitmq").run(context ->
                assertThat(context).doesNotHaveBean(MailQueueAdmin.class));
        runner.withPropertyValues("mailroom.queue.type=rabbitmq", "mailroom.queue.consumer.enabled=true").run(context -> {
            assertThat(context).getBean(MailQueueConsumer.class).isInstanceOf(RabbitMailQueueConsumer.class);
            assertThat(context).getBean(MailQueueAdmin.class).isInstanceOf(RabbitMailQueueAdmin.class);
        });
    }

    @Test
    void settingsAreBoundWithTheirDefaults() {
        runner.withPropertyValues("mailroom.queue.type=rabbitmq").run(context -> {
            MailQueueProperties properties = context.getBean(MailQueueProperties.class);
            assertThat(properties.publishTimeout()).isEqualTo(Duration.ofSeconds(10));
            assertThat(properties.maxDeliveries()).isEqualTo(10);
            assertThat(properties.rabbitmq().adminScanLimit()).isEqualTo(10_000);
            assertThat(context.getBean(RabbitQueueBroker.class).topology().deliveryLimit()).isEqualTo(10);
            assertThat(properties.consumer().enabled()).isFalse();
            assertThat(properties.consumer().concurrency()).isEqualTo(4);
            assertThat(properties.rabbitmq().namePrefix()).isEqualTo("mailroom.");
            assertThat(properties.rabbitmq().retryDelays()).first().isEqualTo(Duration.ofSeconds(1));
            assertThat(properties.postgres().visibilityTimeout()).isEqualTo(Duration.ofMinutes(5));
            assertThat(context.getBean(RabbitQueueBroker.class).topology().exchange()).isEqualTo("mailroom.mail");
        });
    }

    @Test
    void invalidSettingsStopTheStart() {
        runner.withPropertyValues("mailroom.queue.type=rabbitmq", "mailroom.queue.consumer.concurrency=0")
                .run(context -> assertThat(context).hasFailed());
        runner.withPropertyValues("mailroom.queue.type=kafka").run(context -> assertThat(context).hasFailed());
        runner.withPropertyValues("mailroom.queue.type=rabbitmq", "mailroom.queue.max-deliveries=0")
                .run(context -> assertThat(context).hasFailed());
        runner.withPropertyValues("mailroom.queue.type=rabbitmq", "mailroom.queue.rabbitmq.name-prefix=")
                .run(context -> assertThat(context).hasFailed());
    }

    @Test
    void thePostgresAdapterNeedsItsUrl() {
        runner.run(context -> assertThat(context).hasFailed().getFailure()
                .rootCause().hasMessageContaining("mailroom.queue.postgres.url"));
    }

    @Test
    void anApplicationsOwnMailQueueReplacesTheAdapter() {
        runner.withUserConfiguration(OwnQueue.class).run(context -> {
            assertThat(context).hasSingleBean(MailQueue.class).hasBean("ownQueue");
            assertThat(context).doesNotHaveBean(PostgresQueueDatabase.class);
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnQueue {
        @Bean
        MailQueue ownQueue() {
            return mail -> {
            };
        }
    }
}
