package io.mailroom.delivery;

import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.mailroom.testsupport.TestDatabase;
import io.mailroom.testsupport.TestPostgres;

class DeliveryFlowPostgresIT extends DeliveryFlowTests {

    private static final TestDatabase DATABASE = TestPostgres.newDatabase();

    @DynamicPropertySource
    static void properties(DynamicPropertyRegistry registry) {
        QueueBackends.postgres(registry, DATABASE);
        common(registry);
    }
}
