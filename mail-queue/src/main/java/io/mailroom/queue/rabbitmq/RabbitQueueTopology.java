package io.mailroom.queue.rabbitmq;

import java.io.IOException;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;

/**
 * The exchange and queues of the RabbitMQ queue, all named under one prefix (default {@code mailroom.}):
 * <pre>
 *   {prefix}mail            direct exchange, durable
 *     "inbound"     → {prefix}inbound      quorum queue: what consumers read; x-delivery-limit, dead-letters to "dead"
 *     "retry.{tier}" → {prefix}retry.{tier} quorum queue, x-message-ttl = tier, dead-letters back to "inbound"
 *     "dead"        → {prefix}dead         quorum queue: the dead-letter queue
 * </pre>
 * A retry waits in a queue whose TTL is its delay tier, then the broker dead-letters it back to the
 * exchange with routing key {@code inbound}. One TTL per queue means the message at the head is always
 * the first to expire, so a long delay never holds back a short one (per-message TTLs in one queue would).
 * The tier queues use at-least-once dead-lettering (RabbitMQ ≥ 3.10, needs {@code x-overflow:
 * reject-publish}), so a message is not lost between the tier and the inbound queue if a broker fails.
 *
 * <p>The inbound queue's {@code x-delivery-limit} is the broker's guard against poison messages: a message
 * returned to the queue more often than that (its consumer crashed, was killed, lost its connection) is
 * dead-lettered to {@code dead} with the reason {@code delivery_limit} in its {@code x-death} header. The
 * consumer dead-letters such a message itself one delivery earlier, with a reason of its own; the broker's limit
 * catches what the consumer could not move.
 */
public final class RabbitQueueTopology {

    private static final Logger LOG = LoggerFactory.getLogger(RabbitQueueTopology.class);

    static final String INBOUND = "inbound";
    static final String DEAD = "dead";

    private final String prefix;
    private final List<Duration> tiers;
    private final int deliveryLimit;

    /** @param deliveryLimit the inbound queue's {@code x-delivery-limit} ({@code mailroom.queue.max-deliveries}) */
    public RabbitQueueTopology(String prefix, List<Duration> retryDelays, int deliveryLimit) {
        if (retryDelays.isEmpty()) {
            throw new IllegalArgumentException("at least one retry delay tier is needed");
        }
        if (deliveryLimit < 1) {
            throw new IllegalArgumentException("the delivery limit must be at least 1");
        }
        this.prefix = prefix;
        this.tiers = retryDelays.stream().distinct().sorted(Comparator.naturalOrder()).toList();
        this.deliveryLimit = deliveryLimit;
    }

    public int deliveryLimit() {
        return deliveryLimit;
    }

    public String exchange() {
        return prefix + "mail";
    }

    public String inboundQueue() {
        return prefix + INBOUND;
    }

    public String deadLetterQueue() {
        return prefix + DEAD;
    }

    /** The tiers, shortest first. */
    public List<Duration> retryTiers() {
        return tiers;
    }

    public String retryQueue(Duration tier) {
        return prefix + retryRoutingKey(tier);
    }

    /** The smallest tier at least as long as {@code delay}; the longest tier when none is. */
    Duration tierFor(Duration delay) {
        for (Duration tier : tiers) {
            if (tier.compareTo(delay) >= 0) {
                return tier;
            }
        }
        return tiers.getLast();
    }

    static String retryRoutingKey(Duration tier) {
        long millis = tier.toMillis();
        String name;
        if (millis % 3_600_000 == 0) {
            name = millis / 3_600_000 + "h";
        } else if (millis % 60_000 == 0) {
            name = millis / 60_000 + "m";
        } else if (millis % 1_000 == 0) {
            name = millis / 1_000 + "s";
        } else {
            name = millis + "ms";
        }
        return "retry." + name;
    }

    /** What the inbound queue is declared with. */
    Map<String, Object> inboundArguments() {
        return Map.of(
                "x-queue-type", "quorum",
                "x-delivery-limit", deliveryLimit,
                "x-dead-letter-exchange", exchange(),
                "x-dead-letter-routing-key", DEAD,
                // the broker keeps a poison message until the dead-letter queue confirmed it (needs reject-publish)
                "x-dead-letter-strategy", "at-least-once",
                "x-overflow", "reject-publish");
    }

    Map<String, Object> retryArguments(Duration tier) {
        return Map.of(
                "x-queue-type", "quorum",
                "x-message-ttl", tier.toMillis(),
                "x-dead-letter-exchange", exchange(),
                "x-dead-letter-routing-key", INBOUND,
                "x-dead-letter-strategy", "at-least-once",
                "x-overflow", "reject-publish");
    }

    /** Declares everything on one channel; idempotent. Fails on the first queue the broker has with other arguments. */
    void declare(Channel channel) throws IOException {
        channel.exchangeDeclare(exchange(), BuiltinExchangeType.DIRECT, true);
        channel.queueDeclare(inboundQueue(), true, false, false, inboundArguments());
        channel.queueBind(inboundQueue(), exchange(), INBOUND);
        channel.queueDeclare(deadLetterQueue(), true, false, false, Map.of("x-queue-type", "quorum"));
        channel.queueBind(deadLetterQueue(), exchange(), DEAD);
        for (Duration tier : tiers) {
            channel.queueDeclare(retryQueue(tier), true, false, false, retryArguments(tier));
            channel.queueBind(retryQueue(tier), exchange(), retryRoutingKey(tier));
        }
    }

    /**
     * Declares everything, each queue on a channel of its own, and run on every new connection so that a restarted
     * broker gets it back. A queue the broker already has with other arguments (declared by an older release, or
     * with other settings) closes its channel with {@code PRECONDITION_FAILED}: that queue is left as it is and
     * used anyway, with a warning that says what differs, instead of leaving the rest undeclared.
     */
    void declare(Connection connection) throws IOException {
        declareOne(connection, "exchange " + exchange(),
                channel -> channel.exchangeDeclare(exchange(), BuiltinExchangeType.DIRECT, true));
        declareQueue(connection, inboundQueue(), INBOUND, inboundArguments());
        declareQueue(connection, deadLetterQueue(), DEAD, Map.of("x-queue-type", "quorum"));
        for (Duration tier : tiers) {
            declareQueue(connection, retryQueue(tier), retryRoutingKey(tier), retryArguments(tier));
        }
    }

    private void declareQueue(Connection connection, String queue, String routingKey, Map<String, Object> arguments)
            throws IOException {
        boolean declared = declareOne(connection, "queue " + queue,
                channel -> channel.queueDeclare(queue, true, false, false, arguments));
        if (!declared) {
            LOG.warn("RabbitMQ has the queue {} with other arguments than {} (declared by an older release or with other "
                    + "settings); it is used as it is. To get the new arguments, delete the queue once it is empty, or set "
                    + "them with a policy.", queue, arguments);
        }
        declareOne(connection, "binding " + routingKey + " → " + queue,
                channel -> channel.queueBind(queue, exchange(), routingKey));
    }

    private interface Declaration {
        void run(Channel channel) throws IOException;
    }

    /** @return false when the broker refused the declaration as inequivalent to what it has */
    private static boolean declareOne(Connection connection, String what, Declaration declaration) throws IOException {
        Channel channel = connection.createChannel();
        try {
            declaration.run(channel);
            return true;
        } catch (IOException e) {
            if (String.valueOf(e.getCause()).contains("PRECONDITION_FAILED")) {
                LOG.debug("RabbitMQ refused to declare {}: {}", what, e.getCause().getMessage());
                return false;
            }
            throw e;
        } finally {
            if (channel.isOpen()) {
                try {
                    channel.close();
                } catch (Exception ignored) {
                    // closing is best effort
                }
            }
        }
    }
}
