package io.mailroom.smtp.hook;

import java.time.Duration;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * How many bytes of messages may be on the heap at once on their way to the queue. The queue takes a message
 * whole (a RabbitMQ message body, a PostgreSQL bytea), so each spooled message is read into memory once, just
 * before it is enqueued; this bounds how many can be at that point together. Counted in KiB.
 */
public final class EnqueueMemory {

    private final int permits;
    private final Semaphore available;
    private final Duration wait;

    public EnqueueMemory(long bytes, Duration wait) {
        this.permits = (int) Math.max(1, Math.min(Integer.MAX_VALUE, bytes / 1024));
        this.available = new Semaphore(permits, true);
        this.wait = wait;
    }

    /** Takes room for {@code bytes}; a message larger than the whole budget takes all of it. */
    public Reservation reserve(long bytes) throws InterruptedException {
        int wanted = (int) Math.min(permits, Math.max(1, (bytes + 1023) / 1024));
        if (!available.tryAcquire(wanted, wait.toNanos(), TimeUnit.NANOSECONDS)) {
            return null;
        }
        return new Reservation(wanted);
    }

    /** Room held for one message; give it back with {@link #close}. */
    public final class Reservation implements AutoCloseable {

        private final int held;

        private Reservation(int held) {
            this.held = held;
        }

        @Override
        public void close() {
            available.release(held);
        }
    }
}
