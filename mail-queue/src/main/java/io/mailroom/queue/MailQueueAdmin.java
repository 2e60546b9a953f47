package io.mailroom.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What an operator sees of the queue and can do to it: the messages waiting for a retry and the dead letters, one
 * message by id, "retry now" and delete. Each adapter answers from its own store (docs/queue-format.md says how);
 * a message that is neither deferred nor dead-lettered may be invisible here (RabbitMQ never browses the inbound
 * queue, whose messages belong to the consumers).
 */
public interface MailQueueAdmin {

    /** Counts, for the queue's gauges. */
    QueueStats stats() throws QueueUnavailableException;

    /** Messages waiting for their next attempt, soonest first; at most {@code limit}. */
    List<QueuedMessage> deferred(int limit) throws QueueUnavailableException;

    /** Dead letters, most recent first; at most {@code limit}. */
    List<QueuedMessage> deadLetters(int limit) throws QueueUnavailableException;

    /** The message with this queue id, wherever this adapter can see it. */
    Optional<QueuedMessage> find(String id) throws QueueUnavailableException;

    /**
     * Makes a deferred message due now; puts a dead letter back on the queue, where it starts a new delivery
     * period (attempts and retry period counted afresh, what was done before still not redone).
     */
    Result retryNow(String id) throws QueueUnavailableException;

    /** Removes a message that waits for a retry, or a dead letter, for good. */
    Result delete(String id) throws QueueUnavailableException;

    enum Result {
        DONE,
        NOT_FOUND,
        /** A consumer holds the message right now; try again once it is deferred or gone. */
        IN_PROGRESS
    }

    /** Where a message is. */
    enum Location {
        /** Waiting for a consumer. */
        QUEUED,
        /** A consumer holds it. */
        IN_PROGRESS,
        /** Waiting for its next attempt after a temporary failure. */
        DEFERRED,
        /** Moved aside: it could not be processed, or failed every attempt. */
        DEAD
    }

    /**
     * One message as the queue holds it.
     *
     * @param envelopeFrom  null when the envelope cannot be read (then only {@code id} and the reasons are known)
     * @param attempts      attempts made so far
     * @param lastError     the reason of the last retry; null before the first
     * @param nextAttemptAt when it is offered again; null when not deferred (or not known)
     * @param deadReason    why it was dead-lettered; null unless {@link Location#DEAD}
     */
    record QueuedMessage(String id, Location location, String traceId, String envelopeFrom, List<String> recipients,
                         Instant receivedAt, int attempts, String lastError, Instant nextAttemptAt, String deadReason,
                         Instant deadAt, DeliveryState state) {

        public QueuedMessage {
            recipients = recipients == null ? List.of() : List.copyOf(recipients);
            state = state == null ? DeliveryState.EMPTY : state;
        }
    }

    /**
     * @param ready      messages waiting for a consumer
     * @param deferred   messages waiting for their next attempt
     * @param inProgress messages a consumer holds; -1 when the adapter cannot tell
     * @param dead       dead letters
     * @param oldestAge  how long the oldest message on the queue (ready, deferred or in progress) has been there;
     *                   empty when the adapter cannot tell (RabbitMQ)
     */
    record QueueStats(long ready, long deferred, long inProgress, long dead, Optional<Duration> oldestAge) {
    }
}
