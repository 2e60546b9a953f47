package io.mailroom.pop3.retrieval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MessageSpoolTest {

    @TempDir
    Path directory;

    AtomicInteger closes = new AtomicInteger();

    @Test
    void dotStuffsLinesThatStartWithADotAndAddsTheTerminatingLine() throws IOException {
        String message = "Subject: dots\r\n\r\n.leading\r\n..two\r\n.\r\nend\r\n";
        assertThat(spoolAll(message)).isEqualTo("Subject: dots\r\n\r\n..leading\r\n...two\r\n..\r\nend\r\n.\r\n");
    }

    @Test
    void aMessageWithoutAFinalLineEndingGetsOneBeforeTheTerminator() throws IOException {
        assertThat(spoolAll("Subject: x\r\n\r\nno newline")).isEqualTo("Subject: x\r\n\r\nno newline\r\n.\r\n");
        assertThat(spoolAll("Subject: x\r\n\r\nends in CR\r")).isEqualTo("Subject: x\r\n\r\nends in CR\r\n.\r\n");
        assertThat(spoolAll("bare\n")).isEqualTo("bare\n\r\n.\r\n");
        assertThat(spoolAll("")).isEqualTo(".\r\n");
    }

    @Test
    void aDotAfterABareLineFeedIsStuffedToo() throws IOException {
        assertThat(spoolAll("a\n.b\r\n")).isEqualTo("a\n..b\r\n.\r\n");
    }

    @Test
    void topSendsTheHeaderTheBlankLineAndTheFirstLinesOfTheBody() throws IOException {
        String message = "From: a\r\nSubject: b\r\n\r\nline 1\r\n.line 2\r\nline 3\r\n";
        assertThat(spool(message, 0)).isEqualTo("From: a\r\nSubject: b\r\n\r\n.\r\n");
        assertThat(spool(message, 2)).isEqualTo("From: a\r\nSubject: b\r\n\r\nline 1\r\n..line 2\r\n.\r\n");
        assertThat(spool(message, 99)).isEqualTo("From: a\r\nSubject: b\r\n\r\nline 1\r\n..line 2\r\nline 3\r\n.\r\n");
    }

    @Test
    void topOfAMessageWithoutABodyIsTheWholeHeader() throws IOException {
        assertThat(spool("Subject: only a header\r\n", 5)).isEqualTo("Subject: only a header\r\n.\r\n");
    }

    @Test
    void topStopsReadingTheSourceAndClosesIt() throws IOException {
        StringBuilder body = new StringBuilder("Subject: big\r\n\r\n");
        for (int i = 0; i < 100_000; i++) {
            body.append("line ").append(i).append(" of a long body\r\n");
        }
        byte[] bytes = body.toString().getBytes(StandardCharsets.US_ASCII);
        CountingStream source = new CountingStream(bytes);
        MessageSpool spool = new MessageSpool(directory, 1 << 20, 8 << 20);

        try (SpooledMessage top = spool.spool(source, bytes.length, 3, closes::incrementAndGet)) {
            assertThat(new String(top.readAllBytes(), StandardCharsets.US_ASCII))
                    .isEqualTo("Subject: big\r\n\r\nline 0 of a long body\r\nline 1 of a long body\r\nline 2 of a long body\r\n.\r\n");
        }
        assertThat(source.closed).isTrue();
        assertThat(source.read).as("read one buffer, not the whole message").isLessThanOrEqualTo(MessageSpool.BUFFER_SIZE);
    }

    @Test
    void smallMessagesStayInMemoryAndGiveTheirMemoryBackWhenClosed() throws IOException {
        MessageSpool spool = new MessageSpool(directory, 1024, 4096);
        byte[] bytes = "Subject: s\r\n\r\nsmall\r\n".getBytes(StandardCharsets.US_ASCII);

        SpooledMessage message = spool.spool(new ByteArrayInputStream(bytes), bytes.length, MessageSpool.WHOLE_MESSAGE, closes::incrementAndGet);

        assertThat(message.inMemory()).isTrue();
        assertThat(spool.memoryAvailable()).isEqualTo(4096 - bytes.length - 3);
        message.close();
        message.close();
        assertThat(spool.memoryAvailable()).isEqualTo(4096);
        assertThat(closes).hasValue(1);
    }

    @Test
    void largeMessagesGoToAFileThatIsGoneOnceOpenAndTheBytesSurvive() throws IOException {
        MessageSpool spool = new MessageSpool(directory, 1024, 1 << 20);
        byte[] bytes = lines(50_000);

        try (SpooledMessage message = spool.spool(new ByteArrayInputStream(bytes), bytes.length, MessageSpool.WHOLE_MESSAGE, closes::incrementAndGet)) {
            assertThat(message.inMemory()).isFalse();
            try (var files = Files.list(directory)) {
                assertThat(files).as("unlinked while open").isEmpty();
            }
            byte[] spooled = message.readAllBytes();
            assertThat(spooled.length).isEqualTo(message.size()).isEqualTo(bytes.length + 3);
            assertThat(new String(spooled, StandardCharsets.US_ASCII)).endsWith("line 49999\r\n.\r\n");
        }
        assertThat(spool.memoryAvailable()).isEqualTo(1 << 20);
        assertThat(closes).hasValue(1);
    }

    @Test
    void whenTheMemoryBudgetIsSpentMessagesGoToFiles() throws IOException {
        byte[] bytes = lines(20);
        MessageSpool spool = new MessageSpool(directory, 1024, bytes.length + bytes.length / 16 + 5);

        SpooledMessage first = spool.spool(new ByteArrayInputStream(bytes), bytes.length, MessageSpool.WHOLE_MESSAGE, () -> { });
        SpooledMessage second = spool.spool(new ByteArrayInputStream(bytes), bytes.length, MessageSpool.WHOLE_MESSAGE, () -> { });

        assertThat(first.inMemory()).isTrue();
        assertThat(second.inMemory()).isFalse();
        assertThat(second.readAllBytes()).isEqualTo(first.readAllBytes());
        first.close();
        second.close();
    }

    @Test
    void aMessageThatOutgrowsItsSizeMovesToAFile() throws IOException {
        // Every line starts with a dot: stuffing adds a byte per line, beyond the headroom reserved.
        StringBuilder dots = new StringBuilder();
        for (int i = 0; i < 200; i++) {
            dots.append(".\r\n");
        }
        byte[] bytes = dots.toString().getBytes(StandardCharsets.US_ASCII);
        MessageSpool spool = new MessageSpool(directory, 1 << 20, 1 << 20);

        try (SpooledMessage message = spool.spool(new ByteArrayInputStream(bytes), bytes.length, MessageSpool.WHOLE_MESSAGE, () -> { })) {
            assertThat(new String(message.readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo(dots.toString().replace(".", "..") + ".\r\n");
        }
        assertThat(spool.memoryAvailable()).isEqualTo(1 << 20);
    }

    @Test
    void aFailingSourceLeavesNothingBehind() throws IOException {
        MessageSpool spool = new MessageSpool(directory, 10, 1 << 20);
        InputStream failing = new InputStream() {
            int count;

            @Override
            public int read() throws IOException {
                if (count++ > 200_000) {
                    throw new IOException("mailbox-api went away");
                }
                return 'x';
            }
        };

        assertThatThrownBy(() -> spool.spool(failing, 1_000_000, MessageSpool.WHOLE_MESSAGE, closes::incrementAndGet))
                .isInstanceOf(IOException.class);
        try (var files = Files.list(directory)) {
            assertThat(files).isEmpty();
        }
        assertThat(spool.memoryAvailable()).isEqualTo(1 << 20);
        assertThat(closes).as("nothing was handed out, so nothing to close").hasValue(0);
    }

    @Test
    void theStagedBytesAreTheSameHoweverTheSourceSplitsTheMessage() throws IOException {
        // Dots, CRs and LFs at random places, and a source that hands them over in pieces of random length (one byte,
        // a few, more than a buffer), in memory and in a file: the bulk copy must stuff exactly what a byte loop does.
        java.util.Random random = new java.util.Random(1939);
        byte[] alphabet = {'.', '.', '\r', '\n', '\n', 'a', 'b', ' '};
        for (int round = 0; round < 200; round++) {
            byte[] bytes = new byte[random.nextInt(round < 150 ? 3000 : 200_000)];
            for (int i = 0; i < bytes.length; i++) {
                bytes[i] = alphabet[random.nextInt(alphabet.length)];
            }
            long seed = random.nextLong();
            MessageSpool spool = new MessageSpool(directory, round % 2 == 0 ? 1 << 20 : 1024, 8 << 20);
            try (SpooledMessage message = spool.spool(new PiecesStream(bytes, new java.util.Random(seed)), bytes.length,
                    MessageSpool.WHOLE_MESSAGE, () -> { })) {
                assertThat(message.readAllBytes()).as("round %d", round).isEqualTo(stuffedByteByByte(bytes));
            }
        }
    }

    /** RFC 1939 §3 the plain way: a dot before every line that starts with one, a line ending, then ".CRLF". */
    private static byte[] stuffedByteByByte(byte[] message) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        boolean lineStart = true;
        for (byte b : message) {
            if (lineStart && b == '.') {
                out.write('.');
            }
            out.write(b);
            lineStart = b == '\n';
        }
        int n = message.length;
        if (n > 0 && message[n - 1] != '\n') {
            if (message[n - 1] != '\r') {
                out.write('\r');
            }
            out.write('\n');
        } else if (n > 0 && (n < 2 || message[n - 2] != '\r')) {
            out.write('\r');
            out.write('\n');
        }
        out.writeBytes(".\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }

    /** Hands a message over in pieces of random length. */
    private static final class PiecesStream extends InputStream {
        private final byte[] bytes;
        private final java.util.Random random;
        private int position;

        PiecesStream(byte[] bytes, java.util.Random random) {
            this.bytes = bytes;
            this.random = random;
        }

        @Override
        public int read() {
            return position < bytes.length ? bytes[position++] & 0xff : -1;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) {
            if (position == bytes.length) {
                return -1;
            }
            int count = Math.min(Math.min(length, bytes.length - position), 1 + random.nextInt(random.nextBoolean() ? 4 : 100_000));
            System.arraycopy(bytes, position, buffer, offset, count);
            position += count;
            return count;
        }
    }

    private String spoolAll(String message) throws IOException {
        return spool(message, MessageSpool.WHOLE_MESSAGE);
    }

    private String spool(String message, int bodyLines) throws IOException {
        byte[] bytes = message.getBytes(StandardCharsets.US_ASCII);
        MessageSpool spool = new MessageSpool(directory, 1 << 20, 8 << 20);
        try (SpooledMessage spooled = spool.spool(new ByteArrayInputStream(bytes), bytes.length, bodyLines, () -> { })) {
            return new String(spooled.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    private static byte[] lines(int count) {
        StringBuilder text = new StringBuilder("Subject: lines\r\n\r\n");
        for (int i = 0; i < count; i++) {
            text.append("line ").append(i).append("\r\n");
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static final class CountingStream extends ByteArrayInputStream {
        long read;
        boolean closed;

        CountingStream(byte[] bytes) {
            super(bytes);
        }

        @Override
        public synchronized int read(byte[] buffer, int offset, int length) {
            int count = super.read(buffer, offset, length);
            if (count > 0) {
                read += count;
            }
            return count;
        }

        @Override
        public void close() throws IOException {
            closed = true;
            super.close();
        }
    }
}
