package io.mailroom.queue.postgres;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import io.mailroom.queue.DeliveryState;
import io.mailroom.queue.MailQueueAdmin;
import io.mailroom.queue.QueueUnavailableException;
import io.mailroom.queue.QueuedMail;
import io.mailroom.queue.support.QueueFormat;

/**
 * The PostgreSQL queue as an operator sees it: plain queries on its two tables. A row is deferred once a retry
 * was recorded for it ({@code last_error} set), in progress while a consumer's lease on it runs.
 */
public final class PostgresMailQueueAdmin implements MailQueueAdmin {

    private static final String STATS = """
            SELECT count(*) FILTER (WHERE available_at <= now() AND (locked_until IS NULL OR locked_until <= now())),
                   count(*) FILTER (WHERE available_at > now() AND (locked_until IS NULL OR locked_until <= now())),
                   count(*) FILTER (WHERE locked_until > now()),
                   min(enqueued_at), now(),
                   (SELECT count(*) FROM mailroom_queue.dead_letter)
              FROM mailroom_queue.mail_queue""";

    private static final String QUEUED_COLUMNS = """
            id, version, envelope::text, attempts, last_error, available_at, state::text,
            coalesce(locked_until > now(), false), available_at > now()""";

    private static final String DEFERRED = "SELECT " + QUEUED_COLUMNS + """
             FROM mailroom_queue.mail_queue WHERE last_error IS NOT NULL ORDER BY available_at LIMIT ?""";

    private static final String FIND_QUEUED = "SELECT " + QUEUED_COLUMNS + " FROM mailroom_queue.mail_queue WHERE id = ?";

    private static final String DEAD_COLUMNS = "id, version, envelope::text, attempts, last_error, reason, dead_at, state::text";

    private static final String DEAD_LETTERS = "SELECT " + DEAD_COLUMNS
            + " FROM mailroom_queue.dead_letter ORDER BY seq DESC LIMIT ?";

    private static final String FIND_DEAD = "SELECT " + DEAD_COLUMNS
            + " FROM mailroom_queue.dead_letter WHERE id = ? ORDER BY seq DESC LIMIT 1";

    private static final String MAKE_DUE = """
            UPDATE mailroom_queue.mail_queue SET available_at = now()
             WHERE id = ? AND (locked_until IS NULL OR locked_until <= now())""";

    private static final String DELETE_QUEUED = """
            DELETE FROM mailroom_queue.mail_queue WHERE id = ? AND (locked_until IS NULL OR locked_until <= now())""";

    private static final String HELD = "SELECT 1 FROM mailroom_queue.mail_queue WHERE id = ? AND locked_until > now()";

    private static final String DELETE_DEAD = "DELETE FROM mailroom_queue.dead_letter WHERE id = ?";

    private static final String TAKE_DEAD = """
            SELECT version, envelope::text, content, enqueued_at, state::text, last_error
              FROM mailroom_queue.dead_letter WHERE id = ? ORDER BY seq DESC LIMIT 1 FOR UPDATE""";

    // a replay starts a new delivery period: attempts from 0, the retry period from now (state.since)
    private static final String REPLAY = """
            INSERT INTO mailroom_queue.mail_queue (id, version, envelope, content, enqueued_at, state, last_error)
            VALUES (?, ?, ?::jsonb, ?, ?, ?::jsonb, ?)
            ON CONFLICT (id) DO NOTHING""";

    private final PostgresQueueDatabase database;
    private final Clock clock;

    public PostgresMailQueueAdmin(PostgresQueueDatabase database) {
        this(database, Clock.systemUTC());
    }

    PostgresMailQueueAdmin(PostgresQueueDatabase database, Clock clock) {
        this.database = database;
        this.clock = clock;
    }

    @Override
    public QueueStats stats() throws QueueUnavailableException {
        try (Connection connection = database.dataSource().getConnection();
             PreparedStatement statement = connection.prepareStatement(STATS);
             ResultSet row = statement.executeQuery()) {
            row.next();
            Timestamp oldest = row.getTimestamp(4);
            Optional<Duration> age = oldest == null ? Optional.of(Duration.ZERO)
                    : Optional.of(Duration.between(oldest.toInstant(), row.getTimestamp(5).toInstant()));
            return new QueueStats(row.getLong(1), row.getLong(2), row.getLong(3), row.getLong(6), age);
        } catch (SQLException e) {
            throw unavailable("read the queue's counts", e);
        }
    }

    @Override
    public List<QueuedMessage> deferred(int limit) throws QueueUnavailableException {
        return query(DEFERRED, limit, true);
    }

    @Override
    public List<QueuedMessage> deadLetters(int limit) throws QueueUnavailableException {
        return query(DEAD_LETTERS, limit, false);
    }

    private List<QueuedMessage> query(String sql, Object parameter, boolean queued) throws QueueUnavailableException {
        try (Connection connection = database.dataSource().getConnection();
             PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setObject(1, parameter);
            List<QueuedMessage> messages = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    messages.add(queued ? queued(rows) : dead(rows));
                }
            }
            return messages;
        } catch (SQLException e) {
            throw unavailable("read the queue", e);
        }
    }

    @Override
    public Optional<QueuedMessage> find(String id) throws QueueUnavailableException {
        List<QueuedMessage> queued = query(FIND_QUEUED, id, true);
        if (!queued.isEmpty()) {
            return Optional.of(queued.getFirst());
        }
        return query(FIND_DEAD, id, false).stream().findFirst();
    }

    @Override
    public Result retryNow(String id) throws QueueUnavailableException {
        try (Connection connection = database.dataSource().getConnection()) {
            if (update(connection, MAKE_DUE, id) > 0) {
                return Result.DONE;
            }
            if (held(connection, id)) {
                return Result.IN_PROGRESS;
            }
            return replayDeadLetter(connection, id);
        } catch (SQLException e) {
            throw unavailable("retry message " + id, e);
        }
    }

    private Result replayDeadLetter(Connection connection, String id) throws SQLException {
        boolean autoCommit = connection.getAutoCommit();
        connection.setAutoCommit(false);
        try {
            try (PreparedStatement take = connection.prepareStatement(TAKE_DEAD)) {
                take.setString(1, id);
                try (ResultSet row = take.executeQuery()) {
                    if (!row.next()) {
                        connection.rollback();
                        return Result.NOT_FOUND;
                    }
                    DeliveryState state = QueueFormat.readState(row.getString(5)).withSince(clock.instant());
                    try (PreparedStatement insert = connection.prepareStatement(REPLAY)) {
                        insert.setString(1, id);
                        insert.setInt(2, row.getInt(1));
                        insert.setString(3, row.getString(2));
                        insert.setBytes(4, row.getBytes(3));
                        insert.setTimestamp(5, row.getTimestamp(4));
                        insert.setString(6, QueueFormat.stateJson(state));
                        insert.setString(7, row.getString(6));
                        insert.executeUpdate();
                    }
                }
            }
            update(connection, DELETE_DEAD, id);
            connection.commit();
            return Result.DONE;
        } catch (SQLException | RuntimeException e) {
            connection.rollback();
            throw e;
        } finally {
            connection.setAutoCommit(autoCommit);
        }
    }

    @Override
    public Result delete(String id) throws QueueUnavailableException {
        try (Connection connection = database.dataSource().getConnection()) {
            if (update(connection, DELETE_QUEUED, id) > 0) {
                return Result.DONE;
            }
            if (held(connection, id)) {
                return Result.IN_PROGRESS;
            }
            return update(connection, DELETE_DEAD, id) > 0 ? Result.DONE : Result.NOT_FOUND;
        } catch (SQLException e) {
            throw unavailable("delete message " + id, e);
        }
    }

    private static int update(Connection connection, String sql, String id) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            statement.setString(1, id);
            return statement.executeUpdate();
        }
    }

    private static boolean held(Connection connection, String id) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(HELD)) {
            statement.setString(1, id);
            try (ResultSet row = statement.executeQuery()) {
                return row.next();
            }
        }
    }

    private static QueuedMessage queued(ResultSet row) throws SQLException {
        Location location = row.getBoolean(8) ? Location.IN_PROGRESS
                : row.getString(5) != null || row.getBoolean(9) ? Location.DEFERRED : Location.QUEUED;
        Envelope envelope = Envelope.read(row.getInt(2), row.getString(3));
        return new QueuedMessage(row.getString(1), location, envelope.traceId(), envelope.from(), envelope.recipients(),
                envelope.receivedAt(), row.getInt(4), row.getString(5),
                location == Location.DEFERRED ? row.getTimestamp(6).toInstant() : null, null, null,
                QueueFormat.readState(row.getString(7)));
    }

    private static QueuedMessage dead(ResultSet row) throws SQLException {
        Envelope envelope = Envelope.read(row.getInt(2), row.getString(3));
        return new QueuedMessage(row.getString(1), Location.DEAD, envelope.traceId(), envelope.from(),
                envelope.recipients(), envelope.receivedAt(), row.getInt(4), row.getString(5), null, row.getString(6),
                row.getTimestamp(7).toInstant(), QueueFormat.readState(row.getString(8)));
    }

    private static QueueUnavailableException unavailable(String what, SQLException e) {
        return new QueueUnavailableException("could not " + what + " in the PostgreSQL queue: " + e.getMessage(), e);
    }

    /** The envelope's facts, or nothing but nulls when it cannot be read (a dead letter of an unknown version). */
    record Envelope(String traceId, String from, List<String> recipients, Instant receivedAt) {

        static Envelope read(int version, String json) {
            try {
                QueuedMail mail = QueueFormat.read(version, json, new byte[0]);
                return new Envelope(mail.traceId(), mail.envelopeFrom(), mail.recipients(), mail.receivedAt());
            } catch (QueueFormat.UnreadableMessageException e) {
                return new Envelope(null, null, List.of(), null);
            }
        }
    }
}
