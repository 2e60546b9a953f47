package io.mailroom.queue.rabbitmq;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;

import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageProperties;
import org.springframework.amqp.rabbit.support.DefaultMessagePropertiesConverter;
import org.springframework.amqp.rabbit.support.MessagePropertiesConverter;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.GetResponse;

import io.mailroom.queue.DeliveryState;
import io.mailroom.queue.MailQueueAdmin;
import io.mailroom.queue.QueueUnavailableException;
import io.mailroom.queue.QueuedMail;
import io.mailroom.queue.support.QueueFormat;

/**
 * The RabbitMQ queue as an operator sees it. A queue cannot be read without taking its messages, so this one
 * browses: it takes messages with {@code basic.get} (no auto-ack) from the retry tiers and the dead-letter
 * queue, looks at them, settles the ones it acts on (retry: republished to the inbound queue and confirmed
 * first; delete: acked) and hands every other back with {@code basic.nack(requeue)}. A quorum queue keeps a
 * returned message's place, so the order stays as it was; the message's {@code x-delivery-count} in that queue
 * goes up by one, which matters nowhere (neither the tiers nor the dead-letter queue have a delivery limit, and a
 * copy that moves on to the inbound queue starts there with a count of 0).
 *
 * <p>The inbound queue is never browsed: its messages belong to the consumers, and taking one would count as a
 * failed delivery towards the poison limit. A message there (or in a consumer's hands) is not found here.
 *
 * <p>Every operation looks at no more than {@code scanLimit} messages per queue; on a larger backlog the answer
 * covers the first ones only.
 */
public final class RabbitMailQueueAdmin implements MailQueueAdmin {

    private static final MessagePropertiesConverter CONVERTER = new DefaultMessagePropertiesConverter();

    private final RabbitQueueBroker broker;
    private final RabbitQueueTopology topology;
    private final ConfirmedPublisher publisher;
    private final Duration publishTimeout;
    private final int scanLimit;
    private final Clock clock;

    public RabbitMailQueueAdmin(RabbitQueueBroker broker, Duration publishTimeout, int scanLimit) {
        this(broker, publishTimeout, scanLimit, Clock.systemUTC());
    }

    RabbitMailQueueAdmin(RabbitQueueBroker broker, Duration publishTimeout, int scanLimit, Clock clock) {
        this.broker = broker;
        this.topology = broker.topology();
        this.publisher = new ConfirmedPublisher(broker);
        this.publishTimeout = publishTimeout;
        this.scanLimit = scanLimit;
        this.clock = clock;
    }

    @Override
    public QueueStats stats() throws QueueUnavailableException {
        try (Browser browser = new Browser()) {
            long deferred = 0;
            for (Duration tier : topology.retryTiers()) {
                deferred += browser.count(topology.retryQueue(tier));
            }
            return new QueueStats(browser.count(topology.inboundQueue()), deferred, -1,
                    browser.count(topology.deadLetterQueue()), Optional.empty());
        }
    }

    @Override
    public List<QueuedMessage> deferred(int limit) throws QueueUnavailableException {
        List<QueuedMessage> deferred = new ArrayList<>();
        try (Browser browser = new Browser()) {
            for (Duration tier : topology.retryTiers()) {
                for (Taken taken : browser.take(topology.retryQueue(tier), Math.min(limit, scanLimit))) {
                    deferred.add(describe(taken, Location.DEFERRED));
                }
            }
        }
        return deferred.stream()
                .sorted(Comparator.comparing(QueuedMessage::nextAttemptAt, Comparator.nullsLast(Comparator.naturalOrder())))
                .limit(limit)
                .toList();
    }

    @Override
    public List<QueuedMessage> deadLetters(int limit) throws QueueUnavailableException {
        try (Browser browser = new Browser()) {
            List<QueuedMessage> dead = new ArrayList<>();
            for (Taken taken : browser.take(topology.deadLetterQueue(), Math.min(limit, scanLimit))) {
                dead.add(describe(taken, Location.DEAD));
            }
            // the queue is oldest first; the listing, like the PostgreSQL one, most recent first
            return dead.reversed();
        }
    }

    @Override
    public Optional<QueuedMessage> find(String id) throws QueueUnavailableException {
        try (Browser browser = new Browser()) {
            for (Duration tier : topology.retryTiers()) {
                Optional<Taken> found = browser.find(topology.retryQueue(tier), id);
                if (found.isPresent()) {
                    return Optional.of(describe(found.get(), Location.DEFERRED));
                }
            }
            return browser.find(topology.deadLetterQueue(), id).map(taken -> describe(taken, Location.DEAD));
        }
    }

    @Override
    public Result retryNow(String id) throws QueueUnavailableException {
        try (Browser browser = new Browser()) {
            for (Duration tier : topology.retryTiers()) {
                Optional<Taken> found = browser.find(topology.retryQueue(tier), id);
                if (found.isPresent()) {
                    replay(browser, found.get(), null);
                    return Result.DONE;
                }
            }
            Optional<Taken> dead = browser.find(topology.deadLetterQueue(), id);
            if (dead.isPresent()) {
                replay(browser, dead.get(), clock.instant());
                return Result.DONE;
            }
            return Result.NOT_FOUND;
        }
    }

    /** Republishes the copy to the inbound queue, and acks the one taken only once the broker confirmed the new one. */
    private void replay(Browser browser, Taken taken, Instant newPeriod) throws QueueUnavailableException {
        Message replay = RabbitMessageFormat.forReplay(taken.properties(), taken.response().getBody(), newPeriod);
        if (newPeriod != null) {
            replay.getMessageProperties().setHeader(RabbitMessageFormat.ATTEMPT, 1);
            replay.getMessageProperties().getHeaders().remove(RabbitMessageFormat.LAST_ERROR);
        }
        publisher.publish(topology.exchange(), RabbitQueueTopology.INBOUND, replay, publishTimeout);
        browser.ack(taken);
    }

    @Override
    public Result delete(String id) throws QueueUnavailableException {
        try (Browser browser = new Browser()) {
            boolean deleted = false;
            List<String> queues = new ArrayList<>();
            topology.retryTiers().forEach(tier -> queues.add(topology.retryQueue(tier)));
            queues.add(topology.deadLetterQueue());
            for (String queue : queues) {
                // a message that was published twice (a retry whose ack got lost) goes with all its copies
                for (Taken taken : browser.takeMatching(queue, taken -> id.equals(taken.id()))) {
                    browser.ack(taken);
                    deleted = true;
                }
            }
            return deleted ? Result.DONE : Result.NOT_FOUND;
        }
    }

    private static QueuedMessage describe(Taken taken, Location location) {
        Map<String, Object> headers = taken.properties().getHeaders();
        String traceId = null;
        String from = null;
        List<String> recipients = List.of();
        Instant receivedAt = null;
        DeliveryState state = QueueFormat.readState(RabbitMessageFormat.string(headers.get(RabbitMessageFormat.STATE)));
        try {
            QueuedMail mail = RabbitMessageFormat.read(new Message(new byte[0], taken.properties()));
            traceId = mail.traceId();
            from = mail.envelopeFrom();
            recipients = mail.recipients();
            receivedAt = mail.receivedAt();
        } catch (QueueFormat.UnreadableMessageException e) {
            // a dead letter of a version this code does not read: what the headers say is all there is
        }
        Integer attempt = RabbitMessageFormat.integer(headers.get(RabbitMessageFormat.ATTEMPT));
        int attempts = location == Location.DEFERRED ? Math.max(0, (attempt == null ? 1 : attempt) - 1)
                : attempt == null ? 1 : attempt;
        return new QueuedMessage(taken.id(), location, traceId, from, recipients, receivedAt, attempts,
                RabbitMessageFormat.string(headers.get(RabbitMessageFormat.LAST_ERROR)),
                location == Location.DEFERRED ? instant(headers.get(RabbitMessageFormat.NEXT_ATTEMPT)) : null,
                location == Location.DEAD ? deadReason(headers) : null,
                location == Location.DEAD ? instant(headers.get(RabbitMessageFormat.DEAD_AT)) : null,
                state);
    }

    /** Our own reason, or what the broker says when it dead-lettered the message itself (its delivery limit). */
    private static String deadReason(Map<String, Object> headers) {
        String reason = RabbitMessageFormat.string(headers.get(RabbitMessageFormat.DEAD_REASON));
        if (reason != null) {
            return reason;
        }
        String brokerReason = RabbitMessageFormat.string(headers.get("x-first-death-reason"));
        if ("delivery_limit".equals(brokerReason)) {
            return "dead-lettered by RabbitMQ: delivered more often than the inbound queue's x-delivery-limit without "
                    + "an outcome (the consumer crashed, was killed or lost the message each time)";
        }
        return brokerReason == null ? "unknown" : "dead-lettered by RabbitMQ: " + brokerReason;
    }

    private static Instant instant(Object header) {
        String text = RabbitMessageFormat.string(header);
        if (text == null) {
            return null;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    private record Taken(GetResponse response, MessageProperties properties) {

        String id() {
            return properties.getMessageId();
        }
    }

    /**
     * One channel of its own; every message taken and not acked is handed back, in order, when it closes. (Closing
     * the channel would return them too, but as a consumer failure, which RabbitMQ 4 counts towards delivery limits.)
     */
    private final class Browser implements AutoCloseable {

        private final org.springframework.amqp.rabbit.connection.Connection connection;
        private final Channel channel;
        private final List<Long> unsettled = new ArrayList<>();

        Browser() throws QueueUnavailableException {
            try {
                this.connection = broker.connectionFactory().createConnection();
                // a channel outside Spring's cache: closing it really closes it
                this.channel = connection.getDelegate().createChannel();
            } catch (AmqpException | IOException e) {
                throw new QueueUnavailableException("cannot reach RabbitMQ: " + e.getMessage(), e);
            }
        }

        long count(String queue) throws QueueUnavailableException {
            try {
                return channel.queueDeclarePassive(queue).getMessageCount();
            } catch (IOException e) {
                throw new QueueUnavailableException("cannot count the messages of " + queue + ": " + e.getMessage(), e);
            }
        }

        List<Taken> take(String queue, int max) throws QueueUnavailableException {
            List<Taken> taken = new ArrayList<>();
            try {
                GetResponse response;
                while (taken.size() < max && (response = channel.basicGet(queue, false)) != null) {
                    unsettled.add(response.getEnvelope().getDeliveryTag());
                    taken.add(new Taken(response, CONVERTER.toMessageProperties(response.getProps(),
                            response.getEnvelope(), StandardCharsets.UTF_8.name())));
                }
            } catch (IOException e) {
                throw new QueueUnavailableException("cannot browse " + queue + ": " + e.getMessage(), e);
            }
            return taken;
        }

        Optional<Taken> find(String queue, String id) throws QueueUnavailableException {
            return takeMatching(queue, taken -> id.equals(taken.id())).stream().findFirst();
        }

        List<Taken> takeMatching(String queue, Predicate<Taken> matches) throws QueueUnavailableException {
            return take(queue, scanLimit).stream().filter(matches).toList();
        }

        void ack(Taken taken) throws QueueUnavailableException {
            long tag = taken.response().getEnvelope().getDeliveryTag();
            try {
                channel.basicAck(tag, false);
                unsettled.remove(Long.valueOf(tag));
            } catch (IOException e) {
                throw new QueueUnavailableException("cannot settle message " + taken.id() + ": " + e.getMessage(), e);
            }
        }

        @Override
        public void close() {
            try {
                for (long tag : unsettled) {
                    channel.basicNack(tag, false, true);
                }
                channel.close();
            } catch (Exception e) {
                // the channel went away: the broker returns what it held anyway
            } finally {
                connection.close();
            }
        }
    }
}
