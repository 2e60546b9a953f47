package io.mailroom.mailbox.event;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

import io.mailroom.mailbox.client.events.EventFormat;
import io.mailroom.mailbox.client.events.MailboxChangeEvent;
import io.mailroom.mailbox.client.events.MailboxEventsProperties;

/**
 * Publishes to a durable topic exchange, routing key {@code account.<accountId>}, with publisher confirms: a batch
 * counts as handed over only once the broker confirmed all of it. Events are transient messages: a consumer that
 * misses some (it was disconnected) catches up from mailbox-api, so they need not survive a broker restart. The
 * connection is opened on first use and again after a loss; only the relay thread uses it.
 */
class RabbitEventPublisher implements EventPublisher, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RabbitEventPublisher.class);
    private static final AMQP.BasicProperties PROPERTIES = new AMQP.BasicProperties.Builder()
            .contentType("application/json").deliveryMode(1).build();

    private final MailboxEventsProperties.Rabbitmq settings;
    private final Duration confirmTimeout;
    private final ConnectionFactory factory;
    private Connection connection;
    private Channel channel;

    RabbitEventPublisher(MailboxEventsProperties.Rabbitmq settings, Duration confirmTimeout) {
        this.settings = settings;
        this.confirmTimeout = confirmTimeout;
        this.factory = new ConnectionFactory();
        factory.setHost(settings.host());
        factory.setPort(settings.port());
        factory.setUsername(settings.username());
        factory.setPassword(settings.password());
        factory.setVirtualHost(settings.virtualHost());
        factory.setConnectionTimeout((int) confirmTimeout.toMillis());
        factory.setRequestedHeartbeat(15);
        factory.setAutomaticRecoveryEnabled(false);
    }

    @Override
    public synchronized void publish(List<MailboxChangeEvent> events) throws Exception {
        Channel open = channel();
        try {
            for (MailboxChangeEvent event : events) {
                open.basicPublish(settings.exchange(), EventFormat.routingKey(event.accountId()), PROPERTIES,
                        EventFormat.write(event).getBytes(StandardCharsets.UTF_8));
            }
            open.waitForConfirmsOrDie(confirmTimeout.toMillis());
        } catch (IOException | RuntimeException | java.util.concurrent.TimeoutException e) {
            reset();
            throw e;
        }
    }

    private Channel channel() throws Exception {
        if (channel != null && channel.isOpen()) {
            return channel;
        }
        reset();
        connection = factory.newConnection("mailroom-events-publisher");
        channel = connection.createChannel();
        channel.exchangeDeclare(settings.exchange(), "topic", true);
        channel.confirmSelect();
        LOG.info("Change events: publishing to RabbitMQ exchange {} at {}:{}", settings.exchange(), settings.host(), settings.port());
        return channel;
    }

    private void reset() {
        if (connection != null) {
            try {
                connection.close(1_000);
            } catch (IOException | RuntimeException ignored) {
                // it is being replaced
            }
        }
        connection = null;
        channel = null;
    }

    @Override
    public synchronized void close() {
        reset();
    }
}
