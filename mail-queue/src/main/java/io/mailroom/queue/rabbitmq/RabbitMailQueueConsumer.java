package io.mailroom.queue.rabbitmq;

import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.amqp.core.AcknowledgeMode;
import org.springframework.amqp.core.Message;
import org.springframework.amqp.rabbit.listener.SimpleMessageListenerContainer;
import org.springframework.amqp.rabbit.listener.api.ChannelAwareMessageListener;
import org.springframework.core.task.SimpleAsyncTaskExecutor;

import com.rabbitmq.client.Channel;

import io.mailroom.queue.Disposition;
import io.mailroom.queue.MailProcessor;
import io.mailroom.queue.MailQueueConsumer;
import io.mailroom.queue.MailQueueProperties;
import io.mailroom.queue.QueueUnavailableException;
import io.mailroom.queue.QueuedMail;
import io.mailroom.queue.support.MailDispatcher;
import io.mailroom.queue.support.QueueFormat;
import io.mailroom.queue.support.QueueMetrics;

/**
 * Consumes the inbound quorum queue with manual acknowledgements: a message is acked only after the
 * processor answered Done, or after its copy for the retry path or the dead-letter queue was confirmed
 * by the broker; until then the broker holds it and delivers it again if this consumer goes away.
 * Each of the {@code concurrency} consumers has a prefetch of one, so no more messages than that are
 * ever in this process at once.
 */
public final class RabbitMailQueueConsumer implements MailQueueConsumer {

    private static final Logger LOG = LoggerFactory.getLogger(RabbitMailQueueConsumer.class);

    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final RabbitQueueBroker broker;
    private final RabbitQueueTopology topology;
    private final MailQueueProperties.Consumer settings;
    private final Duration publishTimeout;
    private final QueueMetrics metrics;
    private final ConfirmedPublisher publisher;
    private SimpleMessageListenerContainer container;
    private MailDispatcher dispatcher;
    private final MailDispatcher.Tracing tracing;

    public RabbitMailQueueConsumer(RabbitQueueBroker broker, MailQueueProperties.Consumer settings,
                                   Duration publishTimeout, QueueMetrics metrics) {
        this(broker, settings, publishTimeout, metrics, MailDispatcher.Tracing.NONE);
    }

    /** @param tracing continues each message's trace around its processing */
    public RabbitMailQueueConsumer(RabbitQueueBroker broker, MailQueueProperties.Consumer settings,
                                   Duration publishTimeout, QueueMetrics metrics, MailDispatcher.Tracing tracing) {
        this.tracing = tracing;
        this.broker = broker;
        this.topology = broker.topology();
        this.settings = settings;
        this.publishTimeout = publishTimeout;
        this.metrics = metrics;
        this.publisher = new ConfirmedPublisher(broker);
    }

    @Override
    public synchronized void start(MailProcessor processor) {
        if (container != null) {
            throw new IllegalStateException("this consumer was started already");
        }
        this.dispatcher = new MailDispatcher(processor, settings.errorRetryDelay(), tracing);
        SimpleMessageListenerContainer listener = new SimpleMessageListenerContainer(broker.connectionFactory());
        listener.setQueueNames(topology.inboundQueue());
        listener.setConcurrentConsumers(settings.concurrency());
        listener.setPrefetchCount(1);
        listener.setAcknowledgeMode(AcknowledgeMode.MANUAL);
        listener.setMessageListener((ChannelAwareMessageListener) this::onMessage);
        listener.setShutdownTimeout(settings.shutdownTimeout().toMillis());
        // the broker may be away at start-up or later: keep trying to (re-)subscribe rather than give up
        listener.setMissingQueuesFatal(false);
        listener.setPossibleAuthenticationFailureFatal(false);
        listener.setRecoveryInterval(2_000);
        listener.setTaskExecutor(new SimpleAsyncTaskExecutor("mailroom-queue-rabbit-" + INSTANCES.incrementAndGet() + "-"));
        listener.afterPropertiesSet();
        listener.start();
        this.container = listener;
        LOG.info("RabbitMQ queue consumer started on {} ({} at a time)", topology.inboundQueue(), settings.concurrency());
    }

    private void onMessage(Message message, Channel channel) throws IOException {
        long tag = message.getMessageProperties().getDeliveryTag();
        int attempt = RabbitMessageFormat.attempt(message);
        int unfinished = RabbitMessageFormat.deliveryCount(message);
        Disposition disposition;
        String id = message.getMessageProperties().getMessageId();
        if (unfinished >= topology.deliveryLimit()) {
            // one delivery before the broker's own x-delivery-limit, so that the dead letter says why
            String reason = MailDispatcher.poisonReason(unfinished);
            LOG.error("Queued message {}: {}; moving it to the dead-letter queue", id, reason);
            disposition = Disposition.dead(reason);
        } else {
            try {
                QueuedMail mail = RabbitMessageFormat.read(message);
                disposition = dispatcher.dispatch(mail, attempt);
            } catch (QueueFormat.UnreadableMessageException e) {
                LOG.error("Queued message {} cannot be read ({}); moving it to the dead-letter queue", id, e.getMessage());
                disposition = Disposition.dead(e.getMessage());
            }
        }
        try {
            switch (disposition) {
                case Disposition.Done done -> {
                    channel.basicAck(tag, false);
                    metrics.acked();
                }
                case Disposition.Retry retry -> {
                    Duration tier = topology.tierFor(retry.delay());
                    publisher.publish(topology.exchange(), RabbitQueueTopology.retryRoutingKey(tier),
                            RabbitMessageFormat.forRetry(message, attempt + 1, retry.reason(), retry.state(),
                                    Instant.now().plus(tier)), publishTimeout);
                    channel.basicAck(tag, false);
                    metrics.retried();
                    LOG.info("Queued message {} will be tried again in {} (asked {}): {}", id, tier, retry.delay(),
                            retry.reason());
                }
                case Disposition.Dead dead -> {
                    publisher.publish(topology.exchange(), RabbitQueueTopology.DEAD,
                            RabbitMessageFormat.forDeadLetter(message, dead.reason(), dead.state()), publishTimeout);
                    channel.basicAck(tag, false);
                    metrics.deadLettered();
                    LOG.warn("Queued message {} moved to the dead-letter queue: {}", id, dead.reason());
                }
            }
        } catch (QueueUnavailableException | RuntimeException e) {
            // with manual acks nobody else would settle it, and this consumer (prefetch 1) would wait forever:
            // hand it back so that the broker offers it again
            LOG.warn("Could not move queued message {} on ({}); returning it to the queue: {}", id, disposition,
                    e.toString());
            channel.basicNack(tag, false, true);
        }
    }

    @Override
    public synchronized void close() {
        if (container == null) {
            return;
        }
        // waits up to the shutdown timeout for messages in progress; the channels of those still running
        // are then closed, which returns their messages to the queue
        container.stop();
        container.destroy();
        LOG.info("RabbitMQ queue consumer on {} stopped", topology.inboundQueue());
    }
}
