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
import io.mailroom.queue.MailQueueAdmin;
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
    private static final List<Duration> TIERS = List.of(Duration.ofSeconds(1), Duration.ofSeconds(5), LONG_DELAY);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final List<RabbitQueueBroker> brokers = new ArrayList<>();
    private TestBroker testBroker;
    private RabbitMailQueue queue;
    private RabbitMailQueueAdmin queueAdmin;
    private Connection admin;

    private MailQueueProperties.Rabbitmq settings(int port) {
        return new MailQueueProperties.Rabbitmq(testBroker.host(), port, testBroker.username(), testBroker.password(),
                "/", testBroker.namePrefix(), TIERS, 1_000);
    }

    private RabbitQueueBroker broker(int port, Duration connectTimeout) {
        RabbitQueueBroker broker = new RabbitQueueBroker(settings(port), MAX_DELIVERIES, connectTimeout);
        brokers.add(broker);
        return broker;
    }

    @BeforeEach
    void createQueue() throws Exception {
        testBroker = TestRabbit.newBroker();
        RabbitQueueBroker broker = broker(testBroker.port(), Duration.ofSeconds(5));
        queue = new RabbitMailQueue(broker, Duration.ofSeconds(5), new QueueMetrics(registry, "rabbitmq"));
        queueAdmin = new RabbitMailQueueAdmin(broker, Duration.ofSeconds(5), 1_000);
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
        RabbitQueueTopology topology = topology();
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

    private RabbitQueueTopology topology() {
        return new RabbitQueueTopology(testBroker.namePrefix(), TIERS, MAX_DELIVERIES);
    }

    @Override
    protected MailQueueAdmin admin() {
        return queueAdmin;
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
        String queueName = topology().deadLetterQueue();
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
        RabbitQueueTopology topology = topology();
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

        RabbitQueueTopology topology = topology();
        try (Channel channel = admin.createChannel()) {
            GetResponse response = await().atMost(Duration.ofSeconds(10))
                    .until(() -> channel.basicGet(topology.inboundQueue(), false), r -> r != null);
            assertThat(response.getProps().getDeliveryMode()).isEqualTo(2);
            assertThat(response.getProps().getHeaders()).containsEntry("x-mailroom-version", 1);
            assertThat(response.getBody()).isEqualTo(sent.content());
        }
        try (Channel channel = admin.createChannel()) {
            // redeclaring with these arguments succeeds only if the queue is a quorum queue with the delivery limit
            channel.queueDeclare(topology.inboundQueue(), true, false, false, topology.inboundArguments());
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

    @Test
    void aMessageTheBrokerDeadLettersAtItsDeliveryLimitIsListedWithTheReason() throws Exception {
        QueuedMail sent = mail(newId());
        queue.enqueue(sent);
        RabbitQueueTopology topology = topology();

        // no consumer of ours runs: a client that takes the message and hands it back, again and again
        try (Channel channel = admin.createChannel()) {
            for (int delivery = 0; delivery <= MAX_DELIVERIES; delivery++) {
                GetResponse response = await().atMost(Duration.ofSeconds(10))
                        .until(() -> channel.basicGet(topology.inboundQueue(), false), r -> r != null);
                channel.basicNack(response.getEnvelope().getDeliveryTag(), false, true);
            }
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> !admin().deadLetters(10).isEmpty());
        MailQueueAdmin.QueuedMessage dead = admin().deadLetters(10).getFirst();
        assertThat(dead.id()).isEqualTo(sent.id());
        assertThat(dead.deadReason()).contains("x-delivery-limit");
        assertThat(dead.recipients()).containsExactly("a@example.com", "b@example.com");
    }

    @Test
    void anInboundQueueDeclaredWithoutTheDeliveryLimitIsUsedAsItIs() throws Exception {
        TestBroker older = TestRabbit.newBroker();
        RabbitQueueTopology topology = new RabbitQueueTopology(older.namePrefix(), TIERS, MAX_DELIVERIES);
        try (Channel channel = admin.createChannel()) {
            // as the release before the delivery limit declared it
            channel.queueDeclare(topology.inboundQueue(), true, false, false, Map.of("x-queue-type", "quorum"));
        }
        try {
            RabbitQueueBroker broker = new RabbitQueueBroker(new MailQueueProperties.Rabbitmq(older.host(), older.port(),
                    older.username(), older.password(), "/", older.namePrefix(), TIERS, 1_000), MAX_DELIVERIES,
                    Duration.ofSeconds(5));
            brokers.add(broker);
            RabbitMailQueue olderQueue = new RabbitMailQueue(broker, Duration.ofSeconds(5), new QueueMetrics(registry, "rabbitmq"));
            List<String> received = new CopyOnWriteArrayList<>();
            MailQueueConsumer consumer = new RabbitMailQueueConsumer(broker,
                    new MailQueueProperties.Consumer(true, 1, Duration.ofSeconds(5), ERROR_RETRY_DELAY),
                    Duration.ofSeconds(5), new QueueMetrics(registry, "rabbitmq"));
            consumer.start((mail, attempt) -> {
                received.add(mail.id());
                return attempt == 1 ? Disposition.retry(Duration.ofSeconds(1), "once more") : Disposition.done();
            });
            try {
                QueuedMail sent = mail(newId());
                olderQueue.enqueue(sent);
                // the retry tiers and the dead-letter queue were declared although the inbound queue was refused
                await().atMost(Duration.ofSeconds(20)).until(() -> received.size() == 2);
                assertThat(received).containsOnly(sent.id());
            } finally {
                consumer.close();
            }
        } finally {
            try (Channel channel = admin.createChannel()) {
                channel.queueDelete(topology.inboundQueue());
                channel.queueDelete(topology.deadLetterQueue());
                for (Duration tier : TIERS) {
                    channel.queueDelete(topology.retryQueue(tier));
                }
                channel.exchangeDelete(topology.exchange());
            }
        }
    }
}
