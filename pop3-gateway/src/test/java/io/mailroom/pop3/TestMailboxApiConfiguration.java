package io.mailroom.pop3;

import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;

/** Puts {@link InMemoryMailboxApi} in place of the HTTP client to mailbox-api. */
@TestConfiguration(proxyBeanMethods = false)
public class TestMailboxApiConfiguration {

    @Bean
    InMemoryMailboxApi inMemoryMailboxApi() {
        return new InMemoryMailboxApi();
    }
}
