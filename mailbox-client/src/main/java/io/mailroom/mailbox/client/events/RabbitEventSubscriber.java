package io.mailroom.mailbox.client.events;

import java.io.IOException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.DeliverCallback;

import io.mailroom.mailbox.client.AuthenticatedAccount;
import io.mailroom.mailbox.client.store.MailboxStoreClient;

/**
 * Change events from a RabbitMQ topic exchange (distributed deployments): one exclusive, auto-deleted queue per
 * subscriber, bound with {@code account.<accountId>} for each account subscribed. After a lost connection the queue is
 * gone with it: a new one is declared and bound, every subscription catches up ({@link EventSubscription}), and only
 * then does consumption start, so nothing published meanwhile is missed or delivered out of order.
 */
public final class RabbitEventSubscriber implements MailboxEventSubscriber {

    private static final Logger LOG = LoggerFactory.getLogger(RabbitEventSubscriber.class);

    private final MailboxEventsProperties.Rabbitmq settings;
    private final Duration maxReconnect;
    private final ConnectionFactory factory;
    private final SubscriptionRegistry registry;
    private final Thread supervisor;
    private final Object lock = new Object();
    private volatile Connection connection;
    private volatile Channel control;
    private volatile String queue;
    private volatile boolean closed;

    /** @param store for catch-up after a reconnect; null to send {@code RESYNC_NEEDED} instead */
    public RabbitEventSubscriber(MailboxEventsProperties.Rabbitmq settings, Duration maxReconnect, MailboxStoreClient store) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.maxReconnect = maxReconnect;
        this.factory = new ConnectionFactory();
        factory.setHost(settings.host());
        factory.setPort(settings.port());
        factory.setUsername(settings.username());
        factory.setPassword(settings.password());
        factory.setVirtualHost(settings.virtualHost());
        factory.setConnectionTimeout(5_000);
        factory.setRequestedHeartbeat(15);
        // reconnection is ours: it must re-declare, catch up, then consume, in that order
        factory.setAutomaticRecoveryEnabled(false);
        factory.setTopologyRecoveryEnabled(false);
        this.registry = new SubscriptionRegistry(store, accountId -> bind(accountId, true), accountId -> bind(accountId, false));
        this.supervisor = Thread.ofPlatform().name("mailroom-events-rabbitmq").daemon(true).unstarted(this::run);
        supervisor.start();
    }

    @Override
    public EventSubscription subscribe(AuthenticatedAccount account, MailboxEventListener listener) {
        return registry.add(account, listener);
    }

    @Override
    public boolean connected() {
        Connection open = connection;
        return open != null && open.isOpen();
    }

    @Override
    public void close() {
        closed = true;
        supervisor.interrupt();
        registry.closeAll();
        Connection open = connection;
        if (open != null && open.isOpen()) {
            try {
                open.close(2_000);
            } catch (IOException ignored) {
                // going away anyway
            }
        }
    }

    private void run() {
        Backoff backoff = new Backoff(maxReconnect);
        boolean everConnected = false;
        while (!closed) {
            try {
                Connection open = factory.newConnection("mailroom-events-subscriber");
                Object lost = new Object();
                open.addShutdownListener(cause -> {
                    synchronized (lost) {
                        lost.notifyAll();
                    }
                });
                Channel consuming = open.createChannel();
                consuming.exchangeDeclare(settings.exchange(), "topic", true);
                String declared = consuming.queueDeclare("", false, true, true, null).getQueue();
                synchronized (lock) {
                    connection = open;
                    control = open.createChannel();
                    queue = declared;
                    for (long accountId : registry.accounts()) {
                        control.queueBind(declared, settings.exchange(), EventFormat.routingKey(accountId));
                    }
                }
                backoff.reset();
                if (everConnected) {
                    LOG.info("Change events: reconnected to RabbitMQ; catching up");
                    registry.catchUpAll();
                }
                everConnected = true;
                DeliverCallback deliver = (tag, delivery) -> {
                    try {
                        registry.deliver(EventFormat.read(delivery.getBody()));
                    } catch (RuntimeException e) {
                        LOG.warn("Change events: unreadable message with routing key {}: {}",
                                delivery.getEnvelope().getRoutingKey(), e.toString());
                    }
                };
                consuming.basicConsume(declared, true, deliver, tag -> { });
                synchronized (lost) {
                    while (open.isOpen() && !closed) {
                        lost.wait(1_000);
                    }
                }
                if (!closed) {
                    LOG.warn("Change events: RabbitMQ connection lost ({}); reconnecting", open.getCloseReason());
                }
            } catch (IOException | TimeoutException | RuntimeException e) {
                if (!closed) {
                    LOG.warn("Change events: cannot reach RabbitMQ ({}); retrying", e.toString());
                }
            } catch (InterruptedException e) {
                return;
            } finally {
                synchronized (lock) {
                    connection = null;
                    control = null;
                    queue = null;
                }
            }
            if (!closed) {
                try {
                    Thread.sleep(backoff.next());
                } catch (InterruptedException e) {
                    return;
                }
            }
        }
    }

    /** Drops the connection as a broker restart would; the subscriber reconnects and catches up. For tests. */
    void abortConnection() {
        Connection open = connection;
        if (open != null) {
            open.abort();
        }
    }

    /** Binds or unbinds an account now if connected; a reconnect binds every subscribed account anyway. */
    private void bind(long accountId, boolean bind) {
        synchronized (lock) {
            Channel channel = control;
            String name = queue;
            if (channel == null || name == null || !channel.isOpen()) {
                return;
            }
            try {
                if (bind) {
                    channel.queueBind(name, settings.exchange(), EventFormat.routingKey(accountId));
                } else {
                    channel.queueUnbind(name, settings.exchange(), EventFormat.routingKey(accountId));
                }
            } catch (IOException | RuntimeException e) {
                LOG.warn("Change events: (un)binding account {} failed ({}); the reconnect will repeat it", accountId, e.toString());
            }
        }
    }
}
