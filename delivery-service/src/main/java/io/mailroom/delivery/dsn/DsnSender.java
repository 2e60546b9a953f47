package io.mailroom.delivery.dsn;

import io.mailroom.queue.QueueUnavailableException;
import io.mailroom.queue.QueuedMail;

/** Where delivery status notifications go: onto the queue, as new messages (delivery-service then delivers them). */
@FunctionalInterface
public interface DsnSender {

    /** Returns once the notification is durable. */
    void send(QueuedMail notification) throws QueueUnavailableException;
}
