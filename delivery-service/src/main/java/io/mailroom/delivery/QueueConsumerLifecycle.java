package io.mailroom.delivery;

import org.springframework.context.SmartLifecycle;

import io.mailroom.queue.MailQueueConsumer;

/**
 * Starts consuming once the context is up, and stops before anything it depends on is torn down:
 * as a lifecycle bean in the last phase it is stopped first on shutdown, so messages in progress
 * finish (bounded by mailroom.queue.consumer.shutdown-timeout) while mailbox-api's client still works.
 */
class QueueConsumerLifecycle implements SmartLifecycle {

    private final MailQueueConsumer consumer;
    private final DeliveryProcessor processor;
    private volatile boolean running;

    QueueConsumerLifecycle(MailQueueConsumer consumer, DeliveryProcessor processor) {
        this.consumer = consumer;
        this.processor = processor;
    }

    @Override
    public void start() {
        consumer.start(processor);
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        consumer.close();
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
