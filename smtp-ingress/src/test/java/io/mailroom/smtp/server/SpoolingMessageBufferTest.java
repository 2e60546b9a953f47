package io.mailroom.smtp.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.apache.james.core.MaybeSender;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SpoolingMessageBufferTest {

    @TempDir
    Path parent;

    @Test
    void aSmallMessageStaysInMemoryAndALargeOneGoesToAFileThatCloseDeletes() throws Exception {
        try (SpoolingMessageBuffer buffer = new SpoolingMessageBuffer(parent, 100)) {
            SpoolingMessageBuffer.SpooledEnvelope small = buffer.newEnvelope(MaybeSender.nullSender(), List.of());
            small.getMessageOutputStream().write("hello\r\n".getBytes());
            assertThat(small.spooled()).isFalse();

            SpoolingMessageBuffer.SpooledEnvelope large = buffer.newEnvelope(MaybeSender.nullSender(), List.of());
            byte[] line = "0123456789abcdefghijklmnopqrstuvwxyz\r\n".getBytes();
            OutputStream out = large.getMessageOutputStream();
            for (int i = 0; i < 1000; i++) {
                out.write(line);
                out.flush();
            }
            out.close();

            assertThat(large.spooled()).isTrue();
            assertThat(large.getSize()).isEqualTo(1000L * line.length);
            try (InputStream in = large.getMessageInputStream()) {
                byte[] read = in.readAllBytes();
                assertThat(read).hasSize(1000 * line.length);
                assertThat(new String(read, 0, line.length)).isEqualTo(new String(line));
                assertThat(new String(read, read.length - line.length, line.length)).isEqualTo(new String(line));
            }
            assertThat(files(buffer.directory())).isEqualTo(1);

            large.close();
            small.close();

            assertThat(files(buffer.directory())).isZero();
        }
        assertThat(files(parent)).as("the process's spool directory goes on close").isZero();
    }

    private static long files(Path directory) throws Exception {
        try (Stream<Path> files = Files.list(directory)) {
            return files.count();
        }
    }
}
