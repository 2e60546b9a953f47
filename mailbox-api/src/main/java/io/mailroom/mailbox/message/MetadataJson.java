package io.mailroom.mailbox.message;

import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.springframework.stereotype.Component;

import io.mailroom.mailbox.client.store.Envelope;
import io.mailroom.mailbox.client.store.MessageMetadata;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.SerializableString;
import tools.jackson.core.io.SerializedString;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.SerializationConfig;
import tools.jackson.databind.SerializationContext;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.ValueSerializer;
import tools.jackson.databind.cfg.DateTimeFeature;
import tools.jackson.databind.module.SimpleModule;

/**
 * Hand-written JSON for the two types a gateway FETCH moves by the thousand: {@link MessageMetadata} out (the
 * answer of every metadata call) and {@link Envelope} in and out (read from {@code message_contents.envelope} for each
 * FETCH ENVELOPE row, written there at every filing). Bean serialization and record creation through Jackson's data binding were two thirds of a
 * 500-message metadata call's CPU in mailbox-api. The JSON is the same as data binding's with Jackson's defaults (the
 * record components in declaration order, nulls written), which MetadataJsonTest checks field by field; dates are
 * written as {@link Instant#toString()} writes them (the mapper's default; with a date feature that changes that, the
 * context's own serializer writes them), envelopes and body structures inside the metadata go through the context's
 * serializers.
 *
 * <p>Spring Boot registers this module with the JSON mapper that the web layer and {@link MessageRows} share.
 */
@Component
public class MetadataJson extends SimpleModule {

    public MetadataJson() {
        super("mailroom-metadata-json");
        addSerializer(MessageMetadata.class, new MetadataSerializer());
        addSerializer(MessageRows.StoredRow.class, new StoredRowSerializer());
        addSerializer(Envelope.class, new EnvelopeSerializer());
        addDeserializer(Envelope.class, new EnvelopeDeserializer());
    }

    private static final SerializableString MAILBOX_ID = new SerializedString("mailboxId");
    private static final SerializableString UID = new SerializedString("uid");
    private static final SerializableString MOD_SEQ = new SerializedString("modSeq");
    private static final SerializableString EMAIL_ID = new SerializedString("emailId");
    private static final SerializableString THREAD_ID = new SerializedString("threadId");
    private static final SerializableString FLAGS = new SerializedString("flags");
    private static final SerializableString INTERNAL_DATE = new SerializedString("internalDate");
    private static final SerializableString SAVE_DATE = new SerializedString("saveDate");
    private static final SerializableString SIZE = new SerializedString("size");
    private static final SerializableString HEADER_OCTETS = new SerializedString("headerOctets");
    private static final SerializableString BODY_LINES = new SerializedString("bodyLines");
    private static final SerializableString MEDIA_TYPE = new SerializedString("mediaType");
    private static final SerializableString SUB_TYPE = new SerializedString("subType");
    private static final SerializableString TEXT_LINES = new SerializedString("textLines");
    private static final SerializableString ENVELOPE = new SerializedString("envelope");
    private static final SerializableString STRUCTURE = new SerializedString("structure");
    private static final SerializableString HEADER = new SerializedString("header");

    /** Whether a mapper with this configuration writes metadata's dates itself rather than through Jackson's formatter. */
    public static boolean writesDatesDirectly(SerializationConfig config) {
        return MetadataSerializer.isoInstants(config);
    }

    static final class MetadataSerializer extends ValueSerializer<MessageMetadata> {

        @Override
        public void serialize(MessageMetadata m, JsonGenerator out, SerializationContext context) {
            write(m, out, context, false, null, null);
        }

        /**
         * The metadata's fields; with {@code stored}, the envelope and structure are the given JSON texts, written as
         * they are, instead of the metadata's own.
         */
        static void write(MessageMetadata m, JsonGenerator out, SerializationContext context, boolean stored,
                          String storedEnvelope, String storedStructure) {
            out.writeStartObject(m);
            number(out, MAILBOX_ID, m.mailboxId());
            number(out, UID, m.uid());
            number(out, MOD_SEQ, m.modSeq());
            number(out, EMAIL_ID, m.emailId());
            number(out, THREAD_ID, m.threadId());
            out.writeName(FLAGS);
            Set<String> flags = m.flags();
            out.writeStartArray(flags, flags.size());
            for (String flag : flags) {
                out.writeString(flag);
            }
            out.writeEndArray();
            instant(out, context, INTERNAL_DATE, m.internalDate());
            instant(out, context, SAVE_DATE, m.saveDate());
            number(out, SIZE, m.size());
            number(out, HEADER_OCTETS, m.headerOctets());
            number(out, BODY_LINES, m.bodyLines());
            string(out, MEDIA_TYPE, m.mediaType());
            string(out, SUB_TYPE, m.subType());
            out.writeName(TEXT_LINES);
            if (m.textLines() == null) {
                out.writeNull();
            } else {
                out.writeNumber(m.textLines());
            }
            if (stored) {
                raw(out, ENVELOPE, storedEnvelope);
                raw(out, STRUCTURE, storedStructure);
            } else {
                value(out, context, ENVELOPE, m.envelope());
                value(out, context, STRUCTURE, m.structure());
            }
            out.writeName(HEADER);
            if (m.header() == null) {
                out.writeNull();
            } else {
                out.writeBinary(context.getConfig().getBase64Variant(), m.header(), 0, m.header().length);
            }
            out.writeEndObject();
        }

        private static void raw(JsonGenerator out, SerializableString name, String json) {
            out.writeName(name);
            if (json == null) {
                out.writeNull();
            } else {
                out.writeRawValue(json);
            }
        }

        private static void number(JsonGenerator out, SerializableString name, long value) {
            out.writeName(name);
            out.writeNumber(value);
        }

        private static void string(JsonGenerator out, SerializableString name, String value) {
            out.writeName(name);
            if (value == null) {
                out.writeNull();
            } else {
                out.writeString(value);
            }
        }

        private static void instant(JsonGenerator out, SerializationContext context, SerializableString name, Instant value) {
            if (value == null || !isoInstants(context.getConfig())) {
                value(out, context, name, value);
                return;
            }
            out.writeName(name);
            writeIsoInstant(out, value);
        }

        /**
         * Whether the mapper writes an Instant as {@link Instant#toString()} does: its default. Jackson's
         * {@code InstantSerializer} applies the context's time zone only when the mapper was given one
         * ({@code WRITE_DATES_WITH_CONTEXT_TIME_ZONE} is on by default, and alone changes nothing).
         */
        static boolean isoInstants(SerializationConfig config) {
            return !config.isEnabled(DateTimeFeature.WRITE_DATES_AS_TIMESTAMPS)
                    && !config.isEnabled(DateTimeFeature.TRUNCATE_TO_MSECS_ON_WRITE)
                    && !(config.isEnabled(DateTimeFeature.WRITE_DATES_WITH_CONTEXT_TIME_ZONE) && config.hasExplicitTimeZone());
        }

        /**
         * {@link Instant#toString()} (ISO_INSTANT: the fraction in groups of three digits, as many as it needs) written
         * without the formatter's StringBuilder: the formatter was half of this serializer's time.
         */
        static void writeIsoInstant(JsonGenerator out, Instant value) {
            long seconds = value.getEpochSecond();
            LocalDate date = LocalDate.ofEpochDay(Math.floorDiv(seconds, 86_400));
            if (date.getYear() < 0 || date.getYear() > 9999) {
                out.writeString(value.toString());
                return;
            }
            int secondOfDay = (int) Math.floorMod(seconds, 86_400);
            char[] text = new char[30];
            digits(text, 0, date.getYear(), 4);
            text[4] = '-';
            digits(text, 5, date.getMonthValue(), 2);
            text[7] = '-';
            digits(text, 8, date.getDayOfMonth(), 2);
            text[10] = 'T';
            digits(text, 11, secondOfDay / 3600, 2);
            text[13] = ':';
            digits(text, 14, secondOfDay / 60 % 60, 2);
            text[16] = ':';
            digits(text, 17, secondOfDay % 60, 2);
            int length = 19;
            int nano = value.getNano();
            if (nano != 0) {
                text[length++] = '.';
                if (nano % 1_000_000 == 0) {
                    length = digits(text, length, nano / 1_000_000, 3);
                } else if (nano % 1_000 == 0) {
                    length = digits(text, length, nano / 1_000, 6);
                } else {
                    length = digits(text, length, nano, 9);
                }
            }
            text[length++] = 'Z';
            out.writeString(text, 0, length);
        }

        /** Writes {@code value} as exactly {@code width} decimal digits at {@code at}; returns the index after them. */
        private static int digits(char[] text, int at, int value, int width) {
            for (int i = at + width - 1; i >= at; i--) {
                text[i] = (char) ('0' + value % 10);
                value /= 10;
            }
            return at + width;
        }

        private static void value(JsonGenerator out, SerializationContext context, SerializableString name, Object value) {
            out.writeName(name);
            if (value == null) {
                out.writeNull();
            } else {
                context.writeValue(out, value);
            }
        }
    }

    /** A stored row as the metadata it stands for, its envelope and structure passed on as PostgreSQL sent them. */
    static final class StoredRowSerializer extends ValueSerializer<MessageRows.StoredRow> {

        @Override
        public void serialize(MessageRows.StoredRow row, JsonGenerator out, SerializationContext context) {
            MetadataSerializer.write(row.metadata(), out, context, true, row.envelope(), row.structure());
        }
    }

    /** Writes an envelope as data binding does: at filing (stored once per message) and inside metadata. */
    static final class EnvelopeSerializer extends ValueSerializer<Envelope> {

        @Override
        public void serialize(Envelope envelope, JsonGenerator out, SerializationContext context) {
            out.writeStartObject(envelope);
            text(out, "date", envelope.date());
            text(out, "subject", envelope.subject());
            addresses(out, "from", envelope.from());
            addresses(out, "sender", envelope.sender());
            addresses(out, "replyTo", envelope.replyTo());
            addresses(out, "to", envelope.to());
            addresses(out, "cc", envelope.cc());
            addresses(out, "bcc", envelope.bcc());
            text(out, "inReplyTo", envelope.inReplyTo());
            text(out, "messageId", envelope.messageId());
            out.writeEndObject();
        }

        private static void text(JsonGenerator out, String name, String value) {
            out.writeName(name);
            if (value == null) {
                out.writeNull();
            } else {
                out.writeString(value);
            }
        }

        private static void addresses(JsonGenerator out, String name, List<Envelope.Address> addresses) {
            out.writeName(name);
            if (addresses == null) {
                out.writeNull();
                return;
            }
            out.writeStartArray(addresses, addresses.size());
            for (Envelope.Address address : addresses) {
                if (address == null) {
                    out.writeNull();
                    continue;
                }
                out.writeStartObject(address);
                text(out, "name", address.name());
                text(out, "mailbox", address.mailbox());
                text(out, "host", address.host());
                out.writeEndObject();
            }
            out.writeEndArray();
        }
    }

    /** Reads an envelope as data binding writes it; unknown properties are skipped, absent lists are empty. */
    static final class EnvelopeDeserializer extends ValueDeserializer<Envelope> {

        @Override
        public Envelope deserialize(JsonParser in, DeserializationContext context) {
            JsonToken token = in.currentToken();
            if (token == JsonToken.VALUE_NULL) {
                return null;
            }
            if (token != JsonToken.START_OBJECT) {
                return (Envelope) context.handleUnexpectedToken(Envelope.class, in);
            }
            String date = null;
            String subject = null;
            String inReplyTo = null;
            String messageId = null;
            List<Envelope.Address> from = null;
            List<Envelope.Address> sender = null;
            List<Envelope.Address> replyTo = null;
            List<Envelope.Address> to = null;
            List<Envelope.Address> cc = null;
            List<Envelope.Address> bcc = null;
            String name;
            while ((name = in.nextName()) != null) {
                in.nextToken();
                switch (name) {
                    case "date" -> date = text(in, context);
                    case "subject" -> subject = text(in, context);
                    case "inReplyTo" -> inReplyTo = text(in, context);
                    case "messageId" -> messageId = text(in, context);
                    case "from" -> from = addresses(in, context);
                    case "sender" -> sender = addresses(in, context);
                    case "replyTo" -> replyTo = addresses(in, context);
                    case "to" -> to = addresses(in, context);
                    case "cc" -> cc = addresses(in, context);
                    case "bcc" -> bcc = addresses(in, context);
                    default -> in.skipChildren();
                }
            }
            if (in.currentToken() != JsonToken.END_OBJECT) {
                return (Envelope) context.handleUnexpectedToken(Envelope.class, in);
            }
            return new Envelope(date, subject, from, sender, replyTo, to, cc, bcc, inReplyTo, messageId);
        }

        private static String text(JsonParser in, DeserializationContext context) {
            return switch (in.currentToken()) {
                case VALUE_NULL -> null;
                case VALUE_STRING -> in.getString();
                default -> (String) context.handleUnexpectedToken(String.class, in);
            };
        }

        private static List<Envelope.Address> addresses(JsonParser in, DeserializationContext context) {
            JsonToken token = in.currentToken();
            if (token == JsonToken.VALUE_NULL) {
                return null;
            }
            if (token != JsonToken.START_ARRAY) {
                context.handleUnexpectedToken(List.class, in);
                return null;
            }
            List<Envelope.Address> addresses = new ArrayList<>(2);
            while ((token = in.nextToken()) != JsonToken.END_ARRAY) {
                if (token != JsonToken.START_OBJECT) {
                    context.handleUnexpectedToken(Envelope.Address.class, in);
                    continue;
                }
                String personal = null;
                String mailbox = null;
                String host = null;
                String name;
                while ((name = in.nextName()) != null) {
                    in.nextToken();
                    switch (name) {
                        case "name" -> personal = text(in, context);
                        case "mailbox" -> mailbox = text(in, context);
                        case "host" -> host = text(in, context);
                        default -> in.skipChildren();
                    }
                }
                addresses.add(new Envelope.Address(personal, mailbox, host));
            }
            return addresses;
        }
    }
}
