package io.mailroom.launcher;

import java.io.IOException;
import java.util.concurrent.TimeoutException;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

/**
 * Deletes the queues and the exchange of a run that used a prefix of its own ({@link QueueSettings.RabbitMq#ephemeral()}),
 * once the services are stopped, so runs leave nothing behind on a shared broker. Deleting a queue that was never
 * declared is not an error in RabbitMQ, so every name the services may have declared is simply deleted.
 */
final class RabbitMqCleanup {

    private RabbitMqCleanup() {
    }

    /** @return the messages that were still queued (and are gone now) */
    static long deleteQueues(QueueSettings.RabbitMq queue) throws IOException, TimeoutException {
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(queue.host());
        factory.setPort(queue.port());
        factory.setUsername(queue.username());
        factory.setPassword(queue.password());
        factory.setConnectionTimeout(5_000);
        factory.setAutomaticRecoveryEnabled(false);
        long dropped = 0;
        try (Connection connection = factory.newConnection("mailroom-launcher");
             Channel channel = connection.createChannel()) {
            for (String name : queue.queueNames()) {
                dropped += channel.queueDelete(name).getMessageCount();
            }
            channel.exchangeDelete(queue.exchangeName());
        }
        return dropped;
    }
}
