package io.mailroom.queue.rabbitmq;

import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory;
import org.springframework.amqp.rabbit.connection.CachingConnectionFactory.ConfirmType;
import org.springframework.amqp.rabbit.connection.Connection;
import org.springframework.amqp.rabbit.connection.ConnectionListener;

import io.mailroom.queue.MailQueueProperties;

/**
 * The connection to RabbitMQ that the queue's producer and consumer share, and the topology it
 * declares.
 *
 * <p>Why Spring AMQP's {@code spring-rabbit} on its own, without {@code spring-boot-starter-amqp}: the
 * starter's auto-configuration would give every application that carries this library a RabbitMQ
 * connection factory and a RabbitMQ health indicator, and with the PostgreSQL queue (the single-machine
 * default, where no broker runs) that indicator would report the service DOWN. Spring AMQP itself, over
 * the plain amqp-client, brings what is hard to get right by hand: a connection that is re-opened on
 * demand after the broker went away (so enqueue fails fast while it is down and works again once it is
 * back), publisher confirms correlated with returns, and a listener container that re-subscribes its
 * consumers after a connection loss and waits for messages in progress on shutdown. Publishing uses a
 * separate connection from consuming, so a broker that blocks publishers never stalls consumers.
 */
public final class RabbitQueueBroker implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(RabbitQueueBroker.class);

    private final CachingConnectionFactory connectionFactory;
    private final RabbitQueueTopology topology;

    /**
     * @param maxDeliveries  the inbound queue's delivery limit ({@code mailroom.queue.max-deliveries})
     * @param connectTimeout bounds opening a connection, so that enqueue fails within the publish timeout
     */
    public RabbitQueueBroker(MailQueueProperties.Rabbitmq settings, int maxDeliveries, Duration connectTimeout) {
        this.topology = new RabbitQueueTopology(settings.namePrefix(), settings.retryDelays(), maxDeliveries);
        this.connectionFactory = new CachingConnectionFactory(settings.host(), settings.port());
        connectionFactory.setUsername(settings.username());
        connectionFactory.setPassword(settings.password());
        connectionFactory.setVirtualHost(settings.virtualHost());
        int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis());
        connectionFactory.setConnectionTimeout(timeoutMillis);
        connectionFactory.getRabbitConnectionFactory().setHandshakeTimeout(timeoutMillis);
        connectionFactory.setRequestedHeartBeat(30);
        connectionFactory.setConnectionNameStrategy(factory -> "mailroom-queue");
        connectionFactory.setPublisherConfirmType(ConfirmType.CORRELATED);
        connectionFactory.setPublisherReturns(true);
        connectionFactory.addConnectionListener(new ConnectionListener() {
            @Override
            public void onCreate(Connection connection) {
                declareTopology(connection);
            }
        });
    }

    private void declareTopology(Connection connection) {
        try {
            topology.declare(connection.getDelegate());
            LOG.debug("Declared the RabbitMQ queue topology under prefix {}", topology.exchange());
        } catch (Exception e) {
            // publishing will then fail as unroutable, and the consumer keeps retrying: both say so loudly
            LOG.error("Could not declare the RabbitMQ queue topology ({}): {}", topology.exchange(), e.toString());
        }
    }

    CachingConnectionFactory connectionFactory() {
        return connectionFactory;
    }

    public RabbitQueueTopology topology() {
        return topology;
    }

    @Override
    public void close() {
        connectionFactory.destroy();
    }
}
