package io.mailroom.mailbox.client;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Bounds every read of a streamed body: a read that makes no progress within the timeout closes the stream, so
 * the blocked reader gets an {@link IOException} instead of waiting forever on a stalled peer. The time between
 * reads (a slow consumer) does not count.
 */
final class ReadTimeoutInputStream extends FilterInputStream {

    private final long timeoutNanos;
    private final ScheduledExecutorService watchdog;
    private volatile boolean timedOut;

    ReadTimeoutInputStream(InputStream in, Duration timeout, ScheduledExecutorService watchdog) {
        super(in);
        this.timeoutNanos = timeout.toNanos();
        this.watchdog = watchdog;
    }

    @Override
    public int read() throws IOException {
        ScheduledFuture<?> alarm = arm();
        try {
            return super.read();
        } catch (IOException e) {
            throw translate(e);
        } finally {
            alarm.cancel(false);
        }
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        ScheduledFuture<?> alarm = arm();
        try {
            return super.read(buffer, offset, length);
        } catch (IOException e) {
            throw translate(e);
        } finally {
            alarm.cancel(false);
        }
    }

    private ScheduledFuture<?> arm() throws IOException {
        if (timedOut) {
            throw new IOException("mailbox-api sent nothing for " + Duration.ofNanos(timeoutNanos) + "; the stream was closed");
        }
        return watchdog.schedule(() -> {
            timedOut = true;
            try {
                in.close();
            } catch (IOException ignored) {
                // the reader learns of it from its failed read
            }
        }, timeoutNanos, TimeUnit.NANOSECONDS);
    }

    private IOException translate(IOException e) {
        return timedOut
                ? new IOException("mailbox-api sent nothing for " + Duration.ofNanos(timeoutNanos) + "; the stream was closed", e)
                : e;
    }
}
