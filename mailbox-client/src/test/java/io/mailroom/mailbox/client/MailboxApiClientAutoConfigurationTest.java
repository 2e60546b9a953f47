package io.mailroom.mailbox.client;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.Collection;

import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class MailboxApiClientAutoConfigurationTest {

    private final ApplicationContextRunner runner = new ApplicationContextRunner()
            .withConfiguration(AutoConfigurations.of(MailboxApiClientAutoConfiguration.class));

    @Test
    void createsTheHttpClientWithDefaults() {
        runner.withPropertyValues("mailroom.internal.token=secret-internal").run(context -> {
            assertThat(context).hasSingleBean(MailboxApiClient.class);
            assertThat(context.getBean(MailboxApiClient.class)).isInstanceOf(HttpMailboxApiClient.class);
            MailboxApiProperties properties = context.getBean(MailboxApiProperties.class);
            assertThat(properties.baseUrl()).isEqualTo(URI.create("http://localhost:8080"));
            assertThat(properties.connectTimeout()).isEqualTo(Duration.ofSeconds(2));
            assertThat(properties.readTimeout()).isEqualTo(Duration.ofSeconds(10));
        });
    }

    @Test
    void bindsTheSettings() {
        runner.withPropertyValues("mailroom.internal.token=secret-internal",
                "mailroom.mailbox-api.base-url=http://mailbox-api:9090",
                "mailroom.mailbox-api.connect-timeout=300ms",
                "mailroom.mailbox-api.read-timeout=4s").run(context -> {
            MailboxApiProperties properties = context.getBean(MailboxApiProperties.class);
            assertThat(properties.baseUrl()).isEqualTo(URI.create("http://mailbox-api:9090"));
            assertThat(properties.connectTimeout()).isEqualTo(Duration.ofMillis(300));
            assertThat(properties.readTimeout()).isEqualTo(Duration.ofSeconds(4));
        });
    }

    @Test
    void refusesToStartWithoutTheInternalToken() {
        runner.run(context -> {
            assertThat(context).hasFailed();
            assertThat(context.getStartupFailure()).rootCause().hasMessageContaining("mailroom.internal");
        });
    }

    @Test
    void backsOffWhenTheApplicationHasItsOwnClient() {
        runner.withUserConfiguration(OwnClient.class).run(context -> {
            assertThat(context).hasSingleBean(MailboxApiClient.class);
            assertThat(context.getBean(MailboxApiClient.class)).isSameAs(OwnClient.CLIENT);
        });
    }

    @Configuration(proxyBeanMethods = false)
    static class OwnClient {
        static final MailboxApiClient CLIENT = new MailboxApiClient() {
            @Override
            public AuthenticatedAccount authenticate(String username, String password, String protocol, String remoteIp) {
                throw new UnsupportedOperationException();
            }

            @Override
            public RecipientResolution resolveRecipient(String address) {
                throw new UnsupportedOperationException();
            }

            @Override
            public FiledMessage fileMessage(String account, String deliveryId, byte[] content, String traceId) {
                throw new UnsupportedOperationException();
            }

            @Override
            public Maildrop maildrop(String account) {
                throw new UnsupportedOperationException();
            }

            @Override
            public InputStream openMessage(String account, long mailboxId, long uid) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void expunge(String account, long mailboxId, Collection<Long> uids) {
                throw new UnsupportedOperationException();
            }
        };

        @Bean
        MailboxApiClient mailboxApiClient() {
            return CLIENT;
        }
    }
}
