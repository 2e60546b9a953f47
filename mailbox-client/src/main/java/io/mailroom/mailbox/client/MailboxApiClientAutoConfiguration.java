package io.mailroom.mailbox.client;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.restclient.autoconfigure.RestClientAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.web.client.RestClient;

/**
 * Gives every service that has mailbox-client on its class path a {@link MailboxApiClient} bean, configured by
 * {@code mailroom.mailbox-api.*} and {@code mailroom.internal.token}. An application that defines its own
 * {@link MailboxApiClient} (a test double, say) keeps it, and then needs neither setting.
 */
@AutoConfiguration(after = RestClientAutoConfiguration.class)
@ConditionalOnMissingBean(MailboxApiClient.class)
@EnableConfigurationProperties({MailboxApiProperties.class, InternalTokenProperties.class})
public class MailboxApiClientAutoConfiguration {

    @Bean
    HttpMailboxApiClient mailboxApiClient(MailboxApiProperties properties, InternalTokenProperties token,
                                          ObjectProvider<RestClient.Builder> restClientBuilder) {
        // Boot's builder carries the application's observation and message-converter set-up; the client
        // replaces only the request factory, so its own timeouts apply.
        return new HttpMailboxApiClient(properties, token.token(), restClientBuilder.getIfAvailable(RestClient::builder));
    }
}
