package io.mailroom.queue.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mailroom.queue.MailQueue;
import io.mailroom.queue.QueueUnavailableException;
import io.mailroom.queue.QueuedMail;
import io.mailroom.queue.support.QueueFormat;
import io.mailroom.queue.support.QueueMetrics;

/**
 * Enqueues with committed INSERTs: once {@link #enqueue} returns, the message survives any crash. Concurrent enqueues
 * share transactions (group commit): the waiting messages are taken by one of a few writer threads, up to
 * {@value #MAX_BATCH} at a time, inserted in one transaction, and each caller is released only when that transaction
 * has committed. Under the load of many SMTP sessions this turns one commit (a WAL flush) and one pool checkout per
 * message into one per batch; a lone message still goes out at once, with one thread hand-over added.
 */
public final class PostgresMailQueue implements MailQueue, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresMailQueue.class);
    /** Most messages in one transaction. */
    static final int MAX_BATCH = 64;
    /** Transactions in flight at once (each takes one pooled connection). */
    static final int WRITERS = 4;

    // ON CONFLICT makes enqueue idempotent: smtp-ingress may try again after a timeout whose INSERT had
    // in fact committed, and the message must then not be queued twice
    private static final String INSERT = """
            INSERT INTO mailroom_queue.mail_queue (id, version, envelope, content, state)
            VALUES (?, ?, ?::jsonb, ?, ?::jsonb)
            ON CONFLICT (id) DO NOTHING""";

    private final PostgresQueueDatabase database;
    private final Duration publishTimeout;
    private final QueueMetrics metrics;
    private final LinkedBlockingQueue<Pending> waiting = new LinkedBlockingQueue<>();
    private final List<Thread> writers = new ArrayList<>(WRITERS);
    private final AtomicLong transactions = new AtomicLong();
    private final AtomicInteger unanswered = new AtomicInteger();
    private volatile boolean closed;

    public PostgresMailQueue(PostgresQueueDatabase database, Duration publishTimeout, QueueMetrics metrics) {
        this.database = database;
        this.publishTimeout = publishTimeout;
        this.metrics = metrics;
        for (int i = 1; i <= WRITERS; i++) {
            Thread writer = new Thread(this::write, "mail-queue-writer-" + i);
            writer.setDaemon(true);
            writer.start();
            writers.add(writer);
        }
    }

    @Override
    public void enqueue(QueuedMail mail) throws QueueUnavailableException {
        long started = System.nanoTime();
        if (closed) {
            throw new QueueUnavailableException("the PostgreSQL queue is shut down; message " + mail.id() + " not queued", null);
        }
        Pending pending = new Pending(mail);
        unanswered.incrementAndGet();
        waiting.add(pending);
        try {
            // the statement's own timeout ends a stuck transaction first; this bound is for a writer that never got to it
            pending.committed.get(publishTimeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            metrics.enqueueFailed(Duration.ofNanos(System.nanoTime() - started));
            Throwable cause = e.getCause();
            throw new QueueUnavailableException("the PostgreSQL queue did not accept message " + mail.id() + ": "
                    + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            // it may still commit: ON CONFLICT keeps a retry by the sender's client from queueing it twice
            metrics.enqueueFailed(Duration.ofNanos(System.nanoTime() - started));
            throw new QueueUnavailableException("the PostgreSQL queue did not accept message " + mail.id()
                    + " within " + publishTimeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            metrics.enqueueFailed(Duration.ofNanos(System.nanoTime() - started));
            throw new QueueUnavailableException("interrupted while queueing message " + mail.id(), e);
        } finally {
            unanswered.decrementAndGet();
        }
        metrics.enqueued(Duration.ofNanos(System.nanoTime() - started));
    }

    /** A writer thread: takes what is waiting, inserts it in one transaction, releases the callers. */
    private void write() {
        List<Pending> batch = new ArrayList<>(MAX_BATCH);
        while (!closed) {
            try {
                Pending first = waiting.poll(1, TimeUnit.SECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                waiting.drainTo(batch, MAX_BATCH - 1);
                insert(batch);
                batch.forEach(pending -> pending.committed.complete(null));
            } catch (SQLException | RuntimeException e) {
                batch.forEach(pending -> pending.committed.completeExceptionally(e));
            } catch (InterruptedException e) {
                batch.forEach(pending -> pending.committed.completeExceptionally(e));
                Thread.currentThread().interrupt();
                return;
            } finally {
                batch.clear();
            }
        }
    }

    private void insert(List<Pending> batch) throws SQLException {
        try (Connection connection = database.dataSource().getConnection();
             PreparedStatement insert = connection.prepareStatement(INSERT)) {
            boolean autoCommit = connection.getAutoCommit();
            if (autoCommit && batch.size() > 1) {
                connection.setAutoCommit(false);
            }
            try {
                insert.setQueryTimeout((int) PostgresQueueDatabase.seconds(publishTimeout));
                for (Pending pending : batch) {
                    QueuedMail mail = pending.mail;
                    insert.setString(1, mail.id());
                    insert.setInt(2, QueuedMail.FORMAT_VERSION);
                    insert.setString(3, QueueFormat.envelopeJson(mail));
                    // setBytes hands the array to the driver as it is (a binary parameter, no copy, no hex text):
                    // the message is in memory as a QueuedMail anyway
                    insert.setBytes(4, mail.content());
                    insert.setString(5, QueueFormat.stateJson(mail.state()));
                    insert.addBatch();
                }
                int[] counts = insert.executeBatch();
                if (!connection.getAutoCommit()) {
                    connection.commit();
                }
                transactions.incrementAndGet();
                for (int i = 0; i < counts.length; i++) {
                    if (counts[i] == 0) {
                        LOG.info("Queued message {} was already on the queue; not queued twice", batch.get(i).mail.id());
                    }
                }
            } catch (SQLException | RuntimeException e) {
                if (!connection.getAutoCommit()) {
                    connection.rollback();
                }
                throw e;
            } finally {
                if (connection.getAutoCommit() != autoCommit) {
                    connection.setAutoCommit(autoCommit);
                }
            }
        }
    }

    /** Transactions committed so far (tests: concurrent messages share them). */
    long transactions() {
        return transactions.get();
    }

    /** Enqueue calls handed to the writers and not yet answered (tests: every sender is waiting). */
    int unanswered() {
        return unanswered.get();
    }

    /** Stops the writers; messages still waiting are refused (their callers answer 451). */
    @Override
    public void close() {
        closed = true;
        writers.forEach(Thread::interrupt);
        Pending left;
        while ((left = waiting.poll()) != null) {
            left.committed.completeExceptionally(new SQLException("the PostgreSQL queue is shut down"));
        }
    }

    private static final class Pending {
        private final QueuedMail mail;
        private final CompletableFuture<Void> committed = new CompletableFuture<>();

        Pending(QueuedMail mail) {
            this.mail = mail;
        }
    }
}
