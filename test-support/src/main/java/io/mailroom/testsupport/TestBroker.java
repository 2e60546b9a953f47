package io.mailroom.testsupport;

/**
 * A RabbitMQ broker for one test, with a name prefix that no other test run uses, so that
 * queues and exchanges declared under it never collide with another run's.
 */
public record TestBroker(String host, int port, String username, String password, String namePrefix, String source) {

    /** Spring Boot properties that point a service's AMQP connection at this broker. */
    public java.util.Map<String, String> springProperties() {
        return java.util.Map.of(
                "spring.rabbitmq.host", host,
                "spring.rabbitmq.port", Integer.toString(port),
                "spring.rabbitmq.username", username,
                "spring.rabbitmq.password", password);
    }
}
