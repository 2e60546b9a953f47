package io.mailroom.mailbox.client.store;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.ValueDeserializer;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.type.TypeFactory;

/**
 * Hand-written readers for the records a gateway decodes by the thousand: {@link MessageMetadata} (every FETCH, APPEND
 * and by-email-id answer), {@link MessagePage}, and the {@link Envelope}s and {@link BodyStructure}s inside them.
 * Jackson 3's data binding creates a record through {@code MethodHandle.invokeWithArguments}, which allocates an
 * argument spreader per record, and it buffers every creator property first; decoding fetch answers was 6.6 % of
 * imap-gateway's execution samples in bench/imap (JFR), and these readers take about half data binding's time for a
 * page of 50 messages with their header blocks. mailbox-api's {@code MetadataJson} does the same for what it writes.
 *
 * <p>They read what data binding reads, as a {@link JsonMapper} with Jackson's defaults does it ({@code StoreJsonTest}
 * compares both over varied input): a value in the form mailbox-api writes it (a number for a number, a string for a
 * string or a date, base64 for the header) is read directly; any other form (a number in a string, a timestamp for a
 * date, {@code null} for a primitive) goes to the context's own deserializer of the component's type, so it is
 * coerced, accepted or refused exactly as data binding does it. Unknown properties are skipped; a missing primitive
 * is 0 or an error as {@link DeserializationFeature#FAIL_ON_NULL_FOR_PRIMITIVES} says (an error by default, as with
 * data binding); a later duplicate property wins. Malformed input is a {@link JacksonException}, never a record. One
 * difference on purpose: an array or an object among flags or languages is refused ({@link #element}), where data
 * binding unwraps it and reads the rest of the input out of step.
 */
final class StoreJson extends SimpleModule {

    private static final JavaType FLAG_SET = TypeFactory.createDefaultInstance()
            .constructCollectionType(java.util.HashSet.class, String.class);
    private static final JavaType STRING_LIST = TypeFactory.createDefaultInstance()
            .constructCollectionType(ArrayList.class, String.class);
    private static final JavaType STRING_MAP = TypeFactory.createDefaultInstance()
            .constructMapType(java.util.LinkedHashMap.class, String.class, String.class);
    private static final JavaType ADDRESS_LIST = TypeFactory.createDefaultInstance()
            .constructCollectionType(ArrayList.class, Envelope.Address.class);
    private static final JavaType STRUCTURE_LIST = TypeFactory.createDefaultInstance()
            .constructCollectionType(ArrayList.class, BodyStructure.class);
    private static final JavaType METADATA_LIST = TypeFactory.createDefaultInstance()
            .constructCollectionType(ArrayList.class, MessageMetadata.class);

    /** The mapper the store client reads these answers with: Jackson's defaults plus this module. */
    static final JsonMapper MAPPER = JsonMapper.builder().addModule(new StoreJson()).build();

    StoreJson() {
        super("mailroom-store-json");
        addDeserializer(MessageMetadata.class, new MetadataDeserializer());
        addDeserializer(MessagePage.class, new PageDeserializer());
        addDeserializer(Envelope.class, new EnvelopeDeserializer());
        addDeserializer(BodyStructure.class, new StructureDeserializer());
    }

    static final class MetadataDeserializer extends ValueDeserializer<MessageMetadata> {

        // bits of the primitive components seen
        private static final int MAILBOX_ID = 1;
        private static final int UID = 2;
        private static final int MOD_SEQ = 4;
        private static final int EMAIL_ID = 8;
        private static final int THREAD_ID = 16;
        private static final int SIZE = 32;
        private static final int HEADER_OCTETS = 64;
        private static final int BODY_LINES = 128;
        private static final int ALL_PRIMITIVES = 255;

        @Override
        public MessageMetadata deserialize(JsonParser in, DeserializationContext context) {
            return read(in, context);
        }

        static MessageMetadata read(JsonParser in, DeserializationContext context) {
            if (in.currentToken() != JsonToken.START_OBJECT) {
                return (MessageMetadata) context.handleUnexpectedToken(MessageMetadata.class, in);
            }
            long mailboxId = 0;
            long uid = 0;
            long modSeq = 0;
            long emailId = 0;
            long threadId = 0;
            long size = 0;
            long headerOctets = 0;
            long bodyLines = 0;
            int seen = 0;
            Set<String> flags = null;
            Instant internalDate = null;
            Instant saveDate = null;
            String mediaType = null;
            String subType = null;
            Long textLines = null;
            Envelope envelope = null;
            BodyStructure structure = null;
            byte[] header = null;
            String name;
            while ((name = in.nextName()) != null) {
                in.nextToken();
                switch (name) {
                    case "mailboxId" -> {
                        mailboxId = primitive(in, context);
                        seen |= MAILBOX_ID;
                    }
                    case "uid" -> {
                        uid = primitive(in, context);
                        seen |= UID;
                    }
                    case "modSeq" -> {
                        modSeq = primitive(in, context);
                        seen |= MOD_SEQ;
                    }
                    case "emailId" -> {
                        emailId = primitive(in, context);
                        seen |= EMAIL_ID;
                    }
                    case "threadId" -> {
                        threadId = primitive(in, context);
                        seen |= THREAD_ID;
                    }
                    case "flags" -> flags = flags(in, context);
                    case "internalDate" -> internalDate = instant(in, context);
                    case "saveDate" -> saveDate = instant(in, context);
                    case "size" -> {
                        size = primitive(in, context);
                        seen |= SIZE;
                    }
                    case "headerOctets" -> {
                        headerOctets = primitive(in, context);
                        seen |= HEADER_OCTETS;
                    }
                    case "bodyLines" -> {
                        bodyLines = primitive(in, context);
                        seen |= BODY_LINES;
                    }
                    case "mediaType" -> mediaType = text(in, context);
                    case "subType" -> subType = text(in, context);
                    case "textLines" -> textLines = wrapper(in, context);
                    case "envelope" -> envelope = EnvelopeDeserializer.read(in, context);
                    case "structure" -> structure = StructureDeserializer.read(in, context);
                    case "header" -> header = bytes(in, context);
                    default -> in.skipChildren();
                }
            }
            if (seen != ALL_PRIMITIVES) {
                missingPrimitive(context);
            }
            return new MessageMetadata(mailboxId, uid, modSeq, emailId, threadId, flags, internalDate, saveDate, size,
                    headerOctets, bodyLines, mediaType, subType, textLines, envelope, structure, header);
        }

        private static Set<String> flags(JsonParser in, DeserializationContext context) {
            JsonToken token = in.currentToken();
            if (token != JsonToken.START_ARRAY) {
                return token == JsonToken.VALUE_NULL ? null : context.readValue(in, FLAG_SET);
            }
            List<String> flags = new ArrayList<>(4);
            while ((token = in.nextToken()) != JsonToken.END_ARRAY) {
                flags.add(token == JsonToken.VALUE_STRING ? in.getString() : element(in, context, "flag"));
            }
            return Set.copyOf(flags);
        }
    }

    static final class PageDeserializer extends ValueDeserializer<MessagePage> {

        @Override
        public MessagePage deserialize(JsonParser in, DeserializationContext context) {
            if (in.currentToken() != JsonToken.START_OBJECT) {
                return (MessagePage) context.handleUnexpectedToken(MessagePage.class, in);
            }
            List<MessageMetadata> messages = null;
            Long nextUid = null;
            String name;
            while ((name = in.nextName()) != null) {
                in.nextToken();
                switch (name) {
                    case "messages" -> messages = messages(in, context);
                    case "nextUid" -> nextUid = wrapper(in, context);
                    default -> in.skipChildren();
                }
            }
            if (messages == null) {
                return context.reportInputMismatch(MessagePage.class, "a page without its messages");
            }
            return new MessagePage(messages, nextUid);
        }

        private static List<MessageMetadata> messages(JsonParser in, DeserializationContext context) {
            JsonToken token = in.currentToken();
            if (token != JsonToken.START_ARRAY) {
                return token == JsonToken.VALUE_NULL ? null : context.readValue(in, METADATA_LIST);
            }
            List<MessageMetadata> messages = new ArrayList<>();
            while ((token = in.nextToken()) != JsonToken.END_ARRAY) {
                if (token == JsonToken.VALUE_NULL) {
                    return context.reportInputMismatch(MessagePage.class, "a null message");
                }
                messages.add(MetadataDeserializer.read(in, context));
            }
            return messages;
        }
    }

    static final class EnvelopeDeserializer extends ValueDeserializer<Envelope> {

        @Override
        public Envelope deserialize(JsonParser in, DeserializationContext context) {
            return read(in, context);
        }

        static Envelope read(JsonParser in, DeserializationContext context) {
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
            return new Envelope(date, subject, from, sender, replyTo, to, cc, bcc, inReplyTo, messageId);
        }

        private static List<Envelope.Address> addresses(JsonParser in, DeserializationContext context) {
            JsonToken token = in.currentToken();
            if (token != JsonToken.START_ARRAY) {
                return token == JsonToken.VALUE_NULL ? null : context.readValue(in, ADDRESS_LIST);
            }
            List<Envelope.Address> addresses = new ArrayList<>(2);
            while ((token = in.nextToken()) != JsonToken.END_ARRAY) {
                if (token != JsonToken.START_OBJECT) {
                    // null (refused by the record's List.copyOf) or a form data binding may coerce
                    Envelope.Address address = token == JsonToken.VALUE_NULL ? null
                            : context.readValue(in, Envelope.Address.class);
                    if (address == null) {
                        return context.reportInputMismatch(Envelope.class, "a null address");
                    }
                    addresses.add(address);
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

    static final class StructureDeserializer extends ValueDeserializer<BodyStructure> {

        @Override
        public BodyStructure deserialize(JsonParser in, DeserializationContext context) {
            return read(in, context);
        }

        static BodyStructure read(JsonParser in, DeserializationContext context) {
            JsonToken token = in.currentToken();
            if (token == JsonToken.VALUE_NULL) {
                return null;
            }
            if (token != JsonToken.START_OBJECT) {
                return (BodyStructure) context.handleUnexpectedToken(BodyStructure.class, in);
            }
            String mediaType = null;
            String subType = null;
            Map<String, String> parameters = null;
            String id = null;
            String description = null;
            String encoding = null;
            long bodyOctets = 0;
            boolean bodyOctetsSeen = false;
            Long lines = null;
            String md5 = null;
            String disposition = null;
            Map<String, String> dispositionParameters = null;
            List<String> languages = null;
            String location = null;
            List<BodyStructure> parts = null;
            Envelope envelope = null;
            BodyStructure message = null;
            String name;
            while ((name = in.nextName()) != null) {
                in.nextToken();
                switch (name) {
                    case "mediaType" -> mediaType = text(in, context);
                    case "subType" -> subType = text(in, context);
                    case "parameters" -> parameters = parameters(in, context);
                    case "id" -> id = text(in, context);
                    case "description" -> description = text(in, context);
                    case "encoding" -> encoding = text(in, context);
                    case "bodyOctets" -> {
                        bodyOctets = primitive(in, context);
                        bodyOctetsSeen = true;
                    }
                    case "lines" -> lines = wrapper(in, context);
                    case "md5" -> md5 = text(in, context);
                    case "disposition" -> disposition = text(in, context);
                    case "dispositionParameters" -> dispositionParameters = parameters(in, context);
                    case "languages" -> languages = strings(in, context);
                    case "location" -> location = text(in, context);
                    case "parts" -> parts = parts(in, context);
                    case "envelope" -> envelope = EnvelopeDeserializer.read(in, context);
                    case "message" -> message = read(in, context);
                    default -> in.skipChildren();
                }
            }
            if (!bodyOctetsSeen) {
                missingPrimitive(context);
            }
            return new BodyStructure(mediaType, subType, parameters, id, description, encoding, bodyOctets, lines, md5,
                    disposition, dispositionParameters, languages, location, parts, envelope, message);
        }

        private static Map<String, String> parameters(JsonParser in, DeserializationContext context) {
            JsonToken token = in.currentToken();
            if (token != JsonToken.START_OBJECT) {
                return token == JsonToken.VALUE_NULL ? null : context.readValue(in, STRING_MAP);
            }
            Map<String, String> parameters = new HashMap<>();
            String name;
            while ((name = in.nextName()) != null) {
                token = in.nextToken();
                String value = token == JsonToken.VALUE_STRING ? in.getString()
                        : token == JsonToken.VALUE_NULL ? null : context.readValue(in, String.class);
                if (value == null) {
                    // data binding's map takes the null and the record's Map.copyOf refuses it
                    return context.reportInputMismatch(BodyStructure.class, "a null parameter value");
                }
                parameters.put(name, value);
            }
            return parameters;
        }

        private static List<String> strings(JsonParser in, DeserializationContext context) {
            JsonToken token = in.currentToken();
            if (token != JsonToken.START_ARRAY) {
                return token == JsonToken.VALUE_NULL ? null : context.readValue(in, STRING_LIST);
            }
            List<String> strings = new ArrayList<>(1);
            while ((token = in.nextToken()) != JsonToken.END_ARRAY) {
                strings.add(token == JsonToken.VALUE_STRING ? in.getString() : element(in, context, "language"));
            }
            return strings;
        }

        private static List<BodyStructure> parts(JsonParser in, DeserializationContext context) {
            JsonToken token = in.currentToken();
            if (token != JsonToken.START_ARRAY) {
                return token == JsonToken.VALUE_NULL ? null : context.readValue(in, STRUCTURE_LIST);
            }
            List<BodyStructure> parts = new ArrayList<>(2);
            while ((token = in.nextToken()) != JsonToken.END_ARRAY) {
                BodyStructure part = read(in, context);
                if (part == null) {
                    return context.reportInputMismatch(BodyStructure.class, "a null part");
                }
                parts.add(part);
            }
            return parts;
        }
    }

    // ---- scalars: the form mailbox-api writes read directly, any other form by data binding's own deserializer ----

    private static long primitive(JsonParser in, DeserializationContext context) {
        return in.currentToken() == JsonToken.VALUE_NUMBER_INT ? in.getLongValue() : context.readValue(in, long.class);
    }

    private static Long wrapper(JsonParser in, DeserializationContext context) {
        return switch (in.currentToken()) {
            case VALUE_NUMBER_INT -> in.getLongValue();
            case VALUE_NULL -> null;
            default -> context.readValue(in, Long.class);
        };
    }

    private static String text(JsonParser in, DeserializationContext context) {
        return switch (in.currentToken()) {
            case VALUE_STRING -> in.getString();
            case VALUE_NULL -> null;
            default -> context.readValue(in, String.class);
        };
    }

    private static byte[] bytes(JsonParser in, DeserializationContext context) {
        return switch (in.currentToken()) {
            case VALUE_STRING -> in.getBinaryValue(context.getBase64Variant());
            case VALUE_NULL -> null;
            default -> context.readValue(in, byte[].class);
        };
    }

    private static Instant instant(JsonParser in, DeserializationContext context) {
        return switch (in.currentToken()) {
            case VALUE_STRING -> {
                Instant instant = parseIsoInstant(in.getString());
                yield instant != null ? instant : context.readValue(in, Instant.class);
            }
            case VALUE_NULL -> null;
            default -> context.readValue(in, Instant.class);
        };
    }

    /**
     * An element of an array of strings that is not a string: a null is refused (data binding's collection takes it,
     * the record's {@code copyOf} refuses it), another scalar is coerced as data binding coerces it ({@code 1} →
     * {@code "1"}). An array or an object is refused: data binding unwraps a one-element array there and then
     * loses its place in the input, reading the properties after it wrongly or not at all.
     */
    private static String element(JsonParser in, DeserializationContext context, String what) {
        JsonToken token = in.currentToken();
        if (token == JsonToken.VALUE_NULL || token == JsonToken.START_ARRAY || token == JsonToken.START_OBJECT) {
            return context.reportInputMismatch(String.class, "a " + what + " must be a string, not " + token);
        }
        return context.readValue(in, String.class);
    }

    /** A primitive component absent from the object: what data binding does with it. */
    private static void missingPrimitive(DeserializationContext context) {
        if (context.isEnabled(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)) {
            context.reportInputMismatch(long.class, "Cannot map `null` into type `long` (a primitive component is missing;"
                    + " set `DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES` to 'false' to allow)");
        }
    }

    /**
     * {@code yyyy-MM-ddTHH:mm:ss[.f{1,9}]Z} as {@link Instant#toString()} writes it for years 0000 to 9999, without
     * the formatter; null for anything else (leap seconds, offsets, lower case, other years, an invalid date), which
     * the caller hands to data binding's own reader.
     */
    static Instant parseIsoInstant(String text) {
        int length = text.length();
        if (length < 20 || length > 30 || text.charAt(4) != '-' || text.charAt(7) != '-' || text.charAt(10) != 'T'
                || text.charAt(13) != ':' || text.charAt(16) != ':' || text.charAt(length - 1) != 'Z') {
            return null;
        }
        int year = digits(text, 0, 4);
        int month = digits(text, 5, 2);
        int day = digits(text, 8, 2);
        int hour = digits(text, 11, 2);
        int minute = digits(text, 14, 2);
        int second = digits(text, 17, 2);
        if (year < 0 || month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0
                || second > 59) {
            return null;
        }
        int nano = 0;
        if (length != 20) {
            int fraction = length - 21; // between '.' and 'Z'
            if (text.charAt(19) != '.' || fraction < 1 || fraction > 9) {
                return null;
            }
            nano = digits(text, 20, fraction);
            if (nano < 0) {
                return null;
            }
            for (int i = fraction; i < 9; i++) {
                nano *= 10;
            }
        }
        long epochDay;
        try {
            epochDay = LocalDate.of(year, month, day).toEpochDay();
        } catch (DateTimeException e) {
            return null; // February 30th and friends: data binding says what is wrong
        }
        return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3_600 + minute * 60 + second, nano);
    }

    /** The decimal number of {@code count} ASCII digits at {@code at}, or -1 if one of them is not a digit. */
    private static int digits(String text, int at, int count) {
        int value = 0;
        for (int i = at; i < at + count; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }
}
