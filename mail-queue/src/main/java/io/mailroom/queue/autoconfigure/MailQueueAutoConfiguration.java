package io.mailroom.queue.autoconfigure;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import io.mailroom.queue.MailQueue;
import io.mailroom.queue.MailQueueConsumer;
import io.mailroom.queue.MailQueueProperties;
import io.mailroom.queue.postgres.PostgresMailQueue;
import io.mailroom.queue.postgres.PostgresMailQueueAdmin;
import io.mailroom.queue.postgres.PostgresMailQueueConsumer;
import io.mailroom.queue.postgres.PostgresQueueDatabase;
import io.mailroom.queue.rabbitmq.RabbitMailQueue;
import io.mailroom.queue.rabbitmq.RabbitMailQueueAdmin;
import io.mailroom.queue.rabbitmq.RabbitMailQueueConsumer;
import io.mailroom.queue.rabbitmq.RabbitQueueBroker;
import io.mailroom.queue.support.MailDispatcher;
import io.mailroom.queue.support.QueueMetrics;

/**
 * Creates the {@link MailQueue} of the adapter {@code mailroom.queue.type} names, and a
 * {@link MailQueueConsumer} only when {@code mailroom.queue.consumer.enabled=true} (delivery-service;
 * smtp-ingress only produces). The consumer is not started here: the application calls
 * {@link MailQueueConsumer#start} with its processor, and the bean is closed with the context. A consuming
 * application also gets the adapter's {@link io.mailroom.queue.MailQueueAdmin}.
 * An application (or a test) that defines its own {@link MailQueue} gets no adapter at all.
 */
@AutoConfiguration
@EnableConfigurationProperties(MailQueueProperties.class)
@Import({MailQueueAutoConfiguration.Postgres.class, MailQueueAutoConfiguration.Rabbitmq.class})
public class MailQueueAutoConfiguration {

    static MeterRegistry registry(ObjectProvider<MeterRegistry> registries) {
        return registries.getIfUnique(() -> Metrics.globalRegistry);
    }

    /** The application's tracer, when it has tracing (Micrometer Tracing on the class path), else none. */
    static MailDispatcher.Tracing tracing(ObjectProvider<Tracer> tracers, ObjectProvider<Propagator> propagators) {
        Tracer tracer = tracers.getIfUnique();
        Propagator propagator = propagators.getIfUnique();
        return tracer == null || propagator == null ? MailDispatcher.Tracing.NONE : new MailDispatcher.Tracing(tracer, propagator);
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(prefix = "mailroom.queue", name = "type", havingValue = "postgres", matchIfMissing = true)
    @ConditionalOnMissingBean(MailQueue.class)
    static class Postgres {

        @Bean(destroyMethod = "close")
        PostgresQueueDatabase mailQueueDatabase(MailQueueProperties properties, ObjectProvider<MeterRegistry> registries) {
            return new PostgresQueueDatabase(properties.postgres(), properties.publishTimeout(), registry(registries))
                    .migrate();
        }

        @Bean
        PostgresMailQueue mailQueue(PostgresQueueDatabase database, MailQueueProperties properties,
                                    ObjectProvider<MeterRegistry> registries) {
            return new PostgresMailQueue(database, properties.publishTimeout(),
                    new QueueMetrics(registry(registries), "postgres"));
        }

        @Bean(destroyMethod = "close")
        @ConditionalOnBooleanProperty("mailroom.queue.consumer.enabled")
        PostgresMailQueueConsumer mailQueueConsumer(PostgresQueueDatabase database, MailQueueProperties properties,
                                                    ObjectProvider<MeterRegistry> registries,
                                                    ObjectProvider<Tracer> tracers, ObjectProvider<Propagator> propagators) {
            return new PostgresMailQueueConsumer(database, properties.consumer(), properties.postgres(),
                    properties.maxDeliveries(), new QueueMetrics(registry(registries), "postgres"),
                    tracing(tracers, propagators));
        }

        @Bean
        @ConditionalOnBooleanProperty("mailroom.queue.consumer.enabled")
        PostgresMailQueueAdmin mailQueueAdmin(PostgresQueueDatabase database) {
            return new PostgresMailQueueAdmin(database);
        }
    }

    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(prefix = "mailroom.queue", name = "type", havingValue = "rabbitmq")
    @ConditionalOnMissingBean(MailQueue.class)
    static class Rabbitmq {

        @Bean(destroyMethod = "close")
        RabbitQueueBroker mailQueueBroker(MailQueueProperties properties) {
            return new RabbitQueueBroker(properties.rabbitmq(), properties.maxDeliveries(), properties.publishTimeout());
        }

        @Bean
        RabbitMailQueue mailQueue(RabbitQueueBroker broker, MailQueueProperties properties,
                                  ObjectProvider<MeterRegistry> registries) {
            return new RabbitMailQueue(broker, properties.publishTimeout(),
                    new QueueMetrics(registry(registries), "rabbitmq"));
        }

        @Bean(destroyMethod = "close")
        @ConditionalOnBooleanProperty("mailroom.queue.consumer.enabled")
        RabbitMailQueueConsumer mailQueueConsumer(RabbitQueueBroker broker, MailQueueProperties properties,
                                                  ObjectProvider<MeterRegistry> registries,
                                                  ObjectProvider<Tracer> tracers, ObjectProvider<Propagator> propagators) {
            return new RabbitMailQueueConsumer(broker, properties.consumer(), properties.publishTimeout(),
                    new QueueMetrics(registry(registries), "rabbitmq"), tracing(tracers, propagators));
        }

        @Bean
        @ConditionalOnBooleanProperty("mailroom.queue.consumer.enabled")
        RabbitMailQueueAdmin mailQueueAdmin(RabbitQueueBroker broker, MailQueueProperties properties) {
            return new RabbitMailQueueAdmin(broker, properties.publishTimeout(), properties.rabbitmq().adminScanLimit());
        }
    }
}
