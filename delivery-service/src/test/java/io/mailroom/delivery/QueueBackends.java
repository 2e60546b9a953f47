package io.mailroom.delivery;

import org.springframework.test.context.DynamicPropertyRegistry;

import io.mailroom.testsupport.TestBroker;
import io.mailroom.testsupport.TestDatabase;

/** Points a test's delivery-service at a real queue of either kind: its own database, or its own broker prefix. */
final class QueueBackends {

    private QueueBackends() {
    }

    static void postgres(DynamicPropertyRegistry registry, TestDatabase database) {
        registry.add("mailroom.queue.type", () -> "postgres");
        registry.add("mailroom.queue.postgres.url", database::jdbcUrl);
        registry.add("mailroom.queue.postgres.username", database::username);
        registry.add("mailroom.queue.postgres.password", database::password);
        registry.add("mailroom.queue.postgres.poll-interval", () -> "200ms");
    }

    static void rabbit(DynamicPropertyRegistry registry, TestBroker broker) {
        registry.add("mailroom.queue.type", () -> "rabbitmq");
        registry.add("mailroom.queue.rabbitmq.host", broker::host);
        registry.add("mailroom.queue.rabbitmq.port", broker::port);
        registry.add("mailroom.queue.rabbitmq.username", broker::username);
        registry.add("mailroom.queue.rabbitmq.password", broker::password);
        registry.add("mailroom.queue.rabbitmq.name-prefix", broker::namePrefix);
    }
}
