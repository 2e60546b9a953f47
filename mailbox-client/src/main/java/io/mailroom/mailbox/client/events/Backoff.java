package io.mailroom.mailbox.client.events;

import java.time.Duration;

/** Waits between reconnection attempts: 250 ms, doubling, up to a maximum; reset after a success. */
final class Backoff {

    private static final long FIRST_MILLIS = 250;

    private final long maxMillis;
    private long next = FIRST_MILLIS;

    Backoff(Duration max) {
        this.maxMillis = Math.max(FIRST_MILLIS, max.toMillis());
    }

    long next() {
        long wait = next;
        next = Math.min(maxMillis, next * 2);
        return wait;
    }

    void reset() {
        next = FIRST_MILLIS;
    }
}
