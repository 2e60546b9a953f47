package io.mailroom.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import com.rabbitmq.client.Channel;
import com.rabbitmq.client.Connection;
import com.rabbitmq.client.ConnectionFactory;
import com.rabbitmq.client.GetResponse;

class TestRabbitTest {

    @Test
    void aMessagePublishedUnderTheTestPrefixComesBack() throws Exception {
        TestBroker broker = TestRabbit.newBroker();
        assertThat(broker.namePrefix()).isNotBlank().isNotEqualTo(TestRabbit.newBroker().namePrefix());

        ConnectionFactory factory = new ConnectionFactory();
        factory.setHost(broker.host());
        factory.setPort(broker.port());
        factory.setUsername(broker.username());
        factory.setPassword(broker.password());
        try (Connection connection = factory.newConnection(); Channel channel = connection.createChannel()) {
            String queue = broker.namePrefix() + "probe";
            channel.queueDeclare(queue, false, true, true, null);
            channel.basicPublish("", queue, null, "hello".getBytes(StandardCharsets.UTF_8));
            GetResponse response = null;
            for (int i = 0; i < 50 && response == null; i++) {
                response = channel.basicGet(queue, true);
            }
            assertThat(response).isNotNull();
            assertThat(new String(response.getBody(), StandardCharsets.UTF_8)).isEqualTo("hello");
        }
    }
}
