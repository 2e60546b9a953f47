package io.mailroom.mailbox.client.events;

import java.time.Duration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * How change events travel ({@code mailroom.events.*}), read by mailbox-api (which publishes) and by the services
 * that subscribe. {@link #type()} mirrors {@code mailroom.queue.type}: the single-machine default uses PostgreSQL
 * LISTEN/NOTIFY, distributed deployments a RabbitMQ topic exchange.
 *
 * @param type       {@code postgres} or {@code rabbitmq}
 * @param subscriber whether this application subscribes (the IMAP gateway); mailbox-api publishes regardless
 * @param reconnect  the longest wait between attempts to reach a lost event source (doubling from 250 ms)
 * @param postgres   the PostgreSQL source
 * @param rabbitmq   the RabbitMQ exchange
 */
@Validated
@ConfigurationProperties("mailroom.events")
public record MailboxEventsProperties(
        @NotNull @DefaultValue("postgres") Type type,
        @NotNull @Valid @DefaultValue Subscriber subscriber,
        @NotNull @DurationMin(millis = 250) @DefaultValue("10s") Duration reconnect,
        @NotNull @Valid @DefaultValue Postgres postgres,
        @NotNull @Valid @DefaultValue Rabbitmq rabbitmq) {

    public enum Type {
        POSTGRES, RABBITMQ
    }

    /** @param enabled whether to create a {@link MailboxEventSubscriber} bean */
    public record Subscriber(@DefaultValue("false") boolean enabled) {
    }

    /**
     * A subscriber's own connection for LISTEN (never a pooled one: LISTEN belongs to a session). mailbox-api, which
     * publishes with NOTIFY on its own data source, needs none of this.
     *
     * @param url JDBC URL of mailbox-api's database, e.g. {@code jdbc:postgresql://localhost:5432/mailroom}
     */
    public record Postgres(String url, @DefaultValue("postgres") String username, String password) {

        @Override
        public String toString() {
            return "Postgres[url=" + url + ", username=" + username + ", password=****]";
        }
    }

    /**
     * @param exchange the topic exchange events are published to, routing key {@code account.<accountId>}
     */
    public record Rabbitmq(
            @NotBlank @DefaultValue("localhost") String host,
            @Min(1) @Max(65535) @DefaultValue("5672") int port,
            @NotBlank @DefaultValue("guest") String username,
            @NotNull @DefaultValue("guest") String password,
            @NotBlank @DefaultValue("/") String virtualHost,
            @NotBlank @DefaultValue("mailroom.events") String exchange) {

        @Override
        public String toString() {
            return "Rabbitmq[host=" + host + ", port=" + port + ", username=" + username + ", virtualHost=" + virtualHost
                    + ", exchange=" + exchange + "]";
        }
    }
}
