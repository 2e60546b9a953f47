package io.mailroom.pop3.retrieval;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class RetrAtOnceTest {

    @Test
    void readsTheMessageNumberOfAPlainRetrLine() {
        assertThat(number("RETR 1\r\n")).isEqualTo(1);
        assertThat(number("retr 42\n")).isEqualTo(42);
        assertThat(number("Retr 999999999\r\n")).isEqualTo(999_999_999);
        assertThat(number("RETR 007\r\n")).isEqualTo(7);
    }

    @Test
    void anyOtherLineIsNoneOfIts() {
        assertThat(number("RETR\r\n")).isEqualTo(-1);
        assertThat(number("RETR \r\n")).isEqualTo(-1);
        assertThat(number("RETR  1\r\n")).isEqualTo(-1);
        assertThat(number("RETR 1 \r\n")).isEqualTo(-1);
        assertThat(number("RETR -1\r\n")).isEqualTo(-1);
        assertThat(number("RETR 1234567890\r\n")).as("more digits than a message number has").isEqualTo(-1);
        assertThat(number("TOP 1 0\r\n")).isEqualTo(-1);
        assertThat(number("RETRX1\r\n")).isEqualTo(-1);
        assertThat(number("DELE 1\r\n")).isEqualTo(-1);
    }

    @Test
    void looksOnlyAtTheReadableBytesAndConsumesNothing() {
        var buffer = Unpooled.copiedBuffer("xxRETR 5\r\n", StandardCharsets.US_ASCII);
        buffer.readerIndex(2);
        assertThat(RetrAtOnce.retrNumber(buffer)).isEqualTo(5);
        assertThat(buffer.readerIndex()).isEqualTo(2);
    }

    private static int number(String line) {
        return RetrAtOnce.retrNumber(Unpooled.copiedBuffer(line, StandardCharsets.US_ASCII));
    }
}
