package io.mailroom.queue.rabbitmq;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.AmqpException;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.core.ReturnedMessage;
import org.springframework.amqp.rabbit.connection.CorrelationData;
import org.springframework.amqp.rabbit.core.RabbitTemplate;

import io.mailroom.queue.QueueUnavailableException;

/**
 * Publishes one message and returns only when the broker confirmed it and it reached a queue
 * (mandatory + returns): a message that was returned as unroutable is confirmed too, yet stored nowhere.
 */
final class ConfirmedPublisher {

    private static final Logger LOG = LoggerFactory.getLogger(ConfirmedPublisher.class);

    private final RabbitTemplate template;

    ConfirmedPublisher(RabbitQueueBroker broker) {
        this.template = new RabbitTemplate(broker.connectionFactory());
        template.setUsePublisherConnection(true);
        template.setMandatory(true);
        // the returned message is also put on the CorrelationData, before the confirm: see publish()
        template.setReturnsCallback(returned -> LOG.debug("RabbitMQ returned message {}: {} {}",
                returned.getMessage().getMessageProperties().getMessageId(), returned.getReplyCode(),
                returned.getReplyText()));
    }

    void publish(String exchange, String routingKey, Message message, Duration timeout) throws QueueUnavailableException {
        long deadline = System.nanoTime() + timeout.toNanos();
        String id = message.getMessageProperties().getMessageId();
        CorrelationData correlation = new CorrelationData(UUID.randomUUID().toString());
        try {
            template.send(exchange, routingKey, message, correlation);
        } catch (AmqpException e) {
            throw new QueueUnavailableException("RabbitMQ did not take message " + id + ": " + e.getMessage(), e);
        }
        CorrelationData.Confirm confirm;
        try {
            confirm = correlation.getFuture().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new QueueUnavailableException("RabbitMQ did not confirm message " + id + " within " + timeout, e);
        } catch (ExecutionException e) {
            throw new QueueUnavailableException("RabbitMQ did not confirm message " + id + ": " + e.getCause(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new QueueUnavailableException("interrupted while waiting for RabbitMQ to confirm message " + id, e);
        }
        if (!confirm.ack()) {
            throw new QueueUnavailableException("RabbitMQ refused message " + id + ": " + confirm.reason(), null);
        }
        ReturnedMessage returned = correlation.getReturned();
        if (returned != null) {
            throw new QueueUnavailableException("RabbitMQ could not route message " + id + " to " + exchange + "/"
                    + routingKey + ": " + returned.getReplyCode() + " " + returned.getReplyText(), null);
        }
    }
}
