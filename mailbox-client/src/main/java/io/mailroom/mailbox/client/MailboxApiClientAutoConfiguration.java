package io.mailroom.mailbox.client;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.web.client.RestClient;

import io.mailroom.mailbox.client.store.HttpMailboxStoreClient;
import io.mailroom.mailbox.client.store.MailboxStoreClient;

/**
 * Gives every service that has mailbox-client on its class path a {@link MailboxApiClient} bean, configured by
 * {@code mailroom.mailbox-api.*} and {@code mailroom.internal.token}. An application that defines its own
 * {@link MailboxApiClient} (a test double, say) keeps it, and then needs neither setting.
 *
 * <p>A {@link MailboxStoreClient} (the IMAP gateway's store) comes too when {@code mailroom.internal.token} is set and
 * the application has none of its own; the services that do not use it never notice it.
 */
@AutoConfiguration(after = RestClientAutoConfiguration.class)
@Import({MailboxApiClientAutoConfiguration.Client.class, MailboxApiClientAutoConfiguration.Store.class})
public class MailboxApiClientAutoConfiguration {

    // The nested classes are imported, not annotated @Configuration: a component scan of an application whose
    // package encloses this one (mailbox-api's) must not pick them up on its own.

    @ConditionalOnMissingBean(MailboxApiClient.class)
    @EnableConfigurationProperties({MailboxApiProperties.class, InternalTokenProperties.class})
    static class Client {

        @Bean
        HttpMailboxApiClient mailboxApiClient(MailboxApiProperties properties, InternalTokenProperties token,
                                              ObjectProvider<RestClient.Builder> restClientBuilder) {
            // Boot's builder carries the application's observation and message-converter set-up; the client
            // replaces only the request factory, so its own timeouts apply.
            return new HttpMailboxApiClient(properties, token.token(), restClientBuilder.getIfAvailable(RestClient::builder));
        }
    }

    @ConditionalOnMissingBean(MailboxStoreClient.class)
    @ConditionalOnProperty("mailroom.internal.token")
    @EnableConfigurationProperties({MailboxApiProperties.class, InternalTokenProperties.class})
    static class Store {

        @Bean
        HttpMailboxStoreClient mailboxStoreClient(MailboxApiProperties properties, InternalTokenProperties token,
                                                  ObjectProvider<RestClient.Builder> restClientBuilder) {
            return new HttpMailboxStoreClient(properties, token.token(), restClientBuilder.getIfAvailable(RestClient::builder));
        }
    }
}
