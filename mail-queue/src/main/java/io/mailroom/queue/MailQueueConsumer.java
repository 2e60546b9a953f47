package io.mailroom.queue;

/**
 * The consumer side: delivers queued messages to a {@link MailProcessor} with bounded
 * concurrency, acknowledging each only after the processor is done with it. Messages that were
 * being processed when the consumer (or its process) stopped are delivered again.
 */
public interface MailQueueConsumer extends AutoCloseable {

    /** Starts consuming; returns at once. */
    void start(MailProcessor processor);

    /** Stops taking new messages and waits (bounded) for those in progress. */
    @Override
    void close();
}
