package io.mailroom.queue.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mailroom.queue.Disposition;
import io.mailroom.queue.MailQueue;
import io.mailroom.queue.MailQueueAdmin;
import io.mailroom.queue.MailQueueConsumer;
import io.mailroom.queue.MailQueueContractIT;
import io.mailroom.queue.MailQueueProperties;
import io.mailroom.queue.QueueUnavailableException;
import io.mailroom.queue.QueuedMail;
import io.mailroom.queue.support.QueueFormat;
import io.mailroom.queue.support.QueueMetrics;
import io.mailroom.testsupport.TestDatabase;
import io.mailroom.testsupport.TestPostgres;

class PostgresMailQueueIT extends MailQueueContractIT {

    private static final Duration VISIBILITY_TIMEOUT = Duration.ofSeconds(2);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<PostgresQueueDatabase> databases = new ArrayList<>();
    private TestDatabase testDatabase;
    private PostgresMailQueue queue;
    private PostgresMailQueueAdmin admin;

    private MailQueueProperties.Postgres settings(String url) {
        return settings(url, Duration.ofMillis(200));
    }

    private MailQueueProperties.Postgres settings(String url, Duration pollInterval) {
        return new MailQueueProperties.Postgres(url, testDatabase.username(), testDatabase.password(), 10,
                VISIBILITY_TIMEOUT, pollInterval);
    }

    private PostgresQueueDatabase database(String url, Duration connectTimeout) {
        PostgresQueueDatabase database = new PostgresQueueDatabase(settings(url), connectTimeout, registry);
        databases.add(database);
        return database;
    }

    @BeforeEach
    void createQueue() {
        testDatabase = TestPostgres.newDatabase();
        PostgresQueueDatabase database = database(testDatabase.jdbcUrl(), Duration.ofSeconds(5)).migrate();
        queue = new PostgresMailQueue(database, Duration.ofSeconds(5), new QueueMetrics(registry, "postgres"));
        admin = new PostgresMailQueueAdmin(database);
    }

    @AfterEach
    void closeDatabases() {
        queue.close();
        databases.forEach(PostgresQueueDatabase::close);
    }

    @Override
    protected MailQueue queue() {
        return queue;
    }

    @Override
    protected MailQueueAdmin admin() {
        return admin;
    }

    @Override
    protected MailQueueConsumer newConsumer(int concurrency, Duration shutdownTimeout) {
        return new PostgresMailQueueConsumer(database(testDatabase.jdbcUrl(), Duration.ofSeconds(5)),
                new MailQueueProperties.Consumer(true, concurrency, shutdownTimeout, ERROR_RETRY_DELAY),
                settings(testDatabase.jdbcUrl()), MAX_DELIVERIES, new QueueMetrics(registry, "postgres"));
    }

    private Connection connect() throws SQLException {
        return DriverManager.getConnection(testDatabase.jdbcUrl(), testDatabase.username(), testDatabase.password());
    }

    @Override
    protected List<DeadLetter> deadLetters() throws SQLException {
        List<DeadLetter> dead = new ArrayList<>();
        try (Connection connection = connect();
             PreparedStatement select = connection.prepareStatement(
                     "SELECT id, reason, content FROM mailroom_queue.dead_letter ORDER BY seq");
             ResultSet rows = select.executeQuery()) {
            while (rows.next()) {
                dead.add(new DeadLetter(rows.getString(1), rows.getString(2), rows.getBytes(3)));
            }
        }
        return dead;
    }

    @Override
    protected void enqueueInFormatVersion(QueuedMail mail, int version) throws SQLException {
        try (Connection connection = connect();
             PreparedStatement insert = connection.prepareStatement(
                     "INSERT INTO mailroom_queue.mail_queue (id, version, envelope, content) VALUES (?, ?, ?::jsonb, ?)")) {
            insert.setString(1, mail.id());
            insert.setInt(2, version);
            insert.setString(3, QueueFormat.envelopeJson(mail));
            insert.setBytes(4, mail.content());
            insert.executeUpdate();
        }
    }

    private int rowsWithId(String id) throws SQLException {
        try (Connection connection = connect();
             PreparedStatement count = connection.prepareStatement("SELECT count(*) FROM mailroom_queue.mail_queue WHERE id = ?")) {
            count.setString(1, id);
            try (ResultSet rows = count.executeQuery()) {
                rows.next();
                return rows.getInt(1);
            }
        }
    }

    private int rowsOnTheQueue() throws SQLException {
        try (Connection connection = connect();
             PreparedStatement count = connection.prepareStatement("SELECT count(*) FROM mailroom_queue.mail_queue");
             ResultSet rows = count.executeQuery()) {
            rows.next();
            return rows.getInt(1);
        }
    }

    @Test
    void enqueueIsOneCommittedRowAndIdempotentPerMessageId() throws Exception {
        QueuedMail sent = mail(newId());

        queue.enqueue(sent);
        queue.enqueue(sent);

        assertThat(rowsOnTheQueue()).isEqualTo(1);
        assertThat(registry.get("mailroom.queue.enqueued").tag("adapter", "postgres").counter().count()).isEqualTo(2);
    }

    /** Fifty senders enqueueing at once: every message is on the queue exactly once when its enqueue returns. */
    @Test
    void concurrentEnqueuesAreEachCommittedOnceWhenTheyReturn() throws Exception {
        int senders = 50;
        int each = 4;
        List<String> ids = new CopyOnWriteArrayList<>();
        runSenders(senders, () -> {
            for (int i = 0; i < each; i++) {
                String id = newId();
                queue.enqueue(mail(id));
                assertThat(rowsWithId(id)).as("committed when enqueue returned").isEqualTo(1);
                ids.add(id);
            }
        }, () -> { });
        assertThat(ids).hasSize(senders * each).doesNotHaveDuplicates();
        assertThat(rowsOnTheQueue()).isEqualTo(senders * each);
    }

    /**
     * Group commit: while the table is locked every sender's message waits; once it is free the writers insert what
     * has gathered in a few transactions, not one per message (so the count is decided by the design, not by timing).
     */
    @Test
    void messagesThatArriveWhileAWriteIsUnderWayShareOneTransaction() throws Exception {
        int senders = 50;
        long before = queue.transactions();
        List<String> ids = new CopyOnWriteArrayList<>();
        try (Connection lock = DriverManager.getConnection(testDatabase.jdbcUrl(), testDatabase.username(),
                testDatabase.password())) {
            lock.setAutoCommit(false);
            try (var statement = lock.createStatement()) {
                statement.execute("LOCK TABLE mailroom_queue.mail_queue IN SHARE MODE");
            }
            runSenders(senders, () -> {
                String id = newId();
                queue.enqueue(mail(id));
                assertThat(rowsWithId(id)).as("committed when enqueue returned").isEqualTo(1);
                ids.add(id);
            }, () -> {
                await().atMost(Duration.ofSeconds(3)).until(() -> queue.unanswered() == senders);
                assertThat(ids).as("nothing is committed while the table is locked").isEmpty();
                lock.rollback();
            });
        }
        assertThat(ids).hasSize(senders).doesNotHaveDuplicates();
        assertThat(rowsOnTheQueue()).isEqualTo(senders);
        // at most one blocked transaction per writer, then what gathered meanwhile, at most MAX_BATCH per transaction
        assertThat(queue.transactions() - before).as("transactions for %d messages", senders)
                .isLessThanOrEqualTo(2L * PostgresMailQueue.WRITERS);
    }

    /** A sender's work; it may throw, and its assertion errors fail the test. */
    private interface Sender {
        void send() throws Exception;
    }

    /** Runs {@code senders} threads released together, runs {@code meanwhile} on this thread, then waits for them. */
    private static void runSenders(int senders, Sender sender, Sender meanwhile) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(senders);
        try {
            List<java.util.concurrent.Future<?>> done = new ArrayList<>();
            for (int s = 0; s < senders; s++) {
                done.add(pool.submit(() -> {
                    start.await();
                    sender.send();
                    return null;
                }));
            }
            start.countDown();
            meanwhile.send();
            for (java.util.concurrent.Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void enqueueFailsWithinTheTimeoutWhenTheDatabaseIsUnreachable() throws Exception {
        Duration timeout = Duration.ofSeconds(2);
        @SuppressWarnings("resource") // closed below
        PostgresMailQueue unreachable = new PostgresMailQueue(
                database("jdbc:postgresql://127.0.0.1:" + freePort() + "/nowhere", timeout), timeout,
                new QueueMetrics(registry, "postgres"));

        long started = System.nanoTime();
        try {
            assertThatThrownBy(() -> unreachable.enqueue(mail(newId()))).isInstanceOf(QueueUnavailableException.class);
        } finally {
            unreachable.close();
        }

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(timeout.plusSeconds(1));
        assertThat(registry.get("mailroom.queue.enqueue.failed").tag("adapter", "postgres").counter().count()).isEqualTo(1);
    }

    @Test
    void aMessageHeldLongerThanTheVisibilityTimeoutIsNotHandedToAnotherConsumer() throws Exception {
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch letGo = new CountDownLatch(1);
        startConsumer(1, Duration.ofSeconds(5), (mail, attempt) -> {
            holding.countDown();
            try {
                letGo.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return Disposition.done();
        });
        queue.enqueue(mail(newId()));
        assertThat(holding.await(20, TimeUnit.SECONDS)).isTrue();
        List<String> other = new CopyOnWriteArrayList<>();
        startConsumer(1, Duration.ofSeconds(5), (mail, attempt) -> {
            other.add(mail.id());
            return Disposition.done();
        });

        // the first consumer keeps renewing its lease well past the visibility timeout
        await().during(VISIBILITY_TIMEOUT.multipliedBy(2)).atMost(VISIBILITY_TIMEOUT.multipliedBy(3))
                .until(other::isEmpty);
        letGo.countDown();

        await().atMost(Duration.ofSeconds(10)).until(() -> rowsOnTheQueue() == 0);
        assertThat(other).isEmpty();
    }

    @Test
    void aNewMessageWakesAnIdleConsumerWithoutWaitingForThePollInterval() throws Exception {
        Duration pollInterval = Duration.ofSeconds(30);
        MailQueueConsumer consumer = new PostgresMailQueueConsumer(database(testDatabase.jdbcUrl(), Duration.ofSeconds(5)),
                new MailQueueProperties.Consumer(true, 1, Duration.ofSeconds(5), ERROR_RETRY_DELAY),
                settings(testDatabase.jdbcUrl(), pollInterval), MAX_DELIVERIES, new QueueMetrics(registry, "postgres"));
        List<String> received = new CopyOnWriteArrayList<>();
        consumer.start((mail, attempt) -> {
            received.add(mail.id());
            return Disposition.done();
        });
        try {
            // the consumer found nothing and sits in its LISTEN wait; it needs a moment to get there
            await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(1)).until(received::isEmpty);
            QueuedMail sent = mail(newId());
            long started = System.nanoTime();

            queue.enqueue(sent);

            await().atMost(Duration.ofSeconds(5)).until(() -> received.contains(sent.id()));
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(pollInterval);
        } finally {
            // the poller may sit in its LISTEN wait for a whole poll interval: close() must not
            consumer.close();
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
