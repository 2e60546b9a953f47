package io.mailroom.queue;

/**
 * What delivery-service does with each queued message. The adapter acknowledges the message only
 * after this returns {@link Disposition.Done}; a thrown exception counts as a retry.
 */
@FunctionalInterface
public interface MailProcessor {

    /**
     * @param attempt 1 for the first delivery of this message, then 2, 3, … on each retry
     */
    Disposition process(QueuedMail mail, int attempt);
}
