package io.mailroom.pop3.retrieval;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.apache.james.protocols.api.StreamResponse;
import org.apache.james.protocols.pop3.POP3Response;

/**
 * {@code +OK}, then a staged message whose bytes already carry the dot-stuffing and the terminating line
 * (unlike James's {@code POP3StreamResponse}, which adds them while the I/O thread reads).
 *
 * <p>The status line travels at the head of the stream, not as the response's lines: James's transport writes a
 * response's lines and its stream as two writes, each a task handed to the event loop and a system call of its own;
 * this way a message that fits one chunk goes out in one (the transport skips the empty line part).
 */
final class MessageResponse extends POP3Response implements StreamResponse {

    private final SpooledMessage message;
    private final byte[] status;

    MessageResponse(String description, SpooledMessage message) {
        super(OK_RESPONSE, description);
        this.message = message;
        this.status = (OK_RESPONSE + " " + description + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** Nothing: the status line is the stream's first line. */
    @Override
    public List<CharSequence> getLines() {
        return List.of();
    }

    @Override
    public InputStream getStream() {
        return new StatusThenMessage(status, message);
    }

    /** The status line, then the message; closing it closes the message. */
    static final class StatusThenMessage extends InputStream {

        private final byte[] status;
        private final SpooledMessage message;
        private int sent;

        StatusThenMessage(byte[] status, SpooledMessage message) {
            this.status = status;
            this.message = message;
        }

        @Override
        public int read() throws IOException {
            if (sent < status.length) {
                return status[sent++] & 0xff;
            }
            return message.read();
        }

        /** Fills as much of {@code length} as the status line and the message hold: one read, one chunk. */
        @Override
        public int read(byte[] buffer, int off, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            int count = 0;
            if (sent < status.length) {
                count = Math.min(length, status.length - sent);
                System.arraycopy(status, sent, buffer, off, count);
                sent += count;
            }
            while (count < length) {
                int read = message.read(buffer, off + count, length - count);
                if (read <= 0) {
                    break;
                }
                count += read;
            }
            return count == 0 ? -1 : count;
        }

        @Override
        public int available() {
            long left = (long) (status.length - sent) + message.available();
            return (int) Math.min(Integer.MAX_VALUE, left);
        }

        @Override
        public void close() throws IOException {
            message.close();
        }
    }
}
