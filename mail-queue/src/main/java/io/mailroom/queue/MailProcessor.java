package io.mailroom.queue;

/**
 * What delivery-service does with each queued message. The adapter acknowledges the message only
 * after this returns {@link Disposition.Done}; a thrown exception counts as a retry.
 */
@FunctionalInterface
public interface MailProcessor {

    /**
     * @param mail    the message, with the {@link QueuedMail#state() state} the previous attempt left
     * @param attempt 1 for the first delivery of this message, then 2, 3, … for every later one: retries, and also
     *                deliveries that ended without an outcome (the consumer crashed, lost its connection or its
     *                lease), so that a message that kills its consumer still moves along its back-off schedule.
     *                A message delivered {@code mailroom.queue.consumer.max-deliveries} times in a row without an
     *                outcome is not offered again but dead-lettered.
     */
    Disposition process(QueuedMail mail, int attempt);
}
