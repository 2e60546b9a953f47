package io.mailroom.pop3.retrieval;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A message staged by {@link MessageSpool}, ready to be written: reading it never waits on anything but
 * memory or a local file. Closing it (Netty's chunked writer does, once the last byte is out or the
 * connection is gone) frees its memory or file and runs the close action once.
 */
public abstract sealed class SpooledMessage extends InputStream {

    private final long size;
    private final Runnable onClose;
    private final AtomicBoolean closed = new AtomicBoolean();
    protected long position;

    private SpooledMessage(long size, Runnable onClose) {
        this.size = size;
        this.onClose = onClose;
    }

    static SpooledMessage inMemory(List<byte[]> chunks, long size, Runnable onClose) {
        return new InMemory(chunks, size, onClose);
    }

    /** @param leftover the file, when it could not be unlinked while open; deleted at close */
    static SpooledMessage inFile(FileChannel channel, long size, Path leftover, Runnable onClose) {
        return new InFile(channel, size, leftover, onClose);
    }

    /** The bytes to write, dot-stuffing and terminating line included. */
    public long size() {
        return size;
    }

    public abstract boolean inMemory();

    public boolean isClosed() {
        return closed.get();
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int available() {
        return (int) Math.min(Integer.MAX_VALUE, size - position);
    }

    @Override
    public final void close() throws IOException {
        if (closed.compareAndSet(false, true)) {
            try {
                release();
            } finally {
                onClose.run();
            }
        }
    }

    protected abstract void release() throws IOException;

    private static final class InMemory extends SpooledMessage {

        private List<byte[]> chunks;
        private int chunk;
        private int offset;

        InMemory(List<byte[]> chunks, long size, Runnable onClose) {
            super(size, onClose);
            this.chunks = chunks;
        }

        @Override
        public boolean inMemory() {
            return true;
        }

        @Override
        public int read(byte[] buffer, int off, int length) throws IOException {
            if (chunks == null) {
                throw new IOException("closed");
            }
            if (length == 0) {
                return 0;
            }
            while (chunk < chunks.size() && offset == chunks.get(chunk).length) {
                chunk++;
                offset = 0;
            }
            if (chunk == chunks.size()) {
                return -1;
            }
            byte[] current = chunks.get(chunk);
            int count = Math.min(length, current.length - offset);
            System.arraycopy(current, offset, buffer, off, count);
            offset += count;
            position += count;
            return count;
        }

        @Override
        protected void release() {
            chunks = null;
        }
    }

    private static final class InFile extends SpooledMessage {

        private final FileChannel channel;
        private final Path leftover;

        InFile(FileChannel channel, long size, Path leftover, Runnable onClose) {
            super(size, onClose);
            this.channel = channel;
            this.leftover = leftover;
        }

        @Override
        public boolean inMemory() {
            return false;
        }

        @Override
        public int read(byte[] buffer, int off, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            int count = channel.read(ByteBuffer.wrap(buffer, off, length));
            if (count > 0) {
                position += count;
            }
            return count;
        }

        @Override
        protected void release() throws IOException {
            try {
                channel.close();
            } finally {
                if (leftover != null) {
                    Files.deleteIfExists(leftover);
                }
            }
        }
    }
}
