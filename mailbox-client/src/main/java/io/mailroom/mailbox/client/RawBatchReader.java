package io.mailroom.mailbox.client;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Reads mailbox-api's framed answer to {@code POST …/messages/raw} (docs/rest-api.md, "Read several messages"): per
 * UID asked, in that order, a line {@code <uid> <size>} followed by the bytes, {@code <uid> missing} or
 * {@code <uid> deferred}, each line ending in CRLF. Anything else (another UID, a line too long, an answer that
 * ends early) is an {@link IOException}: the framing can no longer be trusted.
 */
final class RawBatchReader implements AutoCloseable {

    private static final int MAX_LINE = 64;
    private static final int BUFFER = 64 * 1024;

    private final InputStream in;

    RawBatchReader(InputStream answer) {
        // buffered: the lines are read a byte at a time, and every read of the answer itself arms a timeout
        this.in = new BufferedInputStream(answer, BUFFER);
    }

    /** Hands every entry to {@code sink}; returns how many bytes of messages the answer carried. */
    long readAll(List<Long> uids, RawMessageSink sink) throws IOException {
        long bytes = 0;
        for (long uid : uids) {
            String line = readLine();
            int space = line.indexOf(' ');
            if (space < 0 || !line.substring(0, space).equals(Long.toString(uid))) {
                throw new IOException("mailbox-api answered '" + line + "' where message " + uid + " was expected");
            }
            String rest = line.substring(space + 1);
            switch (rest) {
                case "missing" -> sink.missing(uid);
                case "deferred" -> sink.deferred(uid);
                default -> {
                    long size = parseSize(rest, line);
                    Slice slice = new Slice(in, size);
                    sink.message(uid, slice);
                    slice.skipRest();
                    bytes += size;
                }
            }
        }
        return bytes;
    }

    private static long parseSize(String text, String line) throws IOException {
        try {
            long size = Long.parseLong(text);
            if (size >= 0) {
                return size;
            }
        } catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IOException("mailbox-api answered an unreadable entry: '" + line + "'");
    }

    private String readLine() throws IOException {
        byte[] line = new byte[MAX_LINE];
        int length = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("mailbox-api's answer ended before every message asked for");
            }
            if (b == '\n') {
                if (length == 0 || line[length - 1] != '\r') {
                    throw new IOException("mailbox-api answered a line without CRLF");
                }
                return new String(line, 0, length - 1, StandardCharsets.US_ASCII);
            }
            if (length == MAX_LINE) {
                throw new IOException("mailbox-api answered a line longer than " + MAX_LINE + " bytes");
            }
            line[length++] = (byte) b;
        }
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    /** One message's bytes of the answer; closing it leaves the answer open. */
    private static final class Slice extends InputStream {

        private final InputStream in;
        private long remaining;

        Slice(InputStream in, long size) {
            this.in = in;
            this.remaining = size;
        }

        @Override
        public int read() throws IOException {
            if (remaining == 0) {
                return -1;
            }
            int b = in.read();
            if (b < 0) {
                throw new EOFException("mailbox-api's answer ended inside a message");
            }
            remaining--;
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            if (remaining == 0) {
                return -1;
            }
            int count = in.read(buffer, offset, (int) Math.min(length, remaining));
            if (count < 0) {
                throw new EOFException("mailbox-api's answer ended inside a message");
            }
            remaining -= count;
            return count;
        }

        @Override
        public int available() throws IOException {
            return (int) Math.min(remaining, in.available());
        }

        /** Reads past what the sink left unread, so the next entry's line comes next. */
        void skipRest() throws IOException {
            while (remaining > 0) {
                long skipped = in.skip(remaining);
                if (skipped <= 0) {
                    if (in.read() < 0) {
                        throw new EOFException("mailbox-api's answer ended inside a message");
                    }
                    skipped = 1;
                }
                remaining -= skipped;
            }
        }

        @Override
        public void close() {
            // the answer stays open for the next entry; skipRest reads past what is left of this one
        }
    }
}
