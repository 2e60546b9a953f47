package io.mailroom.testsupport;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

/**
 * Hands each test a fresh database of its own on a real PostgreSQL server, found in this order:
 * <ol>
 *   <li>the server the environment names ({@code MAILROOM_TEST_PG_HOST}, {@code _PORT}, {@code _USER},
 *       {@code _PASSWORD}; default 127.0.0.1:5432 as user postgres), when it answers;</li>
 *   <li>a Testcontainers PostgreSQL, when a Docker engine answers;</li>
 *   <li>an embedded PostgreSQL (zonky), as the last resort.</li>
 * </ol>
 */
public final class TestPostgres {

    private static final Logger LOG = LoggerFactory.getLogger(TestPostgres.class);

    private record Server(String host, int port, String user, String password, String source) {
        String url(String database) {
            return "jdbc:postgresql://" + host + ":" + port + "/" + database;
        }
    }

    private static Server server;

    private TestPostgres() {
    }

    /** A new, empty database that no other test uses. */
    public static TestDatabase newDatabase() {
        Server s = server();
        String name = Infrastructure.uniqueName("mr_test_");
        try (Connection connection = DriverManager.getConnection(s.url("postgres"), s.user(), s.password());
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create test database " + name + " on " + s, e);
        }
        return new TestDatabase(s.url(name), s.user(), s.password(), s.source());
    }

    private static synchronized Server server() {
        if (server == null) {
            server = locate();
            LOG.info("Tests use PostgreSQL from {} at {}:{}", server.source(), server.host(), server.port());
        }
        return server;
    }

    private static Server locate() {
        String host = Infrastructure.env("MAILROOM_TEST_PG_HOST", "127.0.0.1");
        int port = Integer.parseInt(Infrastructure.env("MAILROOM_TEST_PG_PORT", "5432"));
        if (Infrastructure.reachable(host, port)) {
            return new Server(host, port, Infrastructure.env("MAILROOM_TEST_PG_USER", "postgres"),
                    Infrastructure.env("MAILROOM_TEST_PG_PASSWORD", ""), "environment");
        }
        if (Infrastructure.dockerAvailable()) {
            GenericContainer<?> container = new GenericContainer<>("postgres:16-alpine")
                    .withEnv("POSTGRES_PASSWORD", "postgres")
                    .withExposedPorts(5432)
                    .waitingFor(Wait.forLogMessage(".*database system is ready to accept connections.*", 2));
            container.start();
            return new Server(container.getHost(), container.getMappedPort(5432), "postgres", "postgres", "testcontainers");
        }
        try {
            EmbeddedPostgres embedded = EmbeddedPostgres.builder().start();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    embedded.close();
                } catch (Exception ignored) {
                    // the JVM is going away
                }
            }));
            return new Server("127.0.0.1", embedded.getPort(), "postgres", "", "embedded");
        } catch (Exception e) {
            throw Infrastructure.missing("PostgreSQL (environment, Docker and embedded all failed: " + e + ")");
        }
    }
}
