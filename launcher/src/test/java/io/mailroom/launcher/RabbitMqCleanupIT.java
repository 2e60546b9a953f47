package io.mailroom.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Map;

import org.junit.jupiter.api.Test;

import com.rabbitmq.client.BuiltinExchangeType;
import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.MessageProperties;

import io.mailroom.testsupport.TestBroker;
import io.mailroom.testsupport.TestRabbit;

/** Against a real broker: a run with a prefix of its own leaves no queue and no exchange behind. */
class RabbitMqCleanupIT {

    @Test
    void deletesEveryQueueAndTheExchangeUnderTheRunsPrefix() throws Exception {
        TestBroker broker = TestRabbit.newBroker();
        QueueSettings.RabbitMq queue = new QueueSettings.RabbitMq(broker.host(), broker.port(), broker.username(),
                broker.password(), broker.namePrefix(), true);
        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(broker.host());
        factory.setPort(broker.port());
        factory.setUsername(broker.username());
        factory.setPassword(broker.password());
        try (Connection connection = factory.newConnection()) {
            try (Channel channel = connection.createChannel()) {
                channel.confirmSelect();
                // what the services declare (a subset is enough: names never declared are deleted too, without error)
                channel.exchangeDeclare(queue.exchangeName(), BuiltinExchangeType.DIRECT, true);
                for (String name : new String[] {queue.namePrefix() + "inbound", queue.namePrefix() + "dead", queue.namePrefix() + "retry.5s"}) {
                    channel.queueDeclare(name, true, false, false, Map.of("x-queue-type", "quorum"));
                }
                channel.basicPublish("", queue.namePrefix() + "inbound", MessageProperties.PERSISTENT_BASIC, "left over".getBytes());
                channel.waitForConfirmsOrDie(5_000);
            }

            long dropped = RabbitMqCleanup.deleteQueues(queue);

            assertThat(dropped).isEqualTo(1);
            for (String name : queue.queueNames()) {
                assertGone(() -> connection.createChannel().queueDeclarePassive(name));
            }
            assertGone(() -> connection.createChannel().exchangeDeclarePassive(queue.exchangeName()));
        }
    }

    private interface BrokerCall {
        void run() throws IOException;
    }

    private static void assertGone(BrokerCall passiveDeclare) {
        assertThatThrownBy(passiveDeclare::run).isInstanceOf(IOException.class).rootCause().hasMessageContaining("NOT_FOUND");
    }
}
