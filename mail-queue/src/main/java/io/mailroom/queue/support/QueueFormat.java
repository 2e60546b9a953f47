package io.mailroom.queue.support;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

import io.mailroom.queue.QueuedMail;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The envelope half of the queue's message format (docs/queue-format.md): the same JSON object in
 * both adapters (a RabbitMQ header, a PostgreSQL {@code jsonb} column), beside the raw content bytes,
 * which travel untouched. Shared by the adapters; not an API for applications.
 */
public final class QueueFormat {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private QueueFormat() {
    }

    /** The envelope of {@code mail} as format {@link QueuedMail#FORMAT_VERSION} writes it. */
    public static String envelopeJson(QueuedMail mail) {
        ObjectNode envelope = JSON.createObjectNode();
        envelope.put("version", QueuedMail.FORMAT_VERSION);
        envelope.put("id", mail.id());
        envelope.put("traceId", mail.traceId());
        envelope.put("envelopeFrom", mail.envelopeFrom());
        ArrayNode recipients = envelope.putArray("recipients");
        mail.recipients().forEach(recipients::add);
        // ISO-8601 in UTC, nanoseconds kept: the delivery latency timer starts here
        envelope.put("receivedAt", mail.receivedAt().toString());
        return JSON.writeValueAsString(envelope);
    }

    /**
     * Reads one message back.
     *
     * @param version the version the message says it was written in (a header or a column, outside the envelope)
     * @throws UnreadableMessageException when the version is not one this code reads or the envelope is
     *                                    malformed: such a message is dead-lettered with the exception's message
     */
    public static QueuedMail read(Integer version, String envelopeJson, byte[] content) {
        if (version == null) {
            throw new UnreadableMessageException("the message carries no format version");
        }
        if (version != QueuedMail.FORMAT_VERSION) {
            throw new UnreadableMessageException("unsupported queue format version " + version
                    + " (this consumer reads version " + QueuedMail.FORMAT_VERSION + ")");
        }
        if (envelopeJson == null) {
            throw new UnreadableMessageException("the message carries no envelope");
        }
        JsonNode envelope;
        try {
            envelope = JSON.readTree(envelopeJson);
        } catch (JacksonException e) {
            throw new UnreadableMessageException("the envelope is not JSON: " + e.getOriginalMessage());
        }
        if (envelope == null || !envelope.isObject()) {
            throw new UnreadableMessageException("the envelope is not a JSON object");
        }
        JsonNode innerVersion = envelope.get("version");
        if (innerVersion == null || !innerVersion.isInt() || innerVersion.intValue() != version) {
            throw new UnreadableMessageException("the envelope's version does not match the message's version " + version);
        }
        JsonNode recipientsNode = envelope.get("recipients");
        if (recipientsNode == null || !recipientsNode.isArray() || recipientsNode.isEmpty()) {
            throw new UnreadableMessageException("the envelope has no recipients");
        }
        List<String> recipients = new ArrayList<>(recipientsNode.size());
        for (JsonNode recipient : recipientsNode.values()) {
            if (!recipient.isString()) {
                throw new UnreadableMessageException("the envelope has a recipient that is not a string");
            }
            recipients.add(recipient.stringValue());
        }
        Instant receivedAt;
        try {
            receivedAt = Instant.parse(text(envelope, "receivedAt"));
        } catch (DateTimeParseException e) {
            throw new UnreadableMessageException("the envelope's receivedAt is not an ISO-8601 instant");
        }
        if (content == null) {
            throw new UnreadableMessageException("the message has no content");
        }
        return new QueuedMail(text(envelope, "id"), text(envelope, "traceId"), text(envelope, "envelopeFrom"),
                recipients, receivedAt, content);
    }

    private static String text(JsonNode envelope, String field) {
        JsonNode node = envelope.get(field);
        if (node == null || !node.isString()) {
            throw new UnreadableMessageException("the envelope has no string field " + field);
        }
        return node.stringValue();
    }

    /** A message this consumer cannot read; it goes to the dead-letter store, never silently away. */
    public static final class UnreadableMessageException extends RuntimeException {

        public UnreadableMessageException(String reason) {
            super(reason);
        }
    }
}
