package io.mailroom.queue;

import java.time.Duration;
import java.util.List;

import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;

/**
 * Settings of the queue ({@code mailroom.queue.*}). {@link #type()} picks the adapter; only that
 * adapter's nested settings are used.
 *
 * @param type           {@code postgres} (the single-machine default) or {@code rabbitmq}
 * @param publishTimeout how long {@link MailQueue#enqueue} may take before it gives up with
 *                       {@link QueueUnavailableException} (smtp-ingress then answers 451)
 * @param maxDeliveries  how often a message may be handed to a consumer in a row without an outcome (the consumer
 *                       crashed, was killed, lost its connection or lease) before it is dead-lettered as poison
 *                       instead; for RabbitMQ also the inbound queue's {@code x-delivery-limit}, so every producer
 *                       and consumer of one broker must agree on it (like the names and retry tiers)
 * @param consumer       the consuming side; off unless the application asks for it
 * @param postgres       the PostgreSQL adapter
 * @param rabbitmq       the RabbitMQ adapter
 */
@ConfigurationProperties("mailroom.queue")
@Validated
public record MailQueueProperties(
        @NotNull @DefaultValue("postgres") Type type,
        @NotNull @DurationMin(millis = 250) @DefaultValue("10s") Duration publishTimeout,
        @Min(1) @Max(1000) @DefaultValue("10") int maxDeliveries,
        @NotNull @Valid @DefaultValue Consumer consumer,
        @NotNull @Valid @DefaultValue Postgres postgres,
        @NotNull @Valid @DefaultValue Rabbitmq rabbitmq) {

    public enum Type {
        POSTGRES, RABBITMQ
    }

    /**
     * @param enabled         whether this application consumes (delivery-service) or only produces (smtp-ingress)
     * @param concurrency     messages processed at the same time by this process; also bounds RabbitMQ's prefetch
     * @param shutdownTimeout how long {@link MailQueueConsumer#close()} waits for messages in progress; those still
     *                        running afterwards are delivered again later
     * @param errorRetryDelay when the processor throws instead of answering, the message comes back after this
     */
    public record Consumer(
            @DefaultValue("false") boolean enabled,
            @Min(1) @Max(256) @DefaultValue("4") int concurrency,
            @NotNull @DurationMin(millis = 0) @DefaultValue("30s") Duration shutdownTimeout,
            @NotNull @DurationMin(millis = 0) @DefaultValue("30s") Duration errorRetryDelay) {
    }

    /**
     * The PostgreSQL adapter keeps its own connection pool: it never uses (nor creates) the
     * application's {@code spring.datasource}.
     *
     * @param url               JDBC URL, e.g. {@code jdbc:postgresql://localhost:5432/mailroom}; required for this adapter
     * @param maxPoolSize       connections in the queue's own pool
     * @param visibilityTimeout how long a consumer holds a message before others may take it; renewed while the
     *                          message is being processed, so it only matters when a consumer dies
     * @param pollInterval      how often an idle consumer looks for due messages (new ones wake it at once
     *                          through LISTEN/NOTIFY; retries become due by time)
     */
    public record Postgres(
            String url,
            @DefaultValue("postgres") String username,
            String password,
            @Min(1) @Max(200) @DefaultValue("10") int maxPoolSize,
            @NotNull @DurationMin(seconds = 1) @DefaultValue("5m") Duration visibilityTimeout,
            @NotNull @DurationMin(millis = 10) @DefaultValue("1s") Duration pollInterval) {
    }

    /**
     * @param namePrefix  every exchange and queue name starts with this (tests use a fresh one each)
     * @param retryDelays the delay tiers of the retry path, one TTL'd queue each; a retry waits in the
     *                    smallest tier that is at least as long as asked (the longest when none is)
     * @param adminScanLimit how many messages per queue the admin operations (list, find, retry, delete) look at
     *                    at most: RabbitMQ can only be browsed by taking messages and handing them back
     */
    public record Rabbitmq(
            @NotBlank @DefaultValue("localhost") String host,
            @Min(1) @Max(65535) @DefaultValue("5672") int port,
            @NotBlank @DefaultValue("guest") String username,
            @NotNull @DefaultValue("guest") String password,
            @NotBlank @DefaultValue("/") String virtualHost,
            @NotBlank @DefaultValue("mailroom.") String namePrefix,
            @NotEmpty @DefaultValue({"1s", "5s", "30s", "1m", "5m", "15m", "30m", "1h", "2h", "4h"})
            List<@NotNull @DurationMin(millis = 1) Duration> retryDelays,
            @Min(1) @Max(1_000_000) @DefaultValue("10000") int adminScanLimit) {
    }
}
