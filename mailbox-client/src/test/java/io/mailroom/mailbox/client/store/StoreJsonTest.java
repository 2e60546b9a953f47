package io.mailroom.mailbox.client.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The hand-written readers read what Jackson's data binding reads: the same record for every input data binding
 * accepts, an exception (a {@link JacksonException}) for every input it refuses. Checked over what mailbox-api
 * writes, over hand-picked odd forms, and over a few thousand seeded mutations of both.
 */
class StoreJsonTest {

    private static final TypeReference<List<MessageMetadata>> METADATA_LIST = new TypeReference<>() {
    };

    private final JsonMapper dataBinding = JsonMapper.builder().build();
    private final JsonMapper handWritten = StoreJson.MAPPER;
    private final JsonMapper lenientDataBinding = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES).build();
    private final JsonMapper lenientHandWritten = lenientDataBinding.rebuild().addModule(new StoreJson()).build();

    private static final Envelope ENVELOPE = new Envelope("Mon, 5 Jan 2026 10:00:00 +0000", "Grüße \"quoted\" \\ back 🙂",
            List.of(new Envelope.Address("Ann Example", "ann", "example.org")), List.of(),
            List.of(new Envelope.Address(null, "group", null), new Envelope.Address("B", "b", "example.net"),
                    new Envelope.Address(null, null, null)),
            List.of(new Envelope.Address("Ünïcode ✉", "u", "exämple.com")), null, null, "<parent@example.org>",
            "<id@example.org>");

    private static final Envelope INNER_ENVELOPE = new Envelope(null, "inner", List.of(new Envelope.Address(null, "x", "y")),
            null, null, null, null, null, null, null);

    private static final BodyStructure TEXT = new BodyStructure("text", "plain", Map.of("charset", "utf-8", "format", "flowed"),
            null, null, "8bit", 20, 1L, null, null, null, null, null, null, null, null);

    private static final BodyStructure ATTACHED = new BodyStructure("message", "rfc822", Map.of("name", "x.eml"),
            "<cid>", "désc", "7bit", 120, 4L, "md5==", "attachment", Map.of("filename", "x.eml"), List.of("en", "de"),
            "http://example.org/x", List.of(), INNER_ENVELOPE,
            new BodyStructure("multipart", "alternative", Map.of("boundary", "b2"), null, null, null, 80, null, null,
                    null, null, null, null, List.of(TEXT, new BodyStructure("text", "html", Map.of(), null, null,
                    "quoted-printable", 40, 2L, null, "inline", Map.of(), List.of(), null, List.of(), null, null)),
                    null, null));

    private static final BodyStructure MIXED = new BodyStructure("multipart", "mixed", Map.of("boundary", "b1"), null,
            null, null, 300, null, null, null, null, null, null, List.of(TEXT, ATTACHED), null, null);

    private static final List<MessageMetadata> MESSAGES = List.of(
            new MessageMetadata(1, 2, 3, 4, 5, Set.of(), null, null, 0, 0, 0, null, null, null, null, null, null),
            new MessageMetadata(7, 4_000_000_000L, Long.MAX_VALUE, 9, 9, Set.of("\\Seen", "\\Flagged", "$Label1", "ünï"),
                    Instant.parse("2026-01-05T10:00:00Z"), Instant.parse("2026-01-05T10:00:00.123456789Z"), 10_240,
                    300, 120, "text", "plain", 120L, ENVELOPE, TEXT,
                    "Subject: Grüße\r\n\r\n".getBytes(StandardCharsets.UTF_8)),
            new MessageMetadata(1, 1, 1, 1, 1, Set.of("\\Deleted"), Instant.EPOCH, Instant.parse("1969-12-31T23:59:59.999Z"),
                    1, 1, 0, "multipart", "mixed", null, ENVELOPE, MIXED, new byte[0]),
            new MessageMetadata(-1, 0, Long.MIN_VALUE, 0, 0, Set.of("\\Recent"), Instant.parse("9999-12-31T23:59:59.999999Z"),
                    Instant.parse("0000-01-01T00:00:00.100Z"), 5, 5, 5, "message", "rfc822", null,
                    new Envelope(null, null, null, null, null, null, null, null, null, null), ATTACHED,
                    new byte[] {0, (byte) 0xff, 13, 10}));

    @Test
    void whatMailboxApiWritesIsReadAsDataBindingReadsIt() {
        for (MessageMetadata message : MESSAGES) {
            String json = dataBinding.writeValueAsString(message);
            MessageMetadata read = handWritten.readValue(json, MessageMetadata.class);
            assertSameMetadata(read, message);
            assertSameMetadata(read, dataBinding.readValue(json, MessageMetadata.class));
        }
        String page = dataBinding.writeValueAsString(new MessagePage(MESSAGES, 42L));
        MessagePage read = handWritten.readValue(page, MessagePage.class);
        assertThat(read.nextUid()).isEqualTo(42L);
        assertSameList(read.messages(), MESSAGES);
        assertThat(handWritten.readValue("{\"messages\":[],\"nextUid\":null}", MessagePage.class))
                .isEqualTo(new MessagePage(List.of(), null));
        assertSameList(handWritten.readValue(dataBinding.writeValueAsString(MESSAGES), METADATA_LIST), MESSAGES);
        assertThat(handWritten.readValue(dataBinding.writeValueAsString(MIXED), BodyStructure.class)).isEqualTo(MIXED);
        assertThat(handWritten.readValue(dataBinding.writeValueAsString(ENVELOPE), Envelope.class)).isEqualTo(ENVELOPE);
        assertThat(handWritten.readValue("null", MessageMetadata.class)).isNull();
    }

    @Test
    void oddFormsAreReadOrRefusedAsDataBindingDoes() {
        String base = dataBinding.writeValueAsString(MESSAGES.get(1));
        List<String> odd = new ArrayList<>();
        for (String field : List.of("mailboxId", "uid", "size", "textLines", "mediaType", "internalDate", "saveDate",
                "flags", "envelope", "structure", "header")) {
            odd.add(base.replaceFirst("\"" + field + "\":", "\"" + field + "_gone\":")); // missing (and an unknown one)
            for (String value : List.of("null", "\"\"", "\"12\"", "\" 12\"", "1.5", "1.0", "1e3", "-0", "true", "[]", "[1]",
                    "{}", "{\"a\":1}", "\"x\"", "99999999999999999999", "0", "\"2026-01-01T00:00:00+01:00\"",
                    "\"2026-01-01t00:00:00z\"", "\"2026-02-30T00:00:00Z\"", "\"2026-01-01T23:59:60Z\"",
                    "\"2026-01-01T00:00:00.Z\"", "\"+12026-01-01T00:00:00Z\"", "\"2026-01-01T00:00:00.1234567890Z\"",
                    "\"2026-01-01T24:00:00Z\"", "\"AAEC\"", "\"!!\"", "[\"a\",\"a\",\"A\"]", "[null]", "[1,true]",
                    "[\"\\\\Seen\",\"\\\\Seen\"]", "[\"a\",[\"b\"]]", "[\"a\",[]]", "[[\"b\"],\"a\"]", "[\"a\",{}]",
                    "[\"a\",null,\"b\"]", "[\"a\",1.5,false]", "[{\"a\":1}]")) {
                odd.add(replaceValue(base, field, value));
            }
        }
        odd.add(base.replace("{\"mailboxId\"", "{\"future\":{\"a\":[1,{\"b\":null}]},\"more\":[[],{}],\"mailboxId\""));
        odd.add(base.replace("\"uid\":4000000000", "\"uid\":1,\"uid\":4000000000"));
        odd.add("{\"mailboxId\":1,\"uid\":1,\"modSeq\":1,\"emailId\":1,\"threadId\":1,\"size\":1,\"headerOctets\":1,"
                + "\"bodyLines\":1}");
        odd.add("{\"bodyLines\":1,\"headerOctets\":1,\"size\":1,\"threadId\":1,\"emailId\":1,\"modSeq\":1,\"uid\":1,"
                + "\"mailboxId\":1,\"flags\":null,\"envelope\":null}");
        odd.addAll(List.of("{}", "[]", "\"\"", "1", "true", "{\"uid\":1", "{\"uid\":1}}", "{\"uid\":}", "[{}]"));
        for (String json : odd) {
            compare(json);
        }
        for (String json : List.of("{\"messages\":[]}", "{}", "{\"messages\":null}", "{\"messages\":[null]}",
                "{\"messages\":{}}", "{\"messages\":[],\"nextUid\":\"5\"}", "{\"messages\":[],\"nextUid\":\"\"}",
                "{\"messages\":[],\"nextUid\":1.5}", "{\"messages\":[],\"x\":[1],\"nextUid\":7}", "[]", "{\"messages\":[1]}",
                "{\"messages\":[" + base + "],\"messages\":[]}")) {
            comparePage(json);
        }
        String envelope = dataBinding.writeValueAsString(ENVELOPE);
        for (String json : List.of(envelope, "{}", "{\"to\":\"\"}", "{\"to\":[\"x\"]}", "{\"to\":[null]}", "{\"to\":[{}]}",
                "{\"to\":[{\"name\":1,\"mailbox\":null,\"host\":\"h\",\"x\":{}}]}", "{\"subject\":[1]}", "{\"subject\":7}",
                "{\"to\":{}}", "[]", "\"\"", "{\"to\":[[]]}", "{\"from\":[],\"from\":null}", "{\"to\":[[{}]]}",
                "{\"to\":[{},\"\"]}", "{\"to\":[{\"name\":[\"n\"]}]}", "[{}]")) {
            compare(json, Envelope.class);
        }
        String structure = dataBinding.writeValueAsString(MIXED);
        for (String json : List.of(structure, "{}", "{\"bodyOctets\":1}", "{\"bodyOctets\":1,\"parameters\":{\"a\":null}}",
                "{\"bodyOctets\":1,\"parameters\":{\"a\":1,\"b\":true}}", "{\"bodyOctets\":1,\"parameters\":[]}",
                "{\"bodyOctets\":1,\"parameters\":{\"a\":\"1\",\"a\":\"2\"}}", "{\"bodyOctets\":1,\"languages\":\"en\"}",
                "{\"bodyOctets\":1,\"languages\":[null]}", "{\"bodyOctets\":1,\"languages\":[1]}",
                "{\"bodyOctets\":1,\"parts\":[null]}", "{\"bodyOctets\":1,\"parts\":[{}]}", "{\"bodyOctets\":1,\"parts\":{}}",
                "{\"bodyOctets\":1,\"message\":{\"bodyOctets\":2,\"message\":{\"bodyOctets\":3,\"envelope\":{}}}}",
                "{\"bodyOctets\":1,\"lines\":\"3\"}", "{\"bodyOctets\":\"1\"}", "{\"bodyOctets\":null}",
                "{\"bodyOctets\":1,\"parts\":[\"\"]}", "{\"bodyOctets\":1,\"parameters\":{\"a\":{}}}",
                "{\"bodyOctets\":1,\"parts\":[[{\"bodyOctets\":1}]]}", "{\"bodyOctets\":1,\"envelope\":[{}]}",
                "{\"bodyOctets\":1,\"languages\":[[\"en\"]]}", "{\"bodyOctets\":1,\"languages\":[\"en\",[1,2]]}",
                "{\"bodyOctets\":1,\"languages\":[\"en\",{}]}", "{\"bodyOctets\":1,\"languages\":[\"en\",true,null]}",
                "{\"bodyOctets\":1,\"parameters\":{\"a\":[\"b\"]}}", "[{\"bodyOctets\":1}]")) {
            compare(json, BodyStructure.class);
        }
    }

    @Test
    void seededMutationsAreReadOrRefusedAsDataBindingDoes() {
        Random random = new Random(20261127);
        List<String> seeds = new ArrayList<>();
        for (MessageMetadata message : MESSAGES) {
            seeds.add(dataBinding.writeValueAsString(message));
        }
        int refused = 0;
        int accepted = 0;
        for (int i = 0; i < 4000; i++) {
            JsonNode tree = dataBinding.readTree(seeds.get(random.nextInt(seeds.size())));
            int mutations = 1 + random.nextInt(3);
            for (int m = 0; m < mutations; m++) {
                mutate(tree, random);
            }
            String json = dataBinding.writeValueAsString(tree);
            boolean ok = compare(json);
            if (ok) {
                accepted++;
            } else {
                refused++;
            }
        }
        // the mutations reach both outcomes often enough to mean something
        assertThat(accepted).isGreaterThan(400);
        assertThat(refused).isGreaterThan(400);
    }

    @Test
    void malformedInputIsAnExceptionNotARecord() {
        for (String json : List.of("{\"mailboxId\":[1]}", "{\"flags\":\"\\\\Seen\"}", "{\"internalDate\":\"yesterday\"}",
                "{\"header\":\"!!\"}", "{\"envelope\":{\"to\":\"ann@example.org\"}}", "{\"structure\":[]}",
                "{\"structure\":{\"bodyOctets\":1,\"parts\":[null]}}", "{\"uid\":1", "{\"uid\":1} trailing")) {
            assertThatThrownBy(() -> lenientHandWritten.readValue(json, MessageMetadata.class)).as(json)
                    .isInstanceOf(JacksonException.class);
        }
        assertThatThrownBy(() -> handWritten.readValue("{\"messages\":null}", MessagePage.class))
                .isInstanceOf(JacksonException.class);
        // a primitive missing is an error, as with data binding's defaults
        assertThatThrownBy(() -> handWritten.readValue("{\"uid\":1}", MessageMetadata.class))
                .isInstanceOf(JacksonException.class);
    }

    @Test
    void isoInstantsAreParsedAsInstantParseDoes() {
        for (String text : List.of("1970-01-01T00:00:00Z", "2024-02-29T12:34:56.1Z", "2026-11-27T20:00:00.123456Z",
                "2026-11-27T20:00:00.000000001Z", "9999-12-31T23:59:59.999999999Z", "0000-01-01T00:00:00Z",
                "1969-12-31T23:59:59.99Z", "2000-01-01T00:00:00.12345678Z")) {
            assertThat(StoreJson.parseIsoInstant(text)).as(text).isEqualTo(Instant.parse(text));
        }
        for (String text : List.of("2026-02-29T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T23:59:60Z",
                "2026-01-01t00:00:00Z", "2026-01-01T00:00:00+00:00", "2026-01-01T00:00:00.Z", "+10000-01-01T00:00:00Z",
                "2026-1-01T00:00:00Z", "2026-01-01T00:00:00.1234567890Z", "2026-13-01T00:00:00Z", "2026-00-01T00:00:00Z",
                "2026-01-00T00:00:00Z", "2026-01-01T00:60:00Z", "2026-01-01T00:00:0xZ", "")) {
            assertThat(StoreJson.parseIsoInstant(text)).as(text).isNull();
        }
    }

    // ---- comparison ----

    /** Compares both readers in both settings of FAIL_ON_NULL_FOR_PRIMITIVES; true when data binding accepted. */
    private boolean compare(String json) {
        Outcome strict = outcome(dataBinding, handWritten, json, MessageMetadata.class);
        outcome(lenientDataBinding, lenientHandWritten, json, MessageMetadata.class);
        String list = "[" + json + "," + dataBinding.writeValueAsString(MESSAGES.get(0)) + "]";
        Outcome inList = outcome(lenientDataBinding, lenientHandWritten, list, METADATA_LIST);
        outcome(lenientDataBinding, lenientHandWritten, "{\"messages\":" + list + ",\"nextUid\":3}", MessagePage.class);
        return strict.accepted || inList.accepted;
    }

    private void compare(String json, Class<?> type) {
        outcome(dataBinding, handWritten, json, type);
        outcome(lenientDataBinding, lenientHandWritten, json, type);
    }

    private void comparePage(String json) {
        outcome(dataBinding, handWritten, json, MessagePage.class);
        outcome(lenientDataBinding, lenientHandWritten, json, MessagePage.class);
    }

    private record Outcome(boolean accepted) {
    }

    private Outcome outcome(JsonMapper expectedMapper, JsonMapper actualMapper, String json, Object type) {
        if (containerWhereAStringBelongs(json, type)) {
            // the one place the readers differ on purpose (StoreJson.element): data binding unwraps [["x"]] in an
            // array of strings and then reads the rest of the input out of step
            assertThatThrownBy(() -> read(actualMapper, json, type)).as(json).isInstanceOf(JacksonException.class);
            return new Outcome(false);
        }
        Object expected;
        try {
            expected = read(expectedMapper, json, type);
        } catch (JacksonException e) {
            Object read;
            try {
                read = read(actualMapper, json, type);
            } catch (JacksonException alike) {
                return new Outcome(false);
            } catch (RuntimeException other) {
                throw new AssertionError("not a JacksonException for " + json + ": " + other, other);
            }
            throw new AssertionError("data binding refused " + json + " (" + e.getOriginalMessage()
                    + ") but the hand-written reader read " + read);
        }
        Object actual;
        try {
            actual = read(actualMapper, json, type);
        } catch (RuntimeException e) {
            throw new AssertionError("data binding read " + expected + " from " + json + " but the hand-written reader threw "
                    + e, e);
        }
        assertSame(actual, expected, json);
        return new Outcome(true);
    }

    /** Whether an array of flags or languages that the reader reaches holds an array or an object. */
    private boolean containerWhereAStringBelongs(String json, Object type) {
        JsonNode tree;
        try {
            tree = dataBinding.readTree(json);
        } catch (JacksonException e) {
            return false;
        }
        if (type == MessageMetadata.class) {
            return inMetadata(tree);
        }
        if (type == BodyStructure.class) {
            return inStructure(tree);
        }
        if (type == MessagePage.class) {
            return tree.isObject() && tree.path("messages").isArray() && anyOf(tree.path("messages"), this::inMetadata);
        }
        if (type == METADATA_LIST) {
            return tree.isArray() && anyOf(tree, this::inMetadata);
        }
        return false;
    }

    private boolean inMetadata(JsonNode metadata) {
        return metadata.isObject() && (holdsContainer(metadata.get("flags")) || inStructure(metadata.path("structure")));
    }

    private boolean inStructure(JsonNode structure) {
        if (!structure.isObject()) {
            return false;
        }
        return holdsContainer(structure.get("languages")) || inStructure(structure.path("message"))
                || structure.path("parts").isArray() && anyOf(structure.path("parts"), this::inStructure);
    }

    private static boolean holdsContainer(JsonNode strings) {
        return strings != null && strings.isArray() && anyOf(strings, JsonNode::isContainer);
    }

    private static boolean anyOf(JsonNode array, java.util.function.Predicate<JsonNode> test) {
        for (JsonNode element : array) {
            if (test.test(element)) {
                return true;
            }
        }
        return false;
    }

    @SuppressWarnings("unchecked")
    private static Object read(JsonMapper mapper, String json, Object type) {
        return type instanceof Class<?> c ? mapper.readValue(json, c) : mapper.readValue(json, (TypeReference<Object>) type);
    }

    private static void assertSame(Object actual, Object expected, String json) {
        if (expected instanceof MessageMetadata m) {
            assertThat(actual).as(json).isInstanceOf(MessageMetadata.class);
            assertSameMetadata((MessageMetadata) actual, m);
        } else if (expected instanceof MessagePage page) {
            assertThat(actual).as(json).isInstanceOf(MessagePage.class);
            assertThat(((MessagePage) actual).nextUid()).as(json).isEqualTo(page.nextUid());
            assertSameList(((MessagePage) actual).messages(), page.messages());
        } else if (expected instanceof List<?> list && !list.isEmpty() && list.get(0) instanceof MessageMetadata) {
            @SuppressWarnings("unchecked")
            List<MessageMetadata> messages = (List<MessageMetadata>) list;
            @SuppressWarnings("unchecked")
            List<MessageMetadata> actualMessages = (List<MessageMetadata>) actual;
            assertSameList(actualMessages, messages);
        } else {
            assertThat(actual).as(json).isEqualTo(expected);
        }
    }

    private static void assertSameList(List<MessageMetadata> actual, List<MessageMetadata> expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.size(); i++) {
            assertSameMetadata(actual.get(i), expected.get(i));
        }
    }

    /** Record equality, with the header compared by content (a record compares arrays by identity). */
    private static void assertSameMetadata(MessageMetadata actual, MessageMetadata expected) {
        if (expected == null || actual == null) {
            assertThat(actual).isEqualTo(expected);
            return;
        }
        assertThat(withoutHeader(actual)).isEqualTo(withoutHeader(expected));
        if (!Arrays.equals(actual.header(), expected.header())) {
            fail("headers differ: " + Arrays.toString(actual.header()) + " vs " + Arrays.toString(expected.header()));
        }
    }

    private static MessageMetadata withoutHeader(MessageMetadata m) {
        return new MessageMetadata(m.mailboxId(), m.uid(), m.modSeq(), m.emailId(), m.threadId(), m.flags(),
                m.internalDate(), m.saveDate(), m.size(), m.headerOctets(), m.bodyLines(), m.mediaType(), m.subType(),
                m.textLines(), m.envelope(), m.structure(), null);
    }

    // ---- mutations ----

    private static final List<String> VALUES = List.of("null", "\"\"", "\"7\"", "7", "-3", "1.5", "true", "[]", "{}",
            "[null]", "[\"a\"]", "[1]", "{\"x\":1}", "\"2026-01-01T00:00:00Z\"", "\"2026-01-01T00:00:00.5Z\"",
            "\"AAEC\"", "\"é\"", "99999999999999999999", "[{}]", "[{\"name\":\"n\",\"mailbox\":\"m\",\"host\":\"h\"}]",
            "{\"bodyOctets\":1}", "[[\"x\"]]", "[\"a\",[1]]", "[[{}]]");

    private void mutate(JsonNode root, Random random) {
        List<JsonNode> containers = new ArrayList<>();
        collect(root, containers);
        JsonNode target = containers.get(random.nextInt(containers.size()));
        JsonNode value = dataBinding.readTree(VALUES.get(random.nextInt(VALUES.size())));
        if (target instanceof ObjectNode object) {
            List<String> names = new ArrayList<>(object.propertyNames());
            int action = random.nextInt(4);
            if (names.isEmpty() || action == 0) {
                object.set("unknown" + random.nextInt(3), value);
            } else if (action == 1) {
                object.remove(names.get(random.nextInt(names.size())));
            } else {
                object.set(names.get(random.nextInt(names.size())), value);
            }
        } else if (target instanceof ArrayNode array) {
            if (array.isEmpty() || random.nextBoolean()) {
                array.add(value);
            } else {
                array.set(random.nextInt(array.size()), value);
            }
        }
    }

    private static void collect(JsonNode node, List<JsonNode> containers) {
        if (node.isContainer()) {
            containers.add(node);
            for (JsonNode child : node) {
                collect(child, containers);
            }
        }
    }

    private static String replaceValue(String json, String field, String value) {
        JsonMapper mapper = JsonMapper.builder().build();
        ObjectNode tree = (ObjectNode) mapper.readTree(json);
        tree.set(field, mapper.readTree(value));
        return mapper.writeValueAsString(tree);
    }
}
