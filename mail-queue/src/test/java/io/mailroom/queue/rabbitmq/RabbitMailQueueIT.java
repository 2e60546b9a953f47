package io.mailroom.queue.rabbitmq;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.rabbitmq.client.AMQP;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;
import com.rabbitmq.client.LongString;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mailroom.queue.Disposition;
import io.mailroom.queue.MailQueue;
import io.mailroom.queue.MailQueueConsumer;
import io.mailroom.queue.MailQueueContractIT;
import io.mailroom.queue.MailQueueProperties;
import io.mailroom.queue.QueueUnavailableException;
import io.mailroom.queue.QueuedMail;
import io.mailroom.queue.support.QueueFormat;
import io.mailroom.queue.support.QueueMetrics;
import io.mailroom.testsupport.TcpProxy;
import io.mailroom.testsupport.TestBroker;
import io.mailroom.testsupport.TestRabbit;

class RabbitMailQueueIT extends MailQueueContractIT {

    // short tiers keep the retry tests quick (and fewer queues to clean up)
    private static final List<Duration> TIERS = List.of(Duration.ofSeconds(1), Duration.ofSeconds(5));

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<RabbitQueueBroker> brokers = new ArrayList<>();
    private TestBroker testBroker;
    private RabbitMailQueue queue;
    private Connection admin;

    private MailQueueProperties.Rabbitmq settings(int port) {
        return new MailQueueProperties.Rabbitmq(testBroker.host(), port, testBroker.username(), testBroker.password(),
                "/", testBroker.namePrefix(), TIERS);
    }

    private RabbitQueueBroker broker(int port, Duration connectTimeout) {
        RabbitQueueBroker broker = new RabbitQueueBroker(settings(port), connectTimeout);
        brokers.add(broker);
        return broker;
    }

    @BeforeEach
    void createQueue() throws Exception {
        testBroker = TestRabbit.newBroker();
        queue = new RabbitMailQueue(broker(testBroker.port(), Duration.ofSeconds(5)), Duration.ofSeconds(5),
                new QueueMetrics(registry, "rabbitmq"));
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(testBroker.host());
        factory.setPort(testBroker.port());
        factory.setUsername(testBroker.username());
        factory.setPassword(testBroker.password());
        admin = factory.newConnection("mailroom-queue-test");
    }

    @AfterEach
    void deleteTopology() throws Exception {
        brokers.forEach(RabbitQueueBroker::close);
        RabbitQueueTopology topology = new RabbitQueueTopology(testBroker.namePrefix(), TIERS);
        try (Channel channel = admin.createChannel()) {
            channel.queueDelete(topology.inboundQueue());
            channel.queueDelete(topology.deadLetterQueue());
            for (Duration tier : TIERS) {
                channel.queueDelete(topology.retryQueue(tier));
            }
            channel.exchangeDelete(topology.exchange());
        } finally {
            admin.close();
        }
    }

    @Override
    protected MailQueue queue() {
        return queue;
    }

    @Override
    protected MailQueueConsumer newConsumer(int concurrency, Duration shutdownTimeout) {
        return consumer(testBroker.port(), concurrency, shutdownTimeout);
    }

    private MailQueueConsumer consumer(int port, int concurrency, Duration shutdownTimeout) {
        return new RabbitMailQueueConsumer(broker(port, Duration.ofSeconds(5)),
                new MailQueueProperties.Consumer(true, concurrency, shutdownTimeout, ERROR_RETRY_DELAY),
                Duration.ofSeconds(5), new QueueMetrics(registry, "rabbitmq"));
    }

    /** Reads the dead-letter queue without taking anything: closing the channel returns every message. */
    @Override
    protected List<DeadLetter> deadLetters() throws Exception {
        List<DeadLetter> dead = new ArrayList<>();
        String queueName = new RabbitQueueTopology(testBroker.namePrefix(), TIERS).deadLetterQueue();
        try (Channel channel = admin.createChannel()) {
            if (!exists(queueName)) {
                return dead;
            }
            GetResponse response;
            while ((response = channel.basicGet(queueName, false)) != null) {
                Map<String, Object> headers = response.getProps().getHeaders();
                dead.add(new DeadLetter(response.getProps().getMessageId(), text(headers.get("x-mailroom-dead-reason")),
                        response.getBody()));
            }
        }
        return dead;
    }

    private boolean exists(String queueName) throws IOException {
        try (Channel probe = admin.createChannel()) {
            probe.queueDeclarePassive(queueName);
            return true;
        } catch (IOException e) {
            return false;
        } catch (Exception e) {
            return true; // closing a channel that the passive declare already closed
        }
    }

    private static String text(Object header) {
        return header instanceof LongString longString ? new String(longString.getBytes(), StandardCharsets.UTF_8)
                : String.valueOf(header);
    }

    @Override
    protected void enqueueInFormatVersion(QueuedMail mail, int version) throws Exception {
        RabbitQueueTopology topology = new RabbitQueueTopology(testBroker.namePrefix(), TIERS);
        try (Channel channel = admin.createChannel()) {
            topology.declare(channel);
            channel.confirmSelect();
            AMQP.BasicProperties properties = new AMQP.BasicProperties.Builder()
                    .messageId(mail.id())
                    .contentType("message/rfc822")
                    .deliveryMode(2)
                    .headers(Map.of("x-mailroom-version", version, "x-mailroom-envelope", QueueFormat.envelopeJson(mail)))
                    .build();
            channel.basicPublish(topology.exchange(), "inbound", true, properties, mail.content());
            channel.waitForConfirmsOrDie(5_000);
        }
    }

    @Test
    void enqueueFailsFastWhenNothingListensOnTheBrokerPort() throws Exception {
        Duration timeout = Duration.ofSeconds(3);
        RabbitMailQueue unreachable = new RabbitMailQueue(broker(freePort(), timeout), timeout,
                new QueueMetrics(registry, "rabbitmq"));

        long started = System.nanoTime();
        assertThatThrownBy(() -> unreachable.enqueue(mail(newId()))).isInstanceOf(QueueUnavailableException.class);

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(timeout);
        assertThat(registry.get("mailroom.queue.enqueue.failed").tag("adapter", "rabbitmq").counter().count()).isEqualTo(1);
    }

    @Test
    void messagesAreDurableQuorumQueueMessages() throws Exception {
        QueuedMail sent = mail(newId());

        queue.enqueue(sent);

        RabbitQueueTopology topology = new RabbitQueueTopology(testBroker.namePrefix(), TIERS);
        try (Channel channel = admin.createChannel()) {
            GetResponse response = await().atMost(Duration.ofSeconds(10))
                    .until(() -> channel.basicGet(topology.inboundQueue(), false), r -> r != null);
            assertThat(response.getProps().getDeliveryMode()).isEqualTo(2);
            assertThat(response.getProps().getHeaders()).containsEntry("x-mailroom-version", 1);
            assertThat(response.getBody()).isEqualTo(sent.content());
        }
        try (Channel channel = admin.createChannel()) {
            // redeclaring with the quorum type succeeds only if the queue is one
            channel.queueDeclare(topology.inboundQueue(), true, false, false, Map.of("x-queue-type", "quorum"));
        }
        assertThat(registry.get("mailroom.queue.enqueued").tag("adapter", "rabbitmq").counter().count()).isEqualTo(1);
    }

    @Test
    void producerAndConsumerRecoverWhenTheBrokerGoesAwayAndComesBack() throws Exception {
        try (TcpProxy proxy = new TcpProxy(testBroker.host(), testBroker.port())) {
            Duration timeout = Duration.ofSeconds(3);
            RabbitMailQueue viaProxy = new RabbitMailQueue(broker(proxy.port(), timeout), timeout,
                    new QueueMetrics(registry, "rabbitmq"));
            List<String> received = new CopyOnWriteArrayList<>();
            MailQueueConsumer consumer = consumer(proxy.port(), 2, Duration.ofSeconds(5));
            consumer.start((mail, attempt) -> {
                received.add(mail.id());
                return Disposition.done();
            });
            try {
                QueuedMail before = mail(newId());
                viaProxy.enqueue(before);
                await().atMost(Duration.ofSeconds(20)).until(() -> received.contains(before.id()));

                proxy.cut();
                long started = System.nanoTime();
                assertThatThrownBy(() -> viaProxy.enqueue(mail(newId()))).isInstanceOf(QueueUnavailableException.class);
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThanOrEqualTo(timeout.plusSeconds(1));
                // while it stays away, enqueue keeps failing at once: connects are refused
                started = System.nanoTime();
                assertThatThrownBy(() -> viaProxy.enqueue(mail(newId()))).isInstanceOf(QueueUnavailableException.class);
                assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(1));

                proxy.restore();
                QueuedMail after = mail(newId());
                await().atMost(Duration.ofSeconds(20)).ignoreExceptions().untilAsserted(() -> viaProxy.enqueue(after));
                await().atMost(Duration.ofSeconds(30)).until(() -> received.contains(after.id()));
            } finally {
                consumer.close();
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
