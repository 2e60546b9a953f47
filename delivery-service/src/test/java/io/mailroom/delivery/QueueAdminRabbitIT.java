package io.mailroom.delivery;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.mailroom.testsupport.TestBroker;
import io.mailroom.testsupport.TestRabbit;

class QueueAdminRabbitIT extends QueueAdminTests {

    private static final TestBroker BROKER = TestRabbit.newBroker();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        QueueBackends.rabbit(registry, BROKER);
        common(registry);
    }
}
