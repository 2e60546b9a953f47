package io.mailroom.queue.rabbitmq;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.Map;

import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.MessageDeliveryMode;
import org.springframework.amqp.core.MessageProperties;

import com.rabbitmq.client.LongString;

import io.mailroom.queue.DeliveryState;
import io.mailroom.queue.QueuedMail;
import io.mailroom.queue.support.QueueFormat;

/**
 * How a {@link QueuedMail} travels as an AMQP message (docs/queue-format.md): the body is the raw
 * content, byte for byte; the envelope is a JSON header; the format version is a header of its own so
 * that a consumer can refuse a version it does not know without parsing anything.
 */
final class RabbitMessageFormat {

    static final String VERSION = "x-mailroom-version";
    static final String ENVELOPE = "x-mailroom-envelope";
    static final String ATTEMPT = "x-mailroom-attempt";
    static final String LAST_ERROR = "x-mailroom-last-error";
    static final String DEAD_REASON = "x-mailroom-dead-reason";
    static final String DEAD_AT = "x-mailroom-dead-at";
    static final String STATE = "x-mailroom-state";
    static final String NEXT_ATTEMPT = "x-mailroom-next-attempt";
    /** Set by quorum queues: how often this copy was returned to its queue without an ack (0 on the first delivery). */
    static final String DELIVERY_COUNT = "x-delivery-count";
    static final String CONTENT_TYPE = "message/rfc822";

    // reasons come from exception messages; keep the header frame small
    private static final int MAX_REASON = 2_000;

    private RabbitMessageFormat() {
    }

    static Message toMessage(QueuedMail mail) {
        MessageProperties properties = new MessageProperties();
        properties.setMessageId(mail.id());
        properties.setContentType(CONTENT_TYPE);
        properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        properties.setTimestamp(Date.from(mail.receivedAt()));
        properties.setHeader(VERSION, QueuedMail.FORMAT_VERSION);
        properties.setHeader(ENVELOPE, QueueFormat.envelopeJson(mail));
        properties.setHeader(ATTEMPT, 1);
        String state = QueueFormat.stateJson(mail.state());
        if (state != null) {
            properties.setHeader(STATE, state);
        }
        return new Message(mail.content(), properties);
    }

    /** @throws QueueFormat.UnreadableMessageException for a version this code does not read, or a broken envelope */
    static QueuedMail read(Message message) {
        Map<String, Object> headers = message.getMessageProperties().getHeaders();
        return QueueFormat.read(integer(headers.get(VERSION)), string(headers.get(ENVELOPE)), message.getBody(),
                string(headers.get(STATE)));
    }

    /**
     * The attempt this delivery is: the copy's attempt header (1, or 2, 3, … after retries) plus the deliveries of
     * this copy that ended without an outcome, so that a crash counts as an attempt too.
     */
    static int attempt(Message message) {
        Integer attempt = integer(message.getMessageProperties().getHeaders().get(ATTEMPT));
        return (attempt == null || attempt < 1 ? 1 : attempt) + deliveryCount(message);
    }

    /** How often this copy was delivered before without an outcome (crashes, lost connections, requeues). */
    static int deliveryCount(Message message) {
        Integer count = integer(message.getMessageProperties().getHeaders().get(DELIVERY_COUNT));
        return count == null || count < 0 ? 0 : count;
    }

    /**
     * @param state null keeps the state the message carried
     */
    static Message forRetry(Message original, int nextAttempt, String reason, DeliveryState state, Instant nextAttemptAt) {
        MessageProperties properties = copyOf(original.getMessageProperties());
        properties.setHeader(ATTEMPT, nextAttempt);
        properties.setHeader(LAST_ERROR, truncate(reason));
        properties.setHeader(NEXT_ATTEMPT, nextAttemptAt.toString());
        setState(properties, state);
        return new Message(original.getBody(), properties);
    }

    static Message forDeadLetter(Message original, String reason, DeliveryState state) {
        MessageProperties properties = copyOf(original.getMessageProperties());
        properties.setHeader(DEAD_REASON, truncate(reason));
        properties.setHeader(DEAD_AT, Instant.now().toString());
        properties.getHeaders().remove(NEXT_ATTEMPT);
        setState(properties, state);
        return new Message(original.getBody(), properties);
    }

    /**
     * A dead letter or a deferred message put back on the inbound queue by an operator, to be tried at once: the
     * attempt count goes on, and a dead letter's delivery period starts anew.
     *
     * @param since when the new delivery period starts (a replayed dead letter), or null to keep it
     */
    static Message forReplay(MessageProperties received, byte[] body, Instant since) {
        MessageProperties properties = copyOf(received);
        properties.getHeaders().remove(DEAD_REASON);
        properties.getHeaders().remove(DEAD_AT);
        properties.getHeaders().remove(NEXT_ATTEMPT);
        if (since != null) {
            DeliveryState state = QueueFormat.readState(string(properties.getHeaders().get(STATE)));
            setState(properties, state.withSince(since));
        }
        return new Message(body, properties);
    }

    private static void setState(MessageProperties properties, DeliveryState state) {
        if (state == null) {
            return;
        }
        String json = QueueFormat.stateJson(state);
        if (json == null) {
            properties.getHeaders().remove(STATE);
        } else {
            properties.setHeader(STATE, json);
        }
    }

    /**
     * Everything the message carried, minus what the broker and Spring AMQP add on the way: the copy is
     * published anew, and x-death would otherwise grow with every trip through the retry path.
     */
    static MessageProperties copyOf(MessageProperties received) {
        MessageProperties properties = new MessageProperties();
        properties.setMessageId(received.getMessageId());
        properties.setContentType(received.getContentType());
        properties.setContentEncoding(received.getContentEncoding());
        properties.setTimestamp(received.getTimestamp());
        properties.setDeliveryMode(MessageDeliveryMode.PERSISTENT);
        received.getHeaders().forEach((name, value) -> {
            if (!name.startsWith("spring_") && !name.equals("x-death") && !name.startsWith("x-first-death-")
                    && !name.startsWith("x-last-death-") && !name.equals("x-delivery-count")) {
                properties.setHeader(name, value instanceof LongString longString ? longString.toString() : value);
            }
        });
        return properties;
    }

    private static String truncate(String reason) {
        String text = reason == null ? "" : reason;
        return text.length() <= MAX_REASON ? text : text.substring(0, MAX_REASON) + "…";
    }

    static Integer integer(Object value) {
        return value instanceof Number number ? Integer.valueOf(number.intValue()) : null;
    }

    /** Spring AMQP hands long header strings (over 1 KiB) over as {@link LongString}. */
    static String string(Object value) {
        return switch (value) {
            case null -> null;
            case String text -> text;
            case LongString longString -> new String(longString.getBytes(), StandardCharsets.UTF_8);
            case byte[] bytes -> new String(bytes, StandardCharsets.UTF_8);
            default -> value.toString();
        };
    }
}
