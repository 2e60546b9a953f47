package io.mailroom.smtp.server;

import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.smtp.MailEnvelope;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the first {@code memoryThreshold} bytes of each message in memory and writes the rest to a file of its
 * own, so that many large messages arriving at once fill the disk, not the heap (James's own envelope holds
 * every message whole in memory). The files live in a directory this process makes for itself and removes
 * when it closes; each file is deleted as soon as its message has been answered.
 */
public final class SpoolingMessageBuffer implements MessageBuffer, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SpoolingMessageBuffer.class);
    private static final int FILE_BUFFER = 64 * 1024;

    private final Path directory;
    private final int memoryThreshold;

    /**
     * @param parent          the directory in which this process makes its spool directory (made if missing)
     * @param memoryThreshold bytes of a message kept in memory before it goes to a file
     */
    public SpoolingMessageBuffer(Path parent, int memoryThreshold) {
        try {
            Files.createDirectories(parent);
            this.directory = Files.createTempDirectory(parent, "spool-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make the SMTP spool directory in " + parent, e);
        }
        this.memoryThreshold = memoryThreshold;
        log.info("Spooling SMTP message data beyond {} bytes to {}", memoryThreshold, directory);
    }

    public Path directory() {
        return directory;
    }

    @Override
    public SpooledEnvelope newEnvelope(MaybeSender sender, List<MailAddress> recipients) {
        return new SpooledEnvelope(sender, recipients);
    }

    @Override
    public void close() {
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> file.toFile().delete());
        } catch (IOException e) {
            log.warn("Cannot remove the SMTP spool directory {}: {}", directory, e.toString());
        }
    }

    /** One message being received: memory first, then a file. */
    public final class SpooledEnvelope implements MailEnvelope, AutoCloseable {

        private final MaybeSender sender;
        private final List<MailAddress> recipients;
        private final SpoolOutputStream data = new SpoolOutputStream();

        private SpooledEnvelope(MaybeSender sender, List<MailAddress> recipients) {
            this.sender = sender;
            this.recipients = List.copyOf(recipients);
        }

        @Override
        public long getSize() {
            return data.size;
        }

        @Override
        public List<MailAddress> getRecipients() {
            return recipients;
        }

        @Override
        public MaybeSender getMaybeSender() {
            return sender;
        }

        @Override
        public OutputStream getMessageOutputStream() {
            return data;
        }

        @Override
        public InputStream getMessageInputStream() throws IOException {
            data.flushFile();
            if (data.file == null) {
                return new ByteArrayInputStream(data.memory, 0, data.memoryUsed);
            }
            return new java.io.SequenceInputStream(new ByteArrayInputStream(data.memory, 0, data.memoryUsed),
                    Files.newInputStream(data.file));
        }

        /** True once part of the message is in a file. */
        public boolean spooled() {
            return data.file != null;
        }

        /** Deletes the file, if there is one; the message cannot be read afterwards. */
        @Override
        public void close() {
            data.discard();
        }
    }

    /**
     * Writes to memory up to the threshold, then to a file. James flushes after every line; that is ignored
     * here, since a system call per line would cost more than the whole spooling saves.
     */
    private final class SpoolOutputStream extends OutputStream {

        private byte[] memory = new byte[Math.min(memoryThreshold, 8 * 1024)];
        private int memoryUsed;
        private long size;
        private Path file;
        private OutputStream fileOut;

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            int toMemory = fileOut == null ? Math.min(length, memoryThreshold - memoryUsed) : 0;
            if (toMemory > 0) {
                if (memoryUsed + toMemory > memory.length) {
                    memory = Arrays.copyOf(memory, Math.min(memoryThreshold, Math.max(memory.length * 2, memoryUsed + toMemory)));
                }
                System.arraycopy(bytes, offset, memory, memoryUsed, toMemory);
                memoryUsed += toMemory;
            }
            if (toMemory < length) {
                if (fileOut == null) {
                    file = Files.createTempFile(directory, "msg-", ".eml");
                    fileOut = new BufferedOutputStream(Files.newOutputStream(file), FILE_BUFFER);
                }
                fileOut.write(bytes, offset + toMemory, length - toMemory);
            }
            size += length;
        }

        @Override
        public void flush() {
            // see the class comment
        }

        void flushFile() throws IOException {
            if (fileOut != null) {
                fileOut.flush();
            }
        }

        @Override
        public void close() throws IOException {
            flushFile();
        }

        void discard() {
            try {
                if (fileOut != null) {
                    fileOut.close();
                }
                if (file != null) {
                    Files.deleteIfExists(file);
                }
            } catch (IOException e) {
                log.warn("Cannot delete the spool file {}: {}", file, e.toString());
            } finally {
                fileOut = null;
                file = null;
                memory = new byte[0];
                memoryUsed = 0;
            }
        }
    }
}
