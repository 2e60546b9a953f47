package io.mailroom.queue;

import java.time.Duration;

/** What became of one attempt at a queued message. */
public sealed interface Disposition {

    /** Every recipient has a final outcome: acknowledge and forget the message. */
    record Done() implements Disposition {
    }

    /** A temporary failure: offer the message again after {@code delay}, without blocking others. */
    record Retry(Duration delay, String reason) implements Disposition {
    }

    /** The message can never be processed: move it to the dead-letter queue with the reason. */
    record Dead(String reason) implements Disposition {
    }

    static Disposition done() {
        return new Done();
    }

    static Disposition retry(Duration delay, String reason) {
        return new Retry(delay, reason);
    }

    static Disposition dead(String reason) {
        return new Dead(reason);
    }
}
