package io.mailroom.mailbox.event;

import java.time.Duration;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.jdbc.autoconfigure.DataSourceProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.validation.annotation.Validated;

import io.micrometer.core.instrument.MeterRegistry;
import io.mailroom.mailbox.client.events.MailboxEventSubscriber;
import io.mailroom.mailbox.client.events.MailboxEventsProperties;
import io.mailroom.mailbox.client.events.PostgresEventSubscriber;
import io.mailroom.mailbox.client.events.RabbitEventSubscriber;

/**
 * Change events: the outbox relay with the publisher {@code mailroom.events.type} names, and the subscriber that feeds
 * the Server-Sent Events stream of the tools API (mailbox-api listens to the same stream it publishes, so an SSE client
 * on one replica sees changes made through any replica).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({MailboxEventsProperties.class, EventConfiguration.RelayProperties.class})
class EventConfiguration {

    /**
     * @param pollInterval  how often the relay looks for events other replicas wrote (its own commits wake it at once)
     * @param batchSize     events per publish transaction
     * @param publishTimeout how long a publish (a broker's confirms) may take before the batch is retried
     */
    @Validated
    @ConfigurationProperties("mailroom.events.relay")
    record RelayProperties(
            @NotNull @DurationMin(millis = 10) @DefaultValue("250ms") Duration pollInterval,
            @Min(1) @Max(5000) @DefaultValue("500") int batchSize,
            @NotNull @DurationMin(millis = 100) @DefaultValue("5s") Duration publishTimeout) {
    }

    @Bean
    EventPublisher eventPublisher(MailboxEventsProperties events, RelayProperties relay, JdbcClient jdbc) {
        return switch (events.type()) {
            case POSTGRES -> new PostgresEventPublisher(jdbc);
            case RABBITMQ -> new RabbitEventPublisher(events.rabbitmq(), relay.publishTimeout());
        };
    }

    @Bean
    OutboxRelay outboxRelay(JdbcClient jdbc, TransactionTemplate transaction, EventPublisher publisher, OutboxSignal signal,
                            RelayProperties relay, MeterRegistry meters) {
        return new OutboxRelay(jdbc, transaction, publisher, signal, relay.pollInterval(), relay.batchSize(), meters);
    }

    /** The SSE stream's source. Without a store client of its own, it tells SSE clients to re-read after a gap. */
    @Bean(destroyMethod = "close")
    MailboxEventSubscriber accountEventSource(MailboxEventsProperties events, DataSourceProperties dataSource) {
        return switch (events.type()) {
            case POSTGRES -> {
                MailboxEventsProperties.Postgres own = events.postgres();
                MailboxEventsProperties.Postgres settings = own.url() != null && !own.url().isBlank() ? own
                        : new MailboxEventsProperties.Postgres(dataSource.determineUrl(), dataSource.determineUsername(),
                        dataSource.determinePassword());
                yield new PostgresEventSubscriber(settings, events.reconnect(), null);
            }
            case RABBITMQ -> new RabbitEventSubscriber(events.rabbitmq(), events.reconnect(), null);
        };
    }
}
