package io.mailroom.queue;

/**
 * The producer side of the queue between smtp-ingress and delivery-service. Adapters: RabbitMQ
 * (durable quorum queue, publisher confirms) and PostgreSQL (a table, committed rows); the
 * property {@code mailroom.queue.type} ({@code rabbitmq} | {@code postgres}) picks one.
 */
public interface MailQueue {

    /**
     * Returns only once the message is durable: confirmed by the broker, or committed.
     *
     * @throws QueueUnavailableException when that cannot be had within the configured timeout;
     *                                   smtp-ingress then answers {@code 451 4.3.0}
     */
    void enqueue(QueuedMail mail) throws QueueUnavailableException;
}
