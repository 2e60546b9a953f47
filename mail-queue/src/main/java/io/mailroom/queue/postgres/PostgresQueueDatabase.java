package io.mailroom.queue.postgres;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;

import io.micrometer.core.instrument.MeterRegistry;
import io.mailroom.queue.MailQueueProperties;

/**
 * The PostgreSQL queue's own connection pool and schema. It is deliberately not a {@link DataSource}
 * bean: an application's {@code spring.datasource} (or the lack of one) stays untouched.
 */
public final class PostgresQueueDatabase implements AutoCloseable {

    /** Everything the queue owns lives here, including its Flyway history. */
    static final String SCHEMA = "mailroom_queue";

    /** The channel consumers LISTEN on; the insert trigger NOTIFYs it. */
    static final String CHANNEL = "mailroom_queue";

    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final MailQueueProperties.Postgres settings;
    private final HikariDataSource dataSource;

    /**
     * @param connectTimeout bounds how long taking a connection may take, so that enqueue fails within the
     *                       publish timeout when the database is down
     */
    public PostgresQueueDatabase(MailQueueProperties.Postgres settings, Duration connectTimeout, MeterRegistry registry) {
        if (settings.url() == null || settings.url().isBlank()) {
            throw new IllegalArgumentException("mailroom.queue.postgres.url is required when mailroom.queue.type is postgres");
        }
        this.settings = settings;
        HikariConfig config = new HikariConfig();
        int instance = INSTANCES.incrementAndGet();
        // pool names tag the pool's meters: a second pool in one process (tests) must not collide
        config.setPoolName(instance == 1 ? "mailroom-queue" : "mailroom-queue-" + instance);
        config.setJdbcUrl(settings.url());
        config.setUsername(settings.username());
        config.setPassword(settings.password() == null ? "" : settings.password());
        config.setMaximumPoolSize(settings.maxPoolSize());
        config.setMinimumIdle(Math.min(2, settings.maxPoolSize()));
        config.setConnectionTimeout(Math.max(250, connectTimeout.toMillis()));
        // start even while the database is away: enqueue then fails with QueueUnavailableException
        config.setInitializationFailTimeout(-1);
        config.addDataSourceProperty("connectTimeout", Long.toString(seconds(connectTimeout)));
        // a half-open connection must not hang a consumer forever
        config.addDataSourceProperty("socketTimeout", "60");
        config.addDataSourceProperty("tcpKeepAlive", "true");
        config.addDataSourceProperty("ApplicationName", "mailroom-queue");
        if (registry != null) {
            config.setMetricRegistry(registry);
        }
        this.dataSource = new HikariDataSource(config);
    }

    /** Creates or upgrades the queue's tables (its own Flyway instance, history table and location). */
    public PostgresQueueDatabase migrate() {
        Flyway.configure()
                .dataSource(dataSource)
                .schemas(SCHEMA)
                .createSchemas(true)
                .table("flyway_queue_history")
                .locations("classpath:db/queue")
                .load()
                .migrate();
        return this;
    }

    DataSource dataSource() {
        return dataSource;
    }

    /** A connection outside the pool, held by one consumer for LISTEN. */
    Connection openListenConnection() throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", settings.username());
        properties.setProperty("password", settings.password() == null ? "" : settings.password());
        properties.setProperty("connectTimeout", "10");
        properties.setProperty("tcpKeepAlive", "true");
        properties.setProperty("ApplicationName", "mailroom-queue-listener");
        return DriverManager.getConnection(settings.url(), properties);
    }

    static long seconds(Duration duration) {
        return Math.max(1, (duration.toMillis() + 999) / 1000);
    }

    @Override
    public void close() {
        dataSource.close();
    }
}
