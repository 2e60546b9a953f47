package io.mailroom.queue.rabbitmq;

import java.io.IOException;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;

/**
 * The exchange and queues of the RabbitMQ queue, all named under one prefix (default {@code mailroom.}):
 * <pre>
 *   {prefix}mail            direct exchange, durable
 *     "inbound"     → {prefix}inbound      quorum queue: what consumers read
 *     "retry.{tier}" → {prefix}retry.{tier} quorum queue, x-message-ttl = tier, dead-letters back to "inbound"
 *     "dead"        → {prefix}dead         quorum queue: the dead-letter queue
 * </pre>
 * A retry waits in a queue whose TTL is its delay tier, then the broker dead-letters it back to the
 * exchange with routing key {@code inbound}. One TTL per queue means the message at the head is always
 * the first to expire, so a long delay never holds back a short one (per-message TTLs in one queue would).
 * The tier queues use at-least-once dead-lettering (RabbitMQ ≥ 3.10, needs {@code x-overflow:
 * reject-publish}), so a message is not lost between the tier and the inbound queue if a broker fails.
 */
public final class RabbitQueueTopology {

    static final String INBOUND = "inbound";
    static final String DEAD = "dead";

    private final String prefix;
    private final List<Duration> tiers;

    public RabbitQueueTopology(String prefix, List<Duration> retryDelays) {
        if (retryDelays.isEmpty()) {
            throw new IllegalArgumentException("at least one retry delay tier is needed");
        }
        this.prefix = prefix;
        this.tiers = retryDelays.stream().distinct().sorted(Comparator.naturalOrder()).toList();
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

    /** Declares everything; idempotent, run on every new connection so that a restarted broker gets it back. */
    void declare(Channel channel) throws IOException {
        channel.exchangeDeclare(exchange(), BuiltinExchangeType.DIRECT, true);
        channel.queueDeclare(inboundQueue(), true, false, false, Map.of("x-queue-type", "quorum"));
        channel.queueBind(inboundQueue(), exchange(), INBOUND);
        channel.queueDeclare(deadLetterQueue(), true, false, false, Map.of("x-queue-type", "quorum"));
        channel.queueBind(deadLetterQueue(), exchange(), DEAD);
        for (Duration tier : tiers) {
            channel.queueDeclare(retryQueue(tier), true, false, false, Map.of(
                    "x-queue-type", "quorum",
                    "x-message-ttl", tier.toMillis(),
                    "x-dead-letter-exchange", exchange(),
                    "x-dead-letter-routing-key", INBOUND,
                    "x-dead-letter-strategy", "at-least-once",
                    "x-overflow", "reject-publish"));
            channel.queueBind(retryQueue(tier), exchange(), retryRoutingKey(tier));
        }
    }
}
