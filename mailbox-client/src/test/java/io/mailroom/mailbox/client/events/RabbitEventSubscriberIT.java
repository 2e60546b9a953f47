package io.mailroom.mailbox.client.events;

import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;

import io.mailroom.testsupport.TestBroker;
import io.mailroom.testsupport.TestRabbit;

/** {@link RabbitEventSubscriber} against a real RabbitMQ: a topic exchange in, events out. */
class RabbitEventSubscriberIT extends SubscriberContract {

    private static TestBroker broker;
    private static MailboxEventsProperties.Rabbitmq settings;
    private static Connection publisher;
    private static Channel channel;

    @BeforeAll
    static void broker() throws Exception {
        broker = TestRabbit.newBroker();
        settings = new MailboxEventsProperties.Rabbitmq(broker.host(), broker.port(), broker.username(), broker.password(),
                "/", broker.namePrefix() + "events");
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(broker.host());
        factory.setPort(broker.port());
        factory.setUsername(broker.username());
        factory.setPassword(broker.password());
        publisher = factory.newConnection("test-publisher");
        channel = publisher.createChannel();
        channel.exchangeDeclare(settings.exchange(), "topic", true);
    }

    @AfterAll
    static void cleanUp() throws Exception {
        channel.exchangeDelete(settings.exchange());
        publisher.close();
    }

    @Override
    protected MailboxEventSubscriber subscriber() {
        return new RabbitEventSubscriber(settings, Duration.ofMillis(500), store);
    }

    @Override
    protected void publish(MailboxChangeEvent event) throws Exception {
        channel.basicPublish(settings.exchange(), EventFormat.routingKey(event.accountId()), null,
                EventFormat.write(event).getBytes(StandardCharsets.UTF_8));
    }

    @Override
    protected void breakConnection(MailboxEventSubscriber subscriber) {
        ((RabbitEventSubscriber) subscriber).abortConnection();
        await().atMost(Duration.ofSeconds(10)).until(() -> !subscriber.connected());
    }
}
