package io.mailroom.launcher;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which queue adapter the suite uses, and where it is. Passwords go to the services in the environment
 * ({@link #environment()}), never on their command lines ({@link #properties()}).
 */
public sealed interface QueueSettings {

    /** Spring properties that smtp-ingress and delivery-service need for this queue (no secrets). */
    Map<String, String> properties();

    /** Environment variables that smtp-ingress and delivery-service need for this queue: the secrets. */
    Map<String, String> environment();

    /** The PostgreSQL queue: a table in the given database (the single-machine default). */
    record Postgres(String jdbcUrl, String username, String password) implements QueueSettings {
        @Override
        public Map<String, String> properties() {
            Map<String, String> p = new LinkedHashMap<>();
            p.put("mailroom.queue.type", "postgres");
            p.put("mailroom.queue.postgres.url", jdbcUrl);
            p.put("mailroom.queue.postgres.username", username);
            return p;
        }

        @Override
        public Map<String, String> environment() {
            return Map.of("MAILROOM_QUEUE_POSTGRES_PASSWORD", password);
        }
    }

    /**
     * RabbitMQ, with every queue and exchange name under {@code namePrefix}.
     *
     * @param ephemeral the names belong to this run alone ({@link #uniquePrefix()}): the launcher deletes the queues
     *                  when it stops, with whatever they still hold
     */
    record RabbitMq(String host, int port, String username, String password, String namePrefix, boolean ephemeral)
            implements QueueSettings {

        /**
         * The retry tiers the services declare by default ({@code mailroom.queue.rabbitmq.retry-delays} in
         * mail-queue's {@code MailQueueProperties}), as queue name suffixes; the launcher does not change them.
         */
        static final List<String> DEFAULT_RETRY_TIERS = List.of("1s", "5s", "30s", "1m", "5m", "15m", "30m", "1h", "2h", "4h");

        /** Names of the caller's choosing, which the launcher leaves alone. */
        public RabbitMq(String host, int port, String username, String password, String namePrefix) {
            this(host, port, username, password, namePrefix, false);
        }

        /** A prefix no other run uses: {@code mailroom-<12 hex digits>.} */
        public static String uniquePrefix() {
            byte[] bytes = new byte[6];
            new SecureRandom().nextBytes(bytes);
            return "mailroom-" + HexFormat.of().formatHex(bytes) + ".";
        }

        @Override
        public Map<String, String> properties() {
            Map<String, String> p = new LinkedHashMap<>();
            p.put("mailroom.queue.type", "rabbitmq");
            p.put("mailroom.queue.rabbitmq.host", host);
            p.put("mailroom.queue.rabbitmq.port", Integer.toString(port));
            p.put("mailroom.queue.rabbitmq.username", username);
            p.put("mailroom.queue.rabbitmq.name-prefix", namePrefix);
            return p;
        }

        @Override
        public Map<String, String> environment() {
            return Map.of("MAILROOM_QUEUE_RABBITMQ_PASSWORD", password);
        }

        /** The queues the services declare under this prefix (see mail-queue's {@code RabbitQueueTopology}). */
        public List<String> queueNames() {
            List<String> names = new java.util.ArrayList<>();
            names.add(namePrefix + "inbound");
            names.add(namePrefix + "dead");
            DEFAULT_RETRY_TIERS.forEach(tier -> names.add(namePrefix + "retry." + tier));
            return names;
        }

        /** The exchange the services declare under this prefix. */
        public String exchangeName() {
            return namePrefix + "mail";
        }
    }
}
