package io.mailroom.queue.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mailroom.queue.MailQueue;
import io.mailroom.queue.QueueUnavailableException;
import io.mailroom.queue.QueuedMail;
import io.mailroom.queue.support.QueueFormat;
import io.mailroom.queue.support.QueueMetrics;

/** Enqueues with one committed INSERT: once it returns, the message survives any crash. */
public final class PostgresMailQueue implements MailQueue {

    private static final Logger LOG = LoggerFactory.getLogger(PostgresMailQueue.class);

    // ON CONFLICT makes enqueue idempotent: smtp-ingress may try again after a timeout whose INSERT had
    // in fact committed, and the message must then not be queued twice
    private static final String INSERT = """
            INSERT INTO mailroom_queue.mail_queue (id, version, envelope, content, state)
            VALUES (?, ?, ?::jsonb, ?, ?::jsonb)
            ON CONFLICT (id) DO NOTHING""";

    private final PostgresQueueDatabase database;
    private final Duration publishTimeout;
    private final QueueMetrics metrics;

    public PostgresMailQueue(PostgresQueueDatabase database, Duration publishTimeout, QueueMetrics metrics) {
        this.database = database;
        this.publishTimeout = publishTimeout;
        this.metrics = metrics;
    }

    @Override
    public void enqueue(QueuedMail mail) throws QueueUnavailableException {
        long started = System.nanoTime();
        try (Connection connection = database.dataSource().getConnection();
             PreparedStatement insert = connection.prepareStatement(INSERT)) {
            insert.setQueryTimeout((int) PostgresQueueDatabase.seconds(publishTimeout));
            insert.setString(1, mail.id());
            insert.setInt(2, QueuedMail.FORMAT_VERSION);
            insert.setString(3, QueueFormat.envelopeJson(mail));
            // setBytes hands the array to the driver as it is (a binary parameter, no copy, no hex text), so
            // streaming it (setBinaryStream) would save nothing: the message is in memory as a QueuedMail anyway
            insert.setBytes(4, mail.content());
            insert.setString(5, QueueFormat.stateJson(mail.state()));
            if (insert.executeUpdate() == 0) {
                LOG.info("Queued message {} was already on the queue; not queued twice", mail.id());
            }
            if (!connection.getAutoCommit()) {
                connection.commit();
            }
        } catch (SQLException e) {
            metrics.enqueueFailed(Duration.ofNanos(System.nanoTime() - started));
            throw new QueueUnavailableException("the PostgreSQL queue did not accept message " + mail.id() + ": "
                    + e.getMessage(), e);
        }
        metrics.enqueued(Duration.ofNanos(System.nanoTime() - started));
    }
}
