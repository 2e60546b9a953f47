package io.mailroom.launcher;

import java.util.LinkedHashMap;
import java.util.Map;

/** Which queue adapter the suite uses, and where it is. */
public sealed interface QueueSettings {

    /** Spring properties that smtp-ingress and delivery-service need for this queue. */
    Map<String, String> properties();

    /** The PostgreSQL queue: a table in the given database (the single-machine default). */
    record Postgres(String jdbcUrl, String username, String password) implements QueueSettings {
        @Override
        public Map<String, String> properties() {
            Map<String, String> p = new LinkedHashMap<>();
            p.put("mailroom.queue.type", "postgres");
            p.put("mailroom.queue.postgres.url", jdbcUrl);
            p.put("mailroom.queue.postgres.username", username);
            p.put("mailroom.queue.postgres.password", password);
            return p;
        }
    }

    /** RabbitMQ, with every queue and exchange name under {@code namePrefix}. */
    record RabbitMq(String host, int port, String username, String password, String namePrefix) implements QueueSettings {
        @Override
        public Map<String, String> properties() {
            Map<String, String> p = new LinkedHashMap<>();
            p.put("mailroom.queue.type", "rabbitmq");
            p.put("mailroom.queue.rabbitmq.host", host);
            p.put("mailroom.queue.rabbitmq.port", Integer.toString(port));
            p.put("mailroom.queue.rabbitmq.username", username);
            p.put("mailroom.queue.rabbitmq.password", password);
            p.put("mailroom.queue.rabbitmq.name-prefix", namePrefix);
            return p;
        }
    }
}
