package io.mailroom.testsupport;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;

/**
 * Hands each test a real RabbitMQ broker and a name prefix of its own, found in this order:
 * the broker the environment names ({@code MAILROOM_TEST_RABBIT_HOST}, {@code _PORT}, {@code _USER},
 * {@code _PASSWORD}; default 127.0.0.1:5672 as guest/guest), then a Testcontainers RabbitMQ when a
 * Docker engine answers. Without either the test fails in CI and is skipped elsewhere, saying why.
 */
public final class TestRabbit {

    private static final Logger LOG = LoggerFactory.getLogger(TestRabbit.class);

    private static TestBroker server;

    private TestRabbit() {
    }

    /** The broker, with a fresh prefix for queue and exchange names. */
    public static TestBroker newBroker() {
        TestBroker s = server();
        return new TestBroker(s.host(), s.port(), s.username(), s.password(), Infrastructure.uniqueName("mrt."), s.source());
    }

    private static synchronized TestBroker server() {
        if (server == null) {
            server = locate();
            LOG.info("Tests use RabbitMQ from {} at {}:{}", server.source(), server.host(), server.port());
        }
        return server;
    }

    private static TestBroker locate() {
        String host = Infrastructure.env("MAILROOM_TEST_RABBIT_HOST", "127.0.0.1");
        int port = Integer.parseInt(Infrastructure.env("MAILROOM_TEST_RABBIT_PORT", "5672"));
        if (Infrastructure.reachable(host, port)) {
            return new TestBroker(host, port, Infrastructure.env("MAILROOM_TEST_RABBIT_USER", "guest"),
                    Infrastructure.env("MAILROOM_TEST_RABBIT_PASSWORD", "guest"), "", "environment");
        }
        if (Infrastructure.dockerAvailable()) {
            GenericContainer<?> container = new GenericContainer<>("rabbitmq:3.13-alpine")
                    .withExposedPorts(5672)
                    .waitingFor(Wait.forLogMessage(".*Server startup complete.*", 1));
            container.start();
            return new TestBroker(container.getHost(), container.getMappedPort(5672), "guest", "guest", "", "testcontainers");
        }
        throw Infrastructure.missing("RabbitMQ");
    }
}
