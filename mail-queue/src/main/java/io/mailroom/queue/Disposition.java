package io.mailroom.queue;

import java.time.Duration;

/** What became of one attempt at a queued message. */
public sealed interface Disposition {

    /** Every recipient has a final outcome: acknowledge and forget the message. */
    record Done() implements Disposition {
    }

    /**
     * A temporary failure: offer the message again after {@code delay}, without blocking others.
     *
     * @param state what this attempt achieved, to travel with the message to the next one; null keeps the state
     *              the message came with
     */
    record Retry(Duration delay, String reason, DeliveryState state) implements Disposition {

        public Retry(Duration delay, String reason) {
            this(delay, reason, null);
        }
    }

    /**
     * The message can never be processed: move it to the dead-letter queue with the reason.
     *
     * @param state as for {@link Retry}: kept with the dead letter, so that a replay does not redo what was done
     */
    record Dead(String reason, DeliveryState state) implements Disposition {

        public Dead(String reason) {
            this(reason, null);
        }
    }

    static Disposition done() {
        return new Done();
    }

    static Disposition retry(Duration delay, String reason) {
        return new Retry(delay, reason);
    }

    static Disposition retry(Duration delay, String reason, DeliveryState state) {
        return new Retry(delay, reason, state);
    }

    static Disposition dead(String reason) {
        return new Dead(reason);
    }

    static Disposition dead(String reason, DeliveryState state) {
        return new Dead(reason, state);
    }
}
