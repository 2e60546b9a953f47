package io.mailroom.pop3.retrieval;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Stages a message for RETR or TOP: reads it from mailbox-api on the calling (handler) thread, dot-stuffed
 * and terminated as a POP3 multi-line answer (RFC 1939 §3), into memory or, when it is large or memory is
 * short, into a file. Netty's I/O thread then only copies finished bytes out of memory or a local file: it
 * never waits on mailbox-api (DESIGN.md "Threading").
 *
 * <p>Memory is bounded twice: one message is kept in memory only up to {@code memoryThreshold}, and all
 * messages kept in memory together only up to {@code memoryBudget}; anything beyond goes to a file in
 * {@code directory}, which is unlinked as soon as it is open for reading, so that a crash leaves nothing
 * behind on systems that allow that (POSIX).
 *
 * <p>For TOP only the header, the blank line and the first lines of the body are read; the source is closed
 * as soon as they are in, which ends the transfer from mailbox-api.
 */
public final class MessageSpool {

    /** Every message read in whole. */
    public static final int WHOLE_MESSAGE = -1;
    static final int BUFFER_SIZE = 64 * 1024;
    private static final int MIN_BUFFER_SIZE = 1024;
    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte DOT = '.';
    private static final byte[] TERMINATOR = {DOT, CR, LF};

    private final Path directory;
    private final long memoryThreshold;
    private final AtomicLong memoryAvailable;

    public MessageSpool(Path directory, long memoryThreshold, long memoryBudget) {
        this.directory = directory;
        this.memoryThreshold = memoryThreshold;
        this.memoryAvailable = new AtomicLong(memoryBudget);
    }

    /** Bytes of the memory budget not in use now. */
    public long memoryAvailable() {
        return memoryAvailable.get();
    }

    /**
     * Reads a message into a multi-line answer's body: dot-stuffed, ending in CRLF, then {@code .CRLF}.
     * Closes {@code source} whatever happens.
     *
     * @param expectedSize the message's size as the maildrop lists it; picks memory or a file
     * @param bodyLines    {@link #WHOLE_MESSAGE}, or for TOP how many lines of the body follow the header
     * @param onClose      runs once when the staged message is closed (written out, or dropped)
     */
    public SpooledMessage spool(InputStream source, long expectedSize, int bodyLines, Runnable onClose) throws IOException {
        long reservation = 0;
        if (bodyLines != WHOLE_MESSAGE || expectedSize <= memoryThreshold) {
            // Dot-stuffing adds a byte per line that starts with a dot: a little headroom, then a file if need be.
            reservation = reserve(Math.min(memoryThreshold, expectedSize + expectedSize / 16 + TERMINATOR.length + 2));
        }
        // The staged bytes: the message, a dot per stuffed line, and the terminating line.
        long staged = bodyLines == WHOLE_MESSAGE ? expectedSize + expectedSize / 16 + TERMINATOR.length + 2 : BUFFER_SIZE;
        Sink sink = new Sink(reservation, bufferSize(staged));
        try (source) {
            copy(source, sink, expectedSize, bodyLines);
            return sink.finish(onClose);
        } catch (IOException | RuntimeException | Error e) {
            sink.discard();
            throw e;
        }
    }

    private void copy(InputStream source, Sink sink, long expectedSize, int bodyLines) throws IOException {
        // A buffer the size of the message (plus one byte to see the end) for small ones: most mail is a few KB, and
        // two 64 KiB buffers per RETR were most of the gateway's garbage.
        byte[] in = new byte[bufferSize(expectedSize + 1)];
        if (bodyLines == WHOLE_MESSAGE) {
            copyWhole(source, sink, in);
            return;
        }
        boolean lineStart = true;
        boolean lineEmpty = true;
        boolean inHeader = true;
        long bodyLinesSent = 0;
        byte last = LF;
        byte beforeLast = CR;
        boolean any = false;
        boolean done = false;
        int read;
        while (!done && (read = source.read(in, 0, in.length)) >= 0) {
            // Bytes are copied in runs; a run ends where a dot must be stuffed or TOP has its lines.
            int runStart = 0;
            int end = read;
            for (int i = 0; i < read; i++) {
                byte b = in[i];
                if (lineStart && b == DOT) {
                    sink.write(in, runStart, i - runStart);
                    sink.write(DOT);
                    runStart = i;
                }
                any = true;
                beforeLast = last;
                last = b;
                if (b == LF) {
                    if (bodyLines != WHOLE_MESSAGE) {
                        if (inHeader) {
                            if (lineEmpty) {
                                inHeader = false;
                                done = bodyLines == 0;
                            }
                        } else if (++bodyLinesSent >= bodyLines) {
                            done = true;
                        }
                        if (done) {
                            end = i + 1;
                            break;
                        }
                    }
                    lineStart = true;
                    lineEmpty = true;
                } else {
                    lineStart = false;
                    if (b != CR) {
                        lineEmpty = false;
                    }
                }
            }
            sink.write(in, runStart, end - runStart);
        }
        end(sink, any, last, beforeLast);
    }

    /**
     * RETR: the whole message, dot-stuffed. Only the byte after each line feed matters, so the loop looks for line
     * feeds alone (the general loop above, which also counts TOP's lines, was a twentieth of the gateway's CPU).
     */
    private static void copyWhole(InputStream source, Sink sink, byte[] in) throws IOException {
        boolean lineStart = true;
        boolean any = false;
        byte last = LF;
        byte beforeLast = CR;
        int read;
        while ((read = source.read(in, 0, in.length)) >= 0) {
            if (read == 0) {
                continue;
            }
            if (lineStart && in[0] == DOT) {
                sink.write(DOT); // the run below starts with the line's own dot
            }
            int runStart = 0;
            for (int i = 0; i < read - 1; i++) {
                if (in[i] == LF && in[i + 1] == DOT) {
                    sink.write(in, runStart, i + 1 - runStart);
                    sink.write(DOT);
                    runStart = i + 1;
                }
            }
            sink.write(in, runStart, read - runStart);
            any = true;
            beforeLast = read > 1 ? in[read - 2] : last;
            last = in[read - 1];
            lineStart = last == LF;
        }
        end(sink, any, last, beforeLast);
    }

    /**
     * RFC 1939 §3: the terminating line is CRLF "." CRLF, so the body must end with a line ending; then the
     * terminator.
     */
    private static void end(Sink sink, boolean any, byte last, byte beforeLast) throws IOException {
        if (any && last != LF) {
            if (last != CR) {
                sink.write(CR);
            }
            sink.write(LF);
        } else if (any && beforeLast != CR) {
            // a bare LF at the end: the terminator needs its own CRLF before it
            sink.write(CR);
            sink.write(LF);
        }
        sink.write(TERMINATOR, 0, TERMINATOR.length);
    }

    /** A buffer for about {@code bytes}: not below 1 KiB, not above {@link #BUFFER_SIZE}. */
    private static int bufferSize(long bytes) {
        return (int) Math.max(MIN_BUFFER_SIZE, Math.min(BUFFER_SIZE, bytes));
    }

    private long reserve(long bytes) {
        while (true) {
            long available = memoryAvailable.get();
            if (available < bytes) {
                return 0;
            }
            if (memoryAvailable.compareAndSet(available, available - bytes)) {
                return bytes;
            }
        }
    }

    private void giveBack(long bytes) {
        if (bytes > 0) {
            memoryAvailable.addAndGet(bytes);
        }
    }

    /** Where the bytes go: memory chunks while they fit the reservation, else a file. */
    private final class Sink {

        private final byte[] buffer;
        private int position;
        private long reservation;
        private List<byte[]> chunks = new ArrayList<>();
        private long inMemory;
        private Path file;
        private FileChannel channel;
        private long size;

        Sink(long reservation, int bufferSize) {
            this.reservation = reservation;
            this.buffer = new byte[bufferSize];
        }

        void write(byte b) throws IOException {
            if (position == buffer.length) {
                drain();
            }
            buffer[position++] = b;
        }

        void write(byte[] bytes, int offset, int length) throws IOException {
            while (length > 0) {
                if (position == buffer.length) {
                    drain();
                }
                int count = Math.min(length, buffer.length - position);
                System.arraycopy(bytes, offset, buffer, position, count);
                position += count;
                offset += count;
                length -= count;
            }
        }

        private void drain() throws IOException {
            if (position == 0) {
                return;
            }
            size += position;
            if (channel == null && inMemory + position <= reservation) {
                chunks.add(Arrays.copyOf(buffer, position));
                inMemory += position;
            } else {
                if (channel == null) {
                    toFile();
                }
                writeFully(ByteBuffer.wrap(buffer, 0, position));
            }
            position = 0;
        }

        private void toFile() throws IOException {
            Files.createDirectories(directory);
            file = Files.createTempFile(directory, "pop3-", ".msg");
            channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.READ);
            for (byte[] chunk : chunks) {
                writeFully(ByteBuffer.wrap(chunk));
            }
            chunks = null;
            inMemory = 0;
            giveBack(reservation);
            reservation = 0;
        }

        private void writeFully(ByteBuffer bytes) throws IOException {
            while (bytes.hasRemaining()) {
                channel.write(bytes);
            }
        }

        SpooledMessage finish(Runnable onClose) throws IOException {
            drain();
            if (channel != null) {
                channel.position(0);
                // Unlinked now: the open channel keeps the bytes, and nothing is left behind if the process dies.
                boolean unlinked = Files.deleteIfExists(file);
                return SpooledMessage.inFile(channel, size, unlinked ? null : file, onClose);
            }
            long unused = reservation - inMemory;
            giveBack(unused);
            long held = inMemory;
            return SpooledMessage.inMemory(chunks, size, () -> {
                giveBack(held);
                onClose.run();
            });
        }

        void discard() {
            giveBack(reservation);
            reservation = 0;
            chunks = null;
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // the file goes next
                }
                try {
                    Files.deleteIfExists(file);
                } catch (IOException ignored) {
                    // a temporary directory; nothing more to do
                }
            }
        }
    }
}
