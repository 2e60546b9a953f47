package io.mailroom.mailbox.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;

import io.mailroom.mailbox.client.store.BodyStructure;
import io.mailroom.mailbox.client.store.Envelope;
import io.mailroom.mailbox.client.store.MessageMetadata;
import io.mailroom.mailbox.client.store.MessagePage;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/** The hand-written JSON is data binding's JSON, byte for byte, and reads what data binding wrote. */
class MetadataJsonTest {

    private final JsonMapper dataBinding = JsonMapper.builder().build();
    private final JsonMapper handWritten = JsonMapper.builder().addModule(new MetadataJson()).build();

    private static final Envelope ENVELOPE = new Envelope("Mon, 5 Jan 2026 10:00:00 +0000", "Grüße \"quoted\" \\ back",
            List.of(new Envelope.Address("Ann Example", "ann", "example.org")), List.of(),
            List.of(new Envelope.Address(null, "group", null), new Envelope.Address("B", "b", "example.net")),
            List.of(new Envelope.Address("Ünïcode", "u", "example.com")), null, null, "<parent@example.org>",
            "<id@example.org>");

    private static final BodyStructure STRUCTURE = new BodyStructure("message", "rfc822", Map.of("name", "x.eml"),
            "<cid>", "desc", "7bit", 120, 4L, null, "attachment", Map.of("filename", "x.eml"), List.of("en"), null,
            List.of(), ENVELOPE, new BodyStructure("text", "plain", Map.of("charset", "utf-8"), null, null, "8bit", 20,
            1L, null, null, null, null, null, null, null, null));

    @Test
    void metadataIsWrittenAsDataBindingWritesIt() {
        List<MessageMetadata> cases = List.of(
                new MessageMetadata(1, 2, 3, 4, 5, Set.of(), null, null, 0, 0, 0, null, null, null, null, null, null),
                new MessageMetadata(7, 4_000_000_000L, Long.MAX_VALUE, 9, 9, Set.of("\\Seen", "\\Flagged", "$Label1", "ünï"),
                        Instant.parse("2026-01-05T10:00:00Z"), Instant.parse("2026-01-05T10:00:00.123456789Z"), 10_240,
                        300, 120, "text", "plain", 120L, ENVELOPE, STRUCTURE,
                        "Subject: x\r\n\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII)),
                new MessageMetadata(1, 1, 1, 1, 1, Set.of("\\Deleted"), Instant.EPOCH, null, 1, 1, 0, "multipart", "mixed",
                        null, null, null, new byte[0]));
        for (MessageMetadata metadata : cases) {
            assertThat(handWritten.writeValueAsString(metadata)).isEqualTo(dataBinding.writeValueAsString(metadata));
        }
        MessagePage page = new MessagePage(cases, 42L);
        assertThat(handWritten.writeValueAsString(page)).isEqualTo(dataBinding.writeValueAsString(page));
        assertThat(dataBinding.readValue(handWritten.writeValueAsString(cases.get(1)), MessageMetadata.class).envelope())
                .isEqualTo(ENVELOPE);
    }

    @Test
    void datesAreWrittenAsDataBindingWritesThem() {
        List<Instant> instants = List.of(Instant.EPOCH, Instant.parse("1969-12-31T23:59:59.999Z"),
                Instant.parse("2026-02-28T23:59:59Z"), Instant.parse("2024-02-29T12:34:56.100Z"),
                Instant.parse("2026-11-27T20:00:00.123456Z"), Instant.parse("2026-11-27T20:00:00.000000001Z"),
                Instant.parse("2026-11-27T20:00:00.000001Z"), Instant.parse("9999-12-31T23:59:59.999999999Z"),
                Instant.parse("0000-01-01T00:00:00Z"), Instant.parse("-0001-12-31T23:59:59Z"), Instant.parse("+10000-01-01T00:00:00Z"));
        JsonMapper timestamps = JsonMapper.builder().enable(tools.jackson.databind.cfg.DateTimeFeature.WRITE_DATES_AS_TIMESTAMPS).build();
        JsonMapper timestampsHandWritten = timestamps.rebuild().addModule(new MetadataJson()).build();
        for (Instant instant : instants) {
            MessageMetadata metadata = new MessageMetadata(1, 1, 1, 1, 1, Set.of(), instant, instant, 1, 1, 1, "text",
                    "plain", 1L, null, null, null);
            assertThat(handWritten.writeValueAsString(metadata)).as(instant.toString())
                    .isEqualTo(dataBinding.writeValueAsString(metadata)).contains("\"" + instant + "\"");
            assertThat(timestampsHandWritten.writeValueAsString(metadata)).as("as timestamps: " + instant)
                    .isEqualTo(timestamps.writeValueAsString(metadata));
        }
    }

    @Test
    void datesTakeTheDirectWayUnlessTheMapperAsksForSomethingElse() {
        assertThat(MetadataJson.writesDatesDirectly(handWritten.serializationConfig())).isTrue();
        JsonMapper zoned = JsonMapper.builder().defaultTimeZone(java.util.TimeZone.getTimeZone("Europe/Paris")).build();
        JsonMapper millis = JsonMapper.builder().enable(tools.jackson.databind.cfg.DateTimeFeature.TRUNCATE_TO_MSECS_ON_WRITE).build();
        JsonMapper numbers = JsonMapper.builder().enable(tools.jackson.databind.cfg.DateTimeFeature.WRITE_DATES_AS_TIMESTAMPS).build();
        Instant instant = Instant.parse("2026-11-27T20:00:00.123456Z");
        MessageMetadata metadata = new MessageMetadata(1, 1, 1, 1, 1, Set.of(), instant, instant, 1, 1, 1, "text",
                "plain", 1L, null, null, null);
        for (JsonMapper other : List.of(zoned, millis, numbers)) {
            assertThat(MetadataJson.writesDatesDirectly(other.serializationConfig())).isFalse();
            assertThat(other.rebuild().addModule(new MetadataJson()).build().writeValueAsString(metadata))
                    .isEqualTo(other.writeValueAsString(metadata));
        }
    }

    @Test
    void envelopesAreWrittenAsDataBindingWritesThem() {
        for (Envelope envelope : List.of(ENVELOPE, new Envelope(null, null, null, null, null, null, null, null, null, null),
                STRUCTURE.envelope())) {
            assertThat(handWritten.writeValueAsString(envelope)).isEqualTo(dataBinding.writeValueAsString(envelope));
        }
        assertThat(handWritten.writeValueAsString(STRUCTURE)).isEqualTo(dataBinding.writeValueAsString(STRUCTURE));
    }

    @Test
    void envelopesAreReadAsDataBindingReadsThem() {
        String stored = dataBinding.writeValueAsString(ENVELOPE);
        assertThat(handWritten.readValue(stored, Envelope.class)).isEqualTo(dataBinding.readValue(stored, Envelope.class))
                .isEqualTo(ENVELOPE);
        String nested = dataBinding.writeValueAsString(STRUCTURE);
        assertThat(handWritten.readValue(nested, BodyStructure.class)).isEqualTo(STRUCTURE);

        String sparse = "{\"subject\":\"s\",\"from\":null,\"to\":[{\"mailbox\":\"m\",\"host\":\"h\",\"extra\":{\"a\":[1]}}],"
                + "\"future\":[1,{\"b\":2}],\"messageId\":null}";
        assertThat(handWritten.readValue(sparse, Envelope.class)).isEqualTo(dataBinding.readValue(sparse, Envelope.class))
                .isEqualTo(new Envelope(null, "s", List.of(), List.of(), List.of(),
                        List.of(new Envelope.Address(null, "m", "h")), List.of(), List.of(), null, null));
        assertThat(handWritten.readValue("null", Envelope.class)).isNull();
    }

    @Test
    void aMalformedEnvelopeIsAnError() {
        assertThatThrownBy(() -> handWritten.readValue("{\"subject\":[1]}", Envelope.class))
                .isInstanceOf(JacksonException.class);
        assertThatThrownBy(() -> handWritten.readValue("{\"to\":\"ann@example.org\"}", Envelope.class))
                .isInstanceOf(JacksonException.class);
        assertThatThrownBy(() -> handWritten.readValue("{\"to\":[null]}", Envelope.class))
                .isInstanceOf(JacksonException.class);
        assertThatThrownBy(() -> handWritten.readValue("[]", Envelope.class)).isInstanceOf(JacksonException.class);
    }
}
