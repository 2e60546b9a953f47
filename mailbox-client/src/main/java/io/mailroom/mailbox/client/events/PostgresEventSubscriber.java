package io.mailroom.mailbox.client.events;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Objects;
import java.util.Properties;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mailroom.mailbox.client.AuthenticatedAccount;
import io.mailroom.mailbox.client.store.MailboxStoreClient;

/**
 * Change events over PostgreSQL LISTEN/NOTIFY (the single-machine default): one connection of its own, one channel
 * per account subscribed ({@link EventFormat#channel}). A lost connection is re-opened with back-off; then every
 * channel is listened to again and every subscription catches up ({@link EventSubscription}).
 */
public final class PostgresEventSubscriber implements MailboxEventSubscriber {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresEventSubscriber.class);
    private static final int POLL_MILLIS = 250;
    /** A connection that died without a word is found out by a query this often. */
    private static final long CHECK_MILLIS = 5_000;

    private final MailboxEventsProperties.Postgres settings;
    private final Duration maxReconnect;
    private final SubscriptionRegistry registry;
    private final Thread thread;
    private final Object lock = new Object();
    private volatile Connection connection;
    private volatile boolean closed;

    /**
     * @param store for catch-up after a reconnect; null to send {@code RESYNC_NEEDED} instead
     */
    public PostgresEventSubscriber(MailboxEventsProperties.Postgres settings, Duration maxReconnect, MailboxStoreClient store) {
        this.settings = Objects.requireNonNull(settings, "settings");
        if (settings.url() == null || settings.url().isBlank()) {
            throw new IllegalArgumentException("mailroom.events.postgres.url is required for PostgreSQL change events");
        }
        this.maxReconnect = maxReconnect;
        this.registry = new SubscriptionRegistry(store, accountId -> execute("LISTEN " + quoted(accountId)),
                accountId -> execute("UNLISTEN " + quoted(accountId)));
        this.thread = Thread.ofPlatform().name("mailroom-events-postgres").daemon(true).unstarted(this::run);
        thread.start();
    }

    @Override
    public EventSubscription subscribe(AuthenticatedAccount account, MailboxEventListener listener) {
        return registry.add(account, listener);
    }

    @Override
    public boolean connected() {
        return connection != null;
    }

    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        registry.closeAll();
        Connection open = connection;
        if (open != null) {
            try {
                open.close();
            } catch (SQLException ignored) {
                // going away anyway
            }
        }
    }

    private void run() {
        Backoff backoff = new Backoff(maxReconnect);
        boolean everConnected = false;
        while (!closed) {
            Properties credentials = new Properties();
            credentials.setProperty("user", settings.username());
            if (settings.password() != null) {
                credentials.setProperty("password", settings.password());
            }
            credentials.setProperty("ApplicationName", "mailroom-events");
            credentials.setProperty("tcpKeepAlive", "true");
            try (Connection open = DriverManager.getConnection(settings.url(), credentials)) {
                open.setAutoCommit(true);
                synchronized (lock) {
                    for (long accountId : registry.accounts()) {
                        listen(open, "LISTEN " + quoted(accountId));
                    }
                    connection = open;
                }
                backoff.reset();
                if (everConnected) {
                    LOG.info("Change events: reconnected to PostgreSQL; catching up");
                    registry.catchUpAll();
                }
                everConnected = true;
                receive(open);
            } catch (SQLException | RuntimeException e) {
                if (!closed) {
                    LOG.warn("Change events: PostgreSQL connection lost or refused ({}); retrying", e.toString());
                }
            } finally {
                connection = null;
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

    private void receive(Connection open) throws SQLException {
        PGConnection pg = open.unwrap(PGConnection.class);
        long lastCheck = System.nanoTime();
        while (!closed) {
            PGNotification[] notifications = pg.getNotifications(POLL_MILLIS);
            if (notifications != null) {
                for (PGNotification notification : notifications) {
                    try {
                        registry.deliver(EventFormat.read(notification.getParameter()));
                    } catch (RuntimeException e) {
                        LOG.warn("Change events: unreadable notification on {}: {}", notification.getName(), e.toString());
                    }
                }
            }
            if (System.nanoTime() - lastCheck > CHECK_MILLIS * 1_000_000) {
                try (Statement check = open.createStatement()) {
                    check.execute("SELECT 1");
                }
                lastCheck = System.nanoTime();
            }
        }
    }

    /** LISTEN / UNLISTEN now if connected; a reconnect listens to every subscribed account anyway. */
    private void execute(String sql) {
        synchronized (lock) {
            Connection open = connection;
            if (open == null) {
                return;
            }
            try {
                listen(open, sql);
            } catch (SQLException e) {
                LOG.warn("Change events: {} failed ({}); the reconnect will repeat it", sql, e.toString());
            }
        }
    }

    private static void listen(Connection open, String sql) throws SQLException {
        try (Statement statement = open.createStatement()) {
            statement.execute(sql);
        }
    }

    private static String quoted(long accountId) {
        return '"' + EventFormat.channel(accountId) + '"';
    }
}
