package io.mailroom.e2e;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import io.mailroom.launcher.Launcher;
import io.mailroom.launcher.Ports;
import io.mailroom.launcher.QueueSettings;
import io.mailroom.launcher.Suite;
import io.mailroom.launcher.SuiteSettings;
import io.mailroom.testsupport.TcpProxy;
import io.mailroom.testsupport.TestBroker;
import io.mailroom.testsupport.TestDatabase;
import io.mailroom.testsupport.TestPostgres;
import io.mailroom.testsupport.TestRabbit;

/**
 * Starts the whole suite from its real jars for one test class: mailbox-api on a fresh database,
 * the chosen queue behind a {@link TcpProxy} (so a test can make it unreachable), free ports.
 */
final class SuiteFixture implements AutoCloseable {

    enum QueueKind { POSTGRES, RABBITMQ }

    final Suite suite;
    final TcpProxy queueProxy;
    final String adminToken;

    private SuiteFixture(Suite suite, TcpProxy queueProxy, String adminToken) {
        this.suite = suite;
        this.queueProxy = queueProxy;
        this.adminToken = adminToken;
    }

    static SuiteFixture start(QueueKind kind, String name) throws IOException {
        return start(kind, name, Map.of());
    }

    /** As {@link #start(QueueKind, String)}, with more properties for every service. */
    static SuiteFixture start(QueueKind kind, String name, Map<String, String> extraProperties) throws IOException {
        Path home = Path.of(System.getProperty("mailroom.home", "..")).toAbsolutePath().normalize();
        Path data = home.resolve("e2e-tests/target/e2e").resolve(name);
        Files.createDirectories(data);

        TestDatabase mailboxDb = TestPostgres.newDatabase();
        TcpProxy proxy;
        QueueSettings queue;
        if (kind == QueueKind.POSTGRES) {
            TestDatabase queueDb = TestPostgres.newDatabase();
            URI server = URI.create(queueDb.jdbcUrl().substring("jdbc:".length()));
            proxy = new TcpProxy(server.getHost(), server.getPort());
            String proxied = "jdbc:postgresql://127.0.0.1:" + proxy.port() + server.getPath();
            queue = new QueueSettings.Postgres(proxied, queueDb.username(), queueDb.password());
        } else {
            TestBroker broker = TestRabbit.newBroker();
            proxy = new TcpProxy(broker.host(), broker.port());
            queue = new QueueSettings.RabbitMq("127.0.0.1", proxy.port(), broker.username(), broker.password(), broker.namePrefix());
        }
        String adminToken = token();
        SuiteSettings settings = new SuiteSettings(home, data, Ports.free(),
                mailboxDb.jdbcUrl(), mailboxDb.username(), mailboxDb.password(), queue,
                adminToken, token(),
                List.of("-Xms32m", "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
                withDefaults(extraProperties));
        return new SuiteFixture(Suite.start(settings), proxy, adminToken);
    }

    private static Map<String, String> withDefaults(Map<String, String> extraProperties) {
        Map<String, String> properties = new java.util.HashMap<>(Map.of(
                "mailroom.pop3.allow-plaintext-auth", "true",
                "mailroom.imap.allow-plaintext-auth", "true",
                // A claim whose answer is lost when the queue's database goes away leaves the row
                // leased until the lease expires; keep that short enough for a test to wait out.
                "mailroom.queue.postgres.visibility-timeout", "15s"));
        properties.putAll(extraProperties);
        return properties;
    }

    private static String token() {
        return Launcher.randomToken();
    }

    RestApi rest() {
        return new RestApi(suite.ports().mailboxApiHttp(), adminToken);
    }

    Ports ports() {
        return suite.ports();
    }

    @Override
    public void close() throws IOException {
        suite.close();
        queueProxy.close();
    }
}
