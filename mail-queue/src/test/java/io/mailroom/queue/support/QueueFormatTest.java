package io.mailroom.queue.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.mailroom.queue.DeliveryState;
import io.mailroom.queue.DeliveryState.Destination;
import io.mailroom.queue.DeliveryState.Outcome;
import io.mailroom.queue.MailOptions;
import io.mailroom.queue.QueuedMail;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

class QueueFormatTest {

    private static final QueuedMail MAIL = new QueuedMail("m-1", "t-1", "", List.of("a@example.com", "\u00e9l\u00e8ve@example.fr"),
            Instant.parse("2024-01-02T03:04:05.000000007Z"), "Subject: x\r\n\r\n\u00ff".getBytes(StandardCharsets.ISO_8859_1));

    @Test
    void envelopeCarriesEveryFieldTheFormatDocumentNames() {
        JsonNode envelope = JsonMapper.builder().build().readTree(QueueFormat.envelopeJson(MAIL));

        assertThat(envelope.propertyNames())
                .containsExactlyInAnyOrder("version", "id", "traceId", "envelopeFrom", "recipients", "receivedAt");
        assertThat(envelope.get("version").intValue()).isEqualTo(1);
        assertThat(envelope.get("envelopeFrom").stringValue()).isEmpty();
        assertThat(envelope.get("receivedAt").stringValue()).isEqualTo("2024-01-02T03:04:05.000000007Z");
    }

    @Test
    void readGivesBackWhatWasWritten() {
        QueuedMail read = QueueFormat.read(1, QueueFormat.envelopeJson(MAIL), MAIL.content());

        assertThat(read.id()).isEqualTo("m-1");
        assertThat(read.traceId()).isEqualTo("t-1");
        assertThat(read.envelopeFrom()).isEmpty();
        assertThat(read.recipients()).containsExactly("a@example.com", "\u00e9l\u00e8ve@example.fr");
        assertThat(read.receivedAt()).isEqualTo(MAIL.receivedAt());
        assertThat(read.content()).isEqualTo(MAIL.content());
    }

    @Test
    void theTraceContextTravelsAndAMalformedOneIsDropped() {
        java.util.Map<String, String> context = java.util.Map.of(
                "traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", "tracestate", "mr=1");
        String json = QueueFormat.envelopeJson(MAIL.withTraceContext(context));

        assertThat(QueueFormat.read(1, json, MAIL.content()).traceContext()).isEqualTo(context);
        assertThat(QueueFormat.read(1, json, MAIL.content()).withState(DeliveryState.EMPTY).traceContext())
                .as("an attempt's new state keeps the trace").isEqualTo(context);
        String malformed = json.replace("\"traceContext\":{", "\"traceContext\":{\"x\":[1],");
        assertThat(QueueFormat.read(1, malformed, MAIL.content()).traceContext()).isEqualTo(context);
        String notAnObject = QueueFormat.envelopeJson(MAIL).replace("\"id\":", "\"traceContext\":\"zz\",\"id\":");
        assertThat(QueueFormat.read(1, notAnObject, MAIL.content()).traceContext()).isEmpty();
    }

    @Test
    void theSmtpTransactionsOptionsTravelAndComeBack() {
        MailOptions options = new MailOptions("203.0.113.7", "alice@example.com", true, "8BITMIME", "HDRS", "QQ314159",
                List.of(new MailOptions.RecipientOptions(true, List.of("SUCCESS", "FAILURE"), "rfc822;a@example.com"),
                        MailOptions.RecipientOptions.LOCAL));
        QueuedMail mail = new QueuedMail("m-2", "t-2", "alice@example.com", MAIL.recipients(), MAIL.receivedAt(), MAIL.content(), options);

        String json = QueueFormat.envelopeJson(mail);
        QueuedMail read = QueueFormat.read(1, json, mail.content());

        assertThat(read.options()).isEqualTo(options);
        JsonNode envelope = JsonMapper.builder().build().readTree(json);
        assertThat(envelope.get("version").intValue()).as("optional fields keep format version 1").isEqualTo(1);
        assertThat(envelope.get("recipientOptions").get(1).propertyNames()).isEmpty();
    }

    @Test
    void anEnvelopeWithoutOptionsReadsAsNone() {
        QueuedMail read = QueueFormat.read(1, """
                {"version":1,"id":"x","traceId":"t","envelopeFrom":"","recipients":["a@b"],"receivedAt":"2024-01-01T00:00:00Z"}""",
                MAIL.content());

        assertThat(read.options()).isEqualTo(MailOptions.NONE);
    }

    @Test
    void anUnknownVersionIsRefusedWithAReason() {
        assertThatThrownBy(() -> QueueFormat.read(2, QueueFormat.envelopeJson(MAIL), MAIL.content()))
                .isInstanceOf(QueueFormat.UnreadableMessageException.class)
                .hasMessageContaining("unsupported queue format version 2");
        assertThatThrownBy(() -> QueueFormat.read(null, QueueFormat.envelopeJson(MAIL), MAIL.content()))
                .isInstanceOf(QueueFormat.UnreadableMessageException.class)
                .hasMessageContaining("no format version");
    }

    @Test
    void aBrokenEnvelopeIsRefusedWithAReason() {
        assertThatThrownBy(() -> QueueFormat.read(1, "{not json", MAIL.content()))
                .isInstanceOf(QueueFormat.UnreadableMessageException.class).hasMessageContaining("not JSON");
        assertThatThrownBy(() -> QueueFormat.read(1, """
                {"version":1,"id":"x","traceId":"t","envelopeFrom":"","recipients":[],"receivedAt":"2024-01-01T00:00:00Z"}""",
                MAIL.content()))
                .isInstanceOf(QueueFormat.UnreadableMessageException.class).hasMessageContaining("no recipients");
        assertThatThrownBy(() -> QueueFormat.read(1, """
                {"version":1,"id":"x","traceId":"t","envelopeFrom":"","recipients":["a@b"],"receivedAt":"yesterday"}""",
                MAIL.content()))
                .isInstanceOf(QueueFormat.UnreadableMessageException.class).hasMessageContaining("receivedAt");
        assertThatThrownBy(() -> QueueFormat.read(1, """
                {"version":2,"id":"x","traceId":"t","envelopeFrom":"","recipients":["a@b"],"receivedAt":"2024-01-01T00:00:00Z"}""",
                MAIL.content()))
                .isInstanceOf(QueueFormat.UnreadableMessageException.class).hasMessageContaining("does not match");
    }

    private static final DeliveryState STATE = new DeliveryState(Instant.parse("2024-01-03T00:00:00Z"), true, List.of(
            new Destination("carol@elsewhere.org", "team@example.com", Outcome.RELAYED, "2.0.0",
                    "250 2.0.0 Ok: queued as 4711", "relay.example.net", Instant.parse("2024-01-02T04:00:00Z"), false),
            new Destination("ghost@example.com", null, Outcome.BOUNCED, "5.1.1", "no such user", null,
                    Instant.parse("2024-01-02T04:00:01Z"), true),
            new Destination("bob@example.com", null, Outcome.FILED, "2.0.0", "uid 7 in mailbox 3", null, null, false)));

    @Test
    void theDeliveryStateTravelsBesideTheEnvelopeAndComesBack() {
        String json = QueueFormat.stateJson(STATE);
        QueuedMail read = QueueFormat.read(1, QueueFormat.envelopeJson(MAIL.withState(STATE)), MAIL.content(), json);

        assertThat(read.state()).isEqualTo(STATE);
        assertThat(QueueFormat.envelopeJson(MAIL.withState(STATE))).as("the envelope stays what smtp-ingress wrote")
                .isEqualTo(QueueFormat.envelopeJson(MAIL));
        JsonNode node = JsonMapper.builder().build().readTree(json);
        assertThat(node.get("destinations").get(0).get("outcome").stringValue()).isEqualTo("relayed");
        assertThat(node.get("destinations").get(1).has("recipient")).as("written only when an alias expanded").isFalse();
    }

    @Test
    void anEmptyStateIsNotStoredAndNothingStoredReadsAsEmpty() {
        assertThat(QueueFormat.stateJson(DeliveryState.EMPTY)).isNull();
        assertThat(QueueFormat.readState(null)).isEqualTo(DeliveryState.EMPTY);
        assertThat(QueueFormat.read(1, QueueFormat.envelopeJson(MAIL), MAIL.content()).state()).isEqualTo(DeliveryState.EMPTY);
    }

    @Test
    void aStateThatCannotBeReadIsIgnoredRatherThanHoldingTheMessageUp() {
        assertThat(QueueFormat.readState("{not json")).isEqualTo(DeliveryState.EMPTY);
        assertThat(QueueFormat.readState("{\"destinations\":[{\"address\":\"a@b\",\"outcome\":\"teleported\"}]}"))
                .isEqualTo(DeliveryState.EMPTY);
    }

    @Test
    void aHugeStateDropsItsFiledEntriesWhichAreSafeToRedo() {
        DeliveryState big = STATE;
        for (int i = 0; i < 2_000; i++) {
            big = big.with(new Destination("user" + i + "@example.com", "all@example.com", Outcome.FILED, "2.0.0",
                    "uid " + i + " in mailbox 1", null, Instant.parse("2024-01-02T04:00:00Z"), false));
        }

        DeliveryState read = QueueFormat.readState(QueueFormat.stateJson(big));

        assertThat(QueueFormat.stateJson(big).length()).isLessThanOrEqualTo(QueueFormat.MAX_STATE_JSON);
        assertThat(read.destinations()).extracting(Destination::outcome).containsExactly(Outcome.RELAYED, Outcome.BOUNCED);
        assertThat(read.delayNotified()).isTrue();
    }

    @Test
    void aDestinationIsFoundAndReplacedWithoutRegardToCase() {
        DeliveryState updated = STATE.with(new Destination("Carol@Elsewhere.ORG", "team@example.com", Outcome.BOUNCED,
                "5.0.0", null, null, null, false));

        assertThat(updated.destinations()).hasSize(3);
        assertThat(updated.destination("CAROL@elsewhere.org")).get().extracting(Destination::outcome)
                .isEqualTo(Outcome.BOUNCED);
        assertThat(updated.destination("nobody@example.com")).isEmpty();
    }
}
