package io.mailroom.queue.postgres;

import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mailroom.queue.Disposition;
import io.mailroom.queue.MailProcessor;
import io.mailroom.queue.MailQueueConsumer;
import io.mailroom.queue.MailQueueProperties;
import io.mailroom.queue.QueuedMail;
import io.mailroom.queue.support.MailDispatcher;
import io.mailroom.queue.support.QueueFormat;
import io.mailroom.queue.support.QueueMetrics;

/**
 * Consumes the PostgreSQL queue. One poller thread claims due rows with
 * {@code SELECT … FOR UPDATE SKIP LOCKED} (so that consumers in any number of processes never take the
 * same row), stamps each with a lease and {@code locked_until = now() + visibility timeout}, and commits;
 * workers then process outside any transaction and finish the row by its lease: DELETE (done), UPDATE
 * {@code available_at} (retry) or a move to {@code dead_letter} (dead). The poller renews the leases of
 * rows in progress; a consumer that died stops renewing, its rows' {@code locked_until} passes, and
 * another consumer takes them again.
 */
public final class PostgresMailQueueConsumer implements MailQueueConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresMailQueueConsumer.class);

    // the CTE is evaluated once, so the rows locked (and skipped) by the SELECT are exactly those updated
    private static final String CLAIM = """
            WITH due AS (
                SELECT id FROM mailroom_queue.mail_queue
                 WHERE available_at <= now() AND (locked_until IS NULL OR locked_until <= now())
                 ORDER BY available_at
                 LIMIT ?
                   FOR UPDATE SKIP LOCKED)
            UPDATE mailroom_queue.mail_queue q
               SET locked_until = now() + make_interval(secs => ?), lease = gen_random_uuid(),
                   deliveries = q.deliveries + 1, attempts = q.attempts + 1,
                   unfinished_deliveries = q.unfinished_deliveries + 1
              FROM due
             WHERE q.id = due.id
            RETURNING q.id, q.version, q.envelope::text, q.content, q.attempts, q.lease, q.unfinished_deliveries,
                      q.state::text""";

    private static final String RENEW = """
            UPDATE mailroom_queue.mail_queue SET locked_until = now() + make_interval(secs => ?)
             WHERE lease = ANY (?)""";

    private static final String DONE = "DELETE FROM mailroom_queue.mail_queue WHERE id = ? AND lease = ?";

    private static final String RETRY = """
            UPDATE mailroom_queue.mail_queue
               SET available_at = now() + make_interval(secs => ?), unfinished_deliveries = 0,
                   locked_until = NULL, lease = NULL, last_error = ?, state = coalesce(?::jsonb, state)
             WHERE id = ? AND lease = ?""";

    private static final String DEAD = """
            WITH moved AS (
                DELETE FROM mailroom_queue.mail_queue WHERE id = ? AND lease = ?
                RETURNING id, version, envelope, content, enqueued_at, attempts, state, last_error)
            INSERT INTO mailroom_queue.dead_letter (id, version, envelope, content, enqueued_at, attempts, reason,
                                                    state, last_error)
            SELECT id, version, envelope, content, enqueued_at, attempts, ?, coalesce(?::jsonb, state), last_error
              FROM moved""";

    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private static final long LISTEN_SLICE_MILLIS = 500;

    private final PostgresQueueDatabase database;
    private final MailQueueProperties.Consumer settings;
    private final int maxDeliveries;
    private final Duration visibilityTimeout;
    private final Duration pollInterval;
    private final QueueMetrics metrics;
    private final String name = "mailroom-queue-pg-" + INSTANCES.incrementAndGet();

    private final Semaphore capacity;
    private final Map<UUID, Claimed> inProgress = new ConcurrentHashMap<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running;
    private MailDispatcher dispatcher;
    private final MailDispatcher.Tracing tracing;
    private ExecutorService workers;
    private Thread poller;
    private Connection listenConnection;
    private long lastRenewal = System.nanoTime();

    /**
     * @param attempts   the attempt this claim is (claims so far, this one included)
     * @param unfinished claims since the last recorded outcome, this one included
     */
    private record Claimed(String id, int version, String envelope, byte[] content, int attempts, UUID lease,
                           int unfinished, String state) {
    }

    /** @param maxDeliveries claims in a row without an outcome after which a row is dead-lettered, not handed out */
    public PostgresMailQueueConsumer(PostgresQueueDatabase database, MailQueueProperties.Consumer settings,
                                     MailQueueProperties.Postgres postgres, int maxDeliveries, QueueMetrics metrics) {
        this(database, settings, postgres, maxDeliveries, metrics, MailDispatcher.Tracing.NONE);
    }

    /** @param tracing continues each message's trace around its processing */
    public PostgresMailQueueConsumer(PostgresQueueDatabase database, MailQueueProperties.Consumer settings,
                                     MailQueueProperties.Postgres postgres, int maxDeliveries, QueueMetrics metrics,
                                     MailDispatcher.Tracing tracing) {
        this.tracing = tracing;
        this.database = database;
        this.settings = settings;
        this.maxDeliveries = maxDeliveries;
        this.visibilityTimeout = postgres.visibilityTimeout();
        this.pollInterval = postgres.pollInterval();
        this.metrics = metrics;
        this.capacity = new Semaphore(settings.concurrency());
    }

    @Override
    public synchronized void start(MailProcessor processor) {
        if (poller != null) {
            throw new IllegalStateException("this consumer was started already");
        }
        this.dispatcher = new MailDispatcher(processor, settings.errorRetryDelay(), tracing);
        AtomicInteger workerNumber = new AtomicInteger();
        this.workers = Executors.newFixedThreadPool(settings.concurrency(),
                runnable -> new Thread(runnable, name + "-worker-" + workerNumber.incrementAndGet()));
        this.running = true;
        this.poller = new Thread(this::poll, name + "-poller");
        this.poller.start();
        LOG.info("PostgreSQL queue consumer started ({} at a time, visibility timeout {})",
                settings.concurrency(), visibilityTimeout);
    }

    private void poll() {
        while (running) {
            try {
                renewLeasesWhenDue();
                if (!capacity.tryAcquire(LISTEN_SLICE_MILLIS, TimeUnit.MILLISECONDS)) {
                    continue; // every worker is busy; renew their leases and look again
                }
                int wanted = 1 + capacity.drainPermits();
                List<Claimed> claimed;
                try {
                    claimed = claim(wanted);
                } catch (SQLException e) {
                    capacity.release(wanted);
                    LOG.warn("Could not take messages from the PostgreSQL queue: {}", e.getMessage());
                    stopped.await(pollInterval.toMillis(), TimeUnit.MILLISECONDS);
                    continue;
                }
                capacity.release(wanted - claimed.size());
                for (Claimed row : claimed) {
                    inProgress.put(row.lease(), row);
                    workers.execute(() -> {
                        try {
                            handle(row);
                        } finally {
                            inProgress.remove(row.lease());
                            capacity.release();
                        }
                    });
                }
                if (claimed.size() < wanted) {
                    awaitWork();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException e) {
                LOG.error("PostgreSQL queue poller failed; going on", e);
            }
        }
        closeListenConnection();
    }

    private List<Claimed> claim(int limit) throws SQLException {
        List<Claimed> claimed = new ArrayList<>(limit);
        try (Connection connection = database.dataSource().getConnection();
             PreparedStatement statement = connection.prepareStatement(CLAIM)) {
            statement.setInt(1, limit);
            statement.setDouble(2, visibilityTimeout.toMillis() / 1000.0);
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    claimed.add(new Claimed(rows.getString(1), rows.getInt(2), rows.getString(3), rows.getBytes(4),
                            rows.getInt(5), rows.getObject(6, UUID.class), rows.getInt(7), rows.getString(8)));
                }
            }
        }
        return claimed;
    }

    private void handle(Claimed row) {
        if (row.unfinished() > maxDeliveries) {
            String reason = MailDispatcher.poisonReason(row.unfinished() - 1);
            LOG.error("Queued message {}: {}; moving it to the dead-letter table", row.id(), reason);
            finish(row, Disposition.dead(reason));
            return;
        }
        QueuedMail mail;
        try {
            mail = QueueFormat.read(row.version(), row.envelope(), row.content(), row.state());
        } catch (QueueFormat.UnreadableMessageException e) {
            LOG.error("Queued message {} cannot be read ({}); moving it to the dead-letter table", row.id(), e.getMessage());
            finish(row, Disposition.dead(e.getMessage()));
            return;
        }
        finish(row, dispatcher.dispatch(mail, row.attempts()));
    }


    private void finish(Claimed row, Disposition disposition) {
        try (Connection connection = database.dataSource().getConnection()) {
            int changed;
            switch (disposition) {
                case Disposition.Done done -> {
                    try (PreparedStatement delete = connection.prepareStatement(DONE)) {
                        delete.setString(1, row.id());
                        delete.setObject(2, row.lease());
                        changed = delete.executeUpdate();
                    }
                    if (changed > 0) {
                        metrics.acked();
                    }
                }
                case Disposition.Retry retry -> {
                    try (PreparedStatement update = connection.prepareStatement(RETRY)) {
                        update.setDouble(1, Math.max(0, retry.delay().toMillis()) / 1000.0);
                        update.setString(2, retry.reason());
                        update.setString(3, QueueFormat.stateJson(retry.state()));
                        update.setString(4, row.id());
                        update.setObject(5, row.lease());
                        changed = update.executeUpdate();
                    }
                    if (changed > 0) {
                        metrics.retried();
                        LOG.info("Queued message {} will be tried again in {}: {}", row.id(), retry.delay(), retry.reason());
                    }
                }
                case Disposition.Dead dead -> {
                    try (PreparedStatement move = connection.prepareStatement(DEAD)) {
                        move.setString(1, row.id());
                        move.setObject(2, row.lease());
                        move.setString(3, dead.reason());
                        move.setString(4, QueueFormat.stateJson(dead.state()));
                        changed = move.executeUpdate();
                    }
                    if (changed > 0) {
                        metrics.deadLettered();
                        LOG.warn("Queued message {} moved to the dead-letter table: {}", row.id(), dead.reason());
                    }
                }
            }
            if (changed == 0) {
                LOG.warn("Lost the lease on queued message {} before it was finished ({}); it will be delivered again",
                        row.id(), disposition);
            }
        } catch (SQLException e) {
            LOG.warn("Could not record the outcome of queued message {} ({}); it will be delivered again once its lease "
                    + "expires: {}", row.id(), disposition, e.getMessage());
        }
    }

    /** Keeps the rows in progress ours: renewed at a third of the visibility timeout. */
    private void renewLeasesWhenDue() {
        long now = System.nanoTime();
        if (now - lastRenewal < visibilityTimeout.toNanos() / 3) {
            return;
        }
        lastRenewal = now;
        if (inProgress.isEmpty()) {
            return;
        }
        try (Connection connection = database.dataSource().getConnection();
             PreparedStatement renew = connection.prepareStatement(RENEW)) {
            Array leases = connection.createArrayOf("uuid", inProgress.keySet().toArray(new UUID[0]));
            renew.setDouble(1, visibilityTimeout.toMillis() / 1000.0);
            renew.setArray(2, leases);
            renew.executeUpdate();
        } catch (SQLException e) {
            LOG.warn("Could not renew the leases of {} queued messages in progress: {}", inProgress.size(), e.getMessage());
        }
    }

    /** Waits until a new message is announced (LISTEN/NOTIFY) or the poll interval passes. */
    private void awaitWork() throws InterruptedException {
        int millis = (int) Math.min(Integer.MAX_VALUE, pollInterval.toMillis());
        try {
            if (listenConnection == null) {
                listenConnection = database.openListenConnection();
                try (Statement listen = listenConnection.createStatement()) {
                    listen.execute("LISTEN " + PostgresQueueDatabase.CHANNEL);
                }
            }
            PGConnection listener = listenConnection.unwrap(PGConnection.class);
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            long left;
            // in short slices, so that close() never waits for a whole poll interval and leases are renewed in time
            while (running && (left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())) > 0) {
                PGNotification[] notifications = listener.getNotifications((int) Math.min(LISTEN_SLICE_MILLIS, left));
                if (notifications != null && notifications.length > 0) {
                    return;
                }
                renewLeasesWhenDue();
            }
        } catch (SQLException e) {
            LOG.debug("LISTEN connection failed; polling only: {}", e.getMessage());
            closeListenConnection();
            stopped.await(millis, TimeUnit.MILLISECONDS);
        }
    }

    private void closeListenConnection() {
        if (listenConnection != null) {
            try {
                listenConnection.close();
            } catch (SQLException ignored) {
                // it is going away anyway
            }
            listenConnection = null;
        }
    }

    @Override
    public void close() {
        Thread pollerThread;
        synchronized (this) {
            if (!running) {
                return;
            }
            running = false;
            pollerThread = poller;
        }
        stopped.countDown();
        pollerThread.interrupt();
        try {
            // the poller notices within one LISTEN slice, unless a statement of its own is still running
            pollerThread.join(LISTEN_SLICE_MILLIS + 10_000);
            workers.shutdown();
            if (!workers.awaitTermination(settings.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.warn("{} queued messages were still in progress after {}; they will be delivered again once their "
                        + "lease expires", inProgress.size(), settings.shutdownTimeout());
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            workers.shutdownNow();
        }
        LOG.info("PostgreSQL queue consumer stopped");
    }
}
