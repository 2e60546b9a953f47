package io.mailroom.pop3.retrieval;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class MessageResponseTest {

    private final AtomicInteger closes = new AtomicInteger();

    private SpooledMessage message(String... chunks) {
        List<byte[]> parts = java.util.Arrays.stream(chunks).map(c -> c.getBytes(StandardCharsets.US_ASCII)).toList();
        long size = parts.stream().mapToLong(p -> p.length).sum();
        return SpooledMessage.inMemory(parts, size, closes::incrementAndGet);
    }

    @Test
    void theStatusLineIsTheStreamsFirstLineAndTheResponseHasNoLinesOfItsOwn() throws IOException {
        MessageResponse response = new MessageResponse("27 octets", message("Subject: a\r\n\r\n", "body\r\n.\r\n"));
        assertThat(response.getLines()).isEmpty();
        assertThat(response.getRetCode()).isEqualTo("+OK");
        try (InputStream in = response.getStream()) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.US_ASCII))
                    .isEqualTo("+OK 27 octets\r\nSubject: a\r\n\r\nbody\r\n.\r\n");
        }
        assertThat(closes).hasValue(1);
    }

    @Test
    void oneReadCarriesTheStatusLineAndEveryChunkOfTheMessage() throws IOException {
        InputStream in = new MessageResponse("10 octets", message("ab", "cd", "e\r\n.\r\n")).getStream();
        int total = "+OK 10 octets\r\n".length() + 10;
        assertThat(in.available()).isEqualTo(total);
        byte[] chunk = new byte[8192];
        assertThat(in.read(chunk, 0, chunk.length)).isEqualTo(total);
        assertThat(new String(chunk, 0, total, StandardCharsets.US_ASCII)).isEqualTo("+OK 10 octets\r\nabcde\r\n.\r\n");
        assertThat(in.available()).isZero();
        assertThat(in.read(chunk, 0, chunk.length)).isEqualTo(-1);
        assertThat(in.read()).isEqualTo(-1);
    }

    @Test
    void smallReadsAndSingleBytesCrossTheBoundaryWithoutLosingAByte() throws IOException {
        String expected = "+OK Top of message follows\r\nxy\r\n.\r\n";
        for (int size = 1; size <= expected.length() + 1; size++) {
            InputStream in = new MessageResponse("Top of message follows", message("x", "y\r\n", ".\r\n")).getStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[size];
            int read;
            while ((read = in.read(buffer, 0, size)) >= 0) {
                assertThat(read).isBetween(1, size);
                out.write(buffer, 0, read);
            }
            assertThat(out.toString(StandardCharsets.US_ASCII)).as("reads of %d", size).isEqualTo(expected);
        }
        InputStream in = new MessageResponse("Top of message follows", message("x", "y\r\n", ".\r\n")).getStream();
        StringBuilder single = new StringBuilder();
        int b;
        while ((b = in.read()) >= 0) {
            single.append((char) b);
        }
        assertThat(single).hasToString(expected);
        assertThat(in.read(new byte[0], 0, 0)).isZero();
    }
}
