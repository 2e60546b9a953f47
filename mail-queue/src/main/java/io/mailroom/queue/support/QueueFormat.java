package io.mailroom.queue.support;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mailroom.queue.DeliveryState;
import io.mailroom.queue.DeliveryState.Destination;
import io.mailroom.queue.DeliveryState.Outcome;
import io.mailroom.queue.MailOptions;
import io.mailroom.queue.MailOptions.RecipientOptions;
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

    private static final Logger LOG = LoggerFactory.getLogger(QueueFormat.class);

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /**
     * Past this size (a RabbitMQ header must fit one frame beside the envelope) the state drops its filed entries,
     * which are safe to forget: filing again is idempotent.
     */
    static final int MAX_STATE_JSON = 32 * 1024;

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
        writeOptions(envelope, mail.options());
        if (!mail.traceContext().isEmpty()) {
            ObjectNode trace = envelope.putObject("traceContext");
            mail.traceContext().forEach(trace::put);
        }
        return JSON.writeValueAsString(envelope);
    }

    /** Optional fields, written only when set, so that a message without them is what it always was. */
    private static void writeOptions(ObjectNode envelope, MailOptions options) {
        if (options.clientIp() != null) {
            envelope.put("clientIp", options.clientIp());
        }
        if (options.authenticatedAs() != null) {
            envelope.put("authenticatedAs", options.authenticatedAs());
        }
        if (options.smtpUtf8()) {
            envelope.put("smtpUtf8", true);
        }
        if (options.bodyType() != null) {
            envelope.put("body", options.bodyType());
        }
        if (options.dsnReturn() != null || options.dsnEnvelopeId() != null) {
            ObjectNode dsn = envelope.putObject("dsn");
            if (options.dsnReturn() != null) {
                dsn.put("ret", options.dsnReturn());
            }
            if (options.dsnEnvelopeId() != null) {
                dsn.put("envid", options.dsnEnvelopeId());
            }
        }
        if (options.recipients().stream().anyMatch(recipient -> !recipient.equals(RecipientOptions.LOCAL))) {
            ArrayNode recipients = envelope.putArray("recipientOptions");
            for (RecipientOptions recipient : options.recipients()) {
                ObjectNode node = recipients.addObject();
                if (recipient.remote()) {
                    node.put("remote", true);
                }
                if (!recipient.dsnNotify().isEmpty()) {
                    ArrayNode notify = node.putArray("notify");
                    recipient.dsnNotify().forEach(notify::add);
                }
                if (recipient.dsnOriginalRecipient() != null) {
                    node.put("orcpt", recipient.dsnOriginalRecipient());
                }
            }
        }
    }

    /**
     * Reads one message back.
     *
     * @param version the version the message says it was written in (a header or a column, outside the envelope)
     * @throws UnreadableMessageException when the version is not one this code reads or the envelope is
     *                                    malformed: such a message is dead-lettered with the exception's message
     */
    public static QueuedMail read(Integer version, String envelopeJson, byte[] content) {
        return read(version, envelopeJson, content, null);
    }

    /** Reads one message back with the delivery state stored beside it ({@link #stateJson}); null = none. */
    public static QueuedMail read(Integer version, String envelopeJson, byte[] content, String stateJson) {
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
                recipients, receivedAt, content, readOptions(envelope, recipients.size()), readState(stateJson),
                readTraceContext(envelope));
    }

    /** The trace context, if any; a malformed one is dropped (the message is still delivered, in a trace of its own). */
    private static java.util.Map<String, String> readTraceContext(JsonNode envelope) {
        JsonNode trace = envelope.get("traceContext");
        if (trace == null || !trace.isObject()) {
            return java.util.Map.of();
        }
        java.util.Map<String, String> fields = new java.util.LinkedHashMap<>();
        for (var field : trace.properties()) {
            if (field.getValue().isString() && fields.size() < 8 && field.getValue().stringValue().length() <= 512) {
                fields.put(field.getKey(), field.getValue().stringValue());
            }
        }
        return fields;
    }

    private static MailOptions readOptions(JsonNode envelope, int recipientCount) {
        JsonNode dsn = envelope.path("dsn");
        List<RecipientOptions> recipients = new ArrayList<>();
        JsonNode recipientOptions = envelope.get("recipientOptions");
        if (recipientOptions != null) {
            if (!recipientOptions.isArray() || recipientOptions.size() != recipientCount) {
                throw new UnreadableMessageException("the envelope's recipientOptions do not match its recipients");
            }
            for (JsonNode node : recipientOptions.values()) {
                List<String> notify = new ArrayList<>();
                node.path("notify").values().forEach(value -> notify.add(value.asString()));
                recipients.add(new RecipientOptions(node.path("remote").asBoolean(false), notify, optionalText(node, "orcpt")));
            }
        }
        return new MailOptions(optionalText(envelope, "clientIp"), optionalText(envelope, "authenticatedAs"),
                envelope.path("smtpUtf8").asBoolean(false), optionalText(envelope, "body"), optionalText(dsn, "ret"),
                optionalText(dsn, "envid"), recipients);
    }

    private static String optionalText(JsonNode node, String field) {
        JsonNode value = node.get(field);
        return value != null && value.isString() ? value.stringValue() : null;
    }

    private static String text(JsonNode envelope, String field) {
        JsonNode node = envelope.get(field);
        if (node == null || !node.isString()) {
            throw new UnreadableMessageException("the envelope has no string field " + field);
        }
        return node.stringValue();
    }

    /**
     * The delivery state as the queue stores it beside the envelope (docs/queue-format.md); null for an empty
     * state, which is then not stored at all.
     */
    public static String stateJson(DeliveryState state) {
        if (state == null || state.isEmpty()) {
            return null;
        }
        String json = writeState(state);
        if (json.length() > MAX_STATE_JSON) {
            json = writeState(state.withoutFiled());
        }
        return json;
    }

    private static String writeState(DeliveryState state) {
        ObjectNode node = JSON.createObjectNode();
        if (state.since() != null) {
            node.put("since", state.since().toString());
        }
        if (state.delayNotified()) {
            node.put("delayNotified", true);
        }
        ArrayNode destinations = node.putArray("destinations");
        for (Destination destination : state.destinations()) {
            ObjectNode entry = destinations.addObject();
            entry.put("address", destination.address());
            if (!destination.recipient().equals(destination.address())) {
                entry.put("recipient", destination.recipient());
            }
            entry.put("outcome", destination.outcome().name().toLowerCase(Locale.ROOT));
            putIfSet(entry, "status", destination.status());
            putIfSet(entry, "detail", destination.detail());
            putIfSet(entry, "remoteMta", destination.remoteMta());
            if (destination.at() != null) {
                entry.put("at", destination.at().toString());
            }
            if (destination.reported()) {
                entry.put("reported", true);
            }
        }
        return JSON.writeValueAsString(node);
    }

    private static void putIfSet(ObjectNode node, String field, String value) {
        if (value != null) {
            node.put(field, value);
        }
    }

    /**
     * Reads a stored delivery state. A state that cannot be read is not a reason to hold up the message: it reads
     * as empty (with a warning), so the next attempt starts over, which redoes at worst a relay.
     */
    public static DeliveryState readState(String json) {
        if (json == null || json.isBlank()) {
            return DeliveryState.EMPTY;
        }
        try {
            JsonNode node = JSON.readTree(json);
            List<Destination> destinations = new ArrayList<>();
            for (JsonNode entry : node.path("destinations").values()) {
                destinations.add(new Destination(optionalText(entry, "address"), optionalText(entry, "recipient"),
                        Outcome.valueOf(optionalText(entry, "outcome").toUpperCase(Locale.ROOT)),
                        optionalText(entry, "status"), optionalText(entry, "detail"), optionalText(entry, "remoteMta"),
                        optionalInstant(entry, "at"), entry.path("reported").asBoolean(false)));
            }
            return new DeliveryState(optionalInstant(node, "since"), node.path("delayNotified").asBoolean(false),
                    destinations);
        } catch (JacksonException | IllegalArgumentException | NullPointerException | DateTimeParseException e) {
            LOG.warn("Ignoring a delivery state that cannot be read ({}): {}", e.getMessage(), json);
            return DeliveryState.EMPTY;
        }
    }

    private static Instant optionalInstant(JsonNode node, String field) {
        String text = optionalText(node, field);
        return text == null ? null : Instant.parse(text);
    }

    /** A message this consumer cannot read; it goes to the dead-letter store, never silently away. */
    public static final class UnreadableMessageException extends RuntimeException {

        public UnreadableMessageException(String reason) {
            super(reason);
        }
    }
}
