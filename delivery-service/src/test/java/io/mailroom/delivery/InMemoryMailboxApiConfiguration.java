package io.mailroom.delivery;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/** mailbox-api replaced by the in-memory client, with alice, bob and carol at example.com. */
@TestConfiguration(proxyBeanMethods = false)
class InMemoryMailboxApiConfiguration {

    @Bean
    @Primary
    InMemoryMailboxApiClient inMemoryMailboxApiClient() {
        return new InMemoryMailboxApiClient().account("alice@example.com").account("bob@example.com")
                .account("carol@example.com");
    }
}
