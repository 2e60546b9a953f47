package io.mailroom.delivery.dsn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.mailroom.queue.DeliveryState.Destination;
import io.mailroom.queue.DeliveryState.Outcome;
import io.mailroom.queue.MailOptions;
import io.mailroom.queue.QueuedMail;

class DsnComposerTest {

    private static final Instant NOW = Instant.parse("2024-03-04T12:00:00Z");
    private final DsnComposer composer = new DsnComposer("mx.example.com", 100, Clock.fixed(NOW, ZoneOffset.UTC));

    private static QueuedMail original(String content) {
        return new QueuedMail("q-1", "t-1", "sender@example.org", List.of("ghost@example.com"),
                Instant.parse("2024-03-04T10:00:00Z"), content.getBytes(StandardCharsets.UTF_8));
    }

    private static DsnComposer.Entry failed(String address, String detail) {
        return new DsnComposer.Entry(new Destination(address, address, Outcome.BOUNCED, "5.1.1", detail, null, NOW, false),
                null, DsnComposer.Action.FAILED);
    }

    @Test
    void theReportIsAWellFormedMultipartReport() {
        QueuedMail dsn = composer.compose(original("Subject: hi\r\n\r\nbody\r\n"),
                List.of(failed("ghost@example.com", "no such user\r\nsecond line")), null);
        String text = new String(dsn.content(), StandardCharsets.UTF_8);

        String boundary = text.substring(text.indexOf("boundary=\"") + 10, text.indexOf('"', text.indexOf("boundary=\"") + 10));
        assertThat(text.split("\r\n--" + boundary + "\r\n", -1)).hasSize(4); // preamble + 3 parts
        assertThat(text).endsWith("\r\n--" + boundary + "--\r\n");
        assertThat(text).contains("Arrival-Date: Mon, 4 Mar 2024 10:00:00 GMT", "Last-Attempt-Date: Mon, 4 Mar 2024 12:00:00 GMT",
                "X-Mailroom-Diagnostic: no such user second line", "Subject: Undelivered Mail Returned to Sender");
        // no bare LF anywhere: every line ends in CRLF
        assertThat(text.replace("\r\n", "")).doesNotContain("\n", "\r");
    }

    @Test
    void theSameReportGetsTheSameQueueIdAndADifferentOneADifferentId() {
        QueuedMail mail = original("Subject: hi\r\n\r\nbody\r\n");
        String first = composer.compose(mail, List.of(failed("ghost@example.com", "x")), null).id();
        String again = composer.compose(mail, List.of(failed("Ghost@Example.com", "y")), null).id();
        String other = composer.compose(mail, List.of(failed("other@example.com", "x")), null).id();

        assertThat(first).isEqualTo(again).isNotEqualTo(other).startsWith("q-1-dsn-");
    }

    @Test
    void anOriginalLargerThanTheLimitComesBackAsItsHeaderOnly() {
        String body = "x".repeat(500);
        QueuedMail dsn = composer.compose(original("Subject: big\nX-Bare: lf\n\n" + body + "\n"),
                List.of(failed("ghost@example.com", "x")), null);
        String text = new String(dsn.content(), StandardCharsets.UTF_8);

        assertThat(text).contains("Content-Type: text/rfc822-headers", "Subject: big\nX-Bare: lf\n");
        assertThat(text).doesNotContain(body);
    }

    @Test
    void neverToTheNullSender() {
        QueuedMail bounce = new QueuedMail("q-2", "t", "", List.of("a@example.com"), NOW, new byte[0], MailOptions.NONE);

        assertThatThrownBy(() -> composer.compose(bounce, List.of(failed("a@example.com", "x")), null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void theHeaderBlockEndsAtTheFirstEmptyLine() {
        assertThat(new String(DsnComposer.headerBlock("A: 1\r\nB: 2\r\n\r\nbody\r\n\r\n".getBytes(StandardCharsets.US_ASCII)),
                StandardCharsets.US_ASCII)).isEqualTo("A: 1\r\nB: 2\r\n\r\n");
        assertThat(new String(DsnComposer.headerBlock("A: 1\r\nno body".getBytes(StandardCharsets.US_ASCII)),
                StandardCharsets.US_ASCII)).isEqualTo("A: 1\r\nno body");
    }
}
