package io.mailroom.mailbox.client.events;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

import io.mailroom.mailbox.client.MailboxApiClientAutoConfiguration;
import io.mailroom.mailbox.client.store.MailboxStoreClient;

/**
 * A {@link MailboxEventSubscriber} for the applications that ask for one ({@code mailroom.events.subscriber.enabled},
 * the IMAP gateway), of the adapter {@code mailroom.events.type} names, catching up through the application's
 * {@link MailboxStoreClient} when it has one.
 */
@AutoConfiguration(after = MailboxApiClientAutoConfiguration.class)
@ConditionalOnBooleanProperty("mailroom.events.subscriber.enabled")
@ConditionalOnMissingBean(MailboxEventSubscriber.class)
@EnableConfigurationProperties(MailboxEventsProperties.class)
public class MailboxEventsAutoConfiguration {

    @Bean(destroyMethod = "close")
    MailboxEventSubscriber mailboxEventSubscriber(MailboxEventsProperties properties, ObjectProvider<MailboxStoreClient> store) {
        return switch (properties.type()) {
            case POSTGRES -> new PostgresEventSubscriber(properties.postgres(), properties.reconnect(), store.getIfAvailable());
            case RABBITMQ -> new RabbitEventSubscriber(properties.rabbitmq(), properties.reconnect(), store.getIfAvailable());
        };
    }
}
