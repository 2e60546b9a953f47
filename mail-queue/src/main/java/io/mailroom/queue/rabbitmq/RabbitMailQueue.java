package io.mailroom.queue.rabbitmq;

import java.time.Duration;

import io.mailroom.queue.MailQueue;
import io.mailroom.queue.QueueUnavailableException;
import io.mailroom.queue.QueuedMail;
import io.mailroom.queue.support.QueueMetrics;

/**
 * Publishes persistent messages to the durable quorum queue and returns only after the broker confirmed
 * that the message is stored (a quorum queue confirms once a majority of its replicas have it).
 */
public final class RabbitMailQueue implements MailQueue {

    private final RabbitQueueTopology topology;
    private final ConfirmedPublisher publisher;
    private final Duration publishTimeout;
    private final QueueMetrics metrics;

    public RabbitMailQueue(RabbitQueueBroker broker, Duration publishTimeout, QueueMetrics metrics) {
        this.topology = broker.topology();
        this.publisher = new ConfirmedPublisher(broker);
        this.publishTimeout = publishTimeout;
        this.metrics = metrics;
    }

    @Override
    public void enqueue(QueuedMail mail) throws QueueUnavailableException {
        long started = System.nanoTime();
        try {
            publisher.publish(topology.exchange(), RabbitQueueTopology.INBOUND, RabbitMessageFormat.toMessage(mail),
                    publishTimeout);
        } catch (QueueUnavailableException e) {
            metrics.enqueueFailed(Duration.ofNanos(System.nanoTime() - started));
            throw e;
        }
        metrics.enqueued(Duration.ofNanos(System.nanoTime() - started));
    }
}
