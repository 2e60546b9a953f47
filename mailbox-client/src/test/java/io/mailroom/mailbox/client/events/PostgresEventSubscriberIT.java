package io.mailroom.mailbox.client.events;

import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;

import org.junit.jupiter.api.BeforeAll;

import io.mailroom.testsupport.TestDatabase;
import io.mailroom.testsupport.TestPostgres;

/** {@link PostgresEventSubscriber} against a real PostgreSQL: NOTIFY in, events out. */
class PostgresEventSubscriberIT extends SubscriberContract {

    private static TestDatabase database;

    @BeforeAll
    static void database() {
        database = TestPostgres.newDatabase();
    }

    @Override
    protected MailboxEventSubscriber subscriber() {
        return new PostgresEventSubscriber(new MailboxEventsProperties.Postgres(database.jdbcUrl(), database.username(),
                database.password()), Duration.ofMillis(500), store);
    }

    @Override
    protected void publish(MailboxChangeEvent event) throws Exception {
        try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), database.username(), database.password());
             PreparedStatement notify = connection.prepareStatement("SELECT pg_notify(?, ?)")) {
            notify.setString(1, EventFormat.channel(event.accountId()));
            notify.setString(2, EventFormat.write(event));
            notify.execute();
        }
    }

    @Override
    protected void breakConnection(MailboxEventSubscriber subscriber) throws Exception {
        try (Connection connection = DriverManager.getConnection(database.jdbcUrl(), database.username(), database.password());
             Statement statement = connection.createStatement()) {
            statement.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    + "WHERE application_name = 'mailroom-events' AND datname = current_database()");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> !subscriber.connected());
    }
}
