package io.mailroom.imap.store;

import java.time.Clock;

import org.apache.james.events.EventBus;
import org.apache.james.events.InVMEventBus;
import org.apache.james.events.MemoryEventDeadLetters;
import org.apache.james.events.RetryBackoffConfiguration;
import org.apache.james.events.delivery.InVmEventDelivery;
import org.apache.james.mailbox.AttachmentContentLoader;
import org.apache.james.mailbox.Authenticator;
import org.apache.james.mailbox.Authorizator;
import org.apache.james.mailbox.SessionProvider;
import org.apache.james.mailbox.SubscriptionManager;
import org.apache.james.mailbox.acl.UnionMailboxACLResolver;
import org.apache.james.mailbox.exception.AttachmentNotFoundException;
import org.apache.james.mailbox.store.MailboxManagerConfiguration;
import org.apache.james.mailbox.store.NoMailboxPathLocker;
import org.apache.james.mailbox.store.PreDeletionHooks;
import org.apache.james.mailbox.store.SessionProviderImpl;
import org.apache.james.mailbox.store.StoreMailboxAnnotationManager;
import org.apache.james.mailbox.store.StoreMailboxManager;
import org.apache.james.mailbox.store.StoreRightManager;
import org.apache.james.mailbox.store.StoreSubscriptionManager;
import org.apache.james.mailbox.store.extractor.DefaultTextExtractor;
import org.apache.james.mailbox.store.mail.NaiveThreadIdGuessingAlgorithm;
import org.apache.james.mailbox.store.mail.model.DefaultMessageId;
import org.apache.james.mailbox.store.mail.model.impl.MessageParser;
import org.apache.james.mailbox.store.quota.QuotaComponents;
import org.apache.james.mailbox.store.search.MessageSearchIndex;
import org.apache.james.mailbox.store.search.SimpleMessageSearchIndex;
import org.apache.james.metrics.api.MetricFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.mailroom.imap.auth.MailboxApiAuthenticator;
import io.mailroom.imap.auth.SelfOnlyAuthorizator;
import io.mailroom.mailbox.client.MailboxApiClient;

/**
 * James's {@link StoreMailboxManager} over {@link MailboxApiMapperFactory}: the mailbox model the IMAP
 * processors work against, assembled from the store's parts (DESIGN.md "IMAP").
 *
 * <p>Choices that hold beyond the walking skeleton: authentication goes to mailbox-api; no delegation;
 * no JVM path locking (mailbox-api serializes writes, and other replicas would not see a JVM lock);
 * quotas disabled until mailbox-api serves them; the event bus is James's in-VM one, which the
 * change-event bridge from mailbox-api will feed.
 */
@Configuration(proxyBeanMethods = false)
public class MailboxStoreConfiguration {

    @Bean
    Authenticator mailboxApiAuthenticator(MailboxApiClient client) {
        return new MailboxApiAuthenticator(client);
    }

    @Bean
    Authorizator selfOnlyAuthorizator() {
        return new SelfOnlyAuthorizator();
    }

    @Bean
    SessionProvider sessionProvider(Authenticator authenticator, Authorizator authorizator) {
        return new SessionProviderImpl(authenticator, authorizator);
    }

    @Bean
    MailboxApiMapperFactory mailboxApiMapperFactory(MailboxApiClient client) {
        return new MailboxApiMapperFactory(client);
    }

    @Bean
    EventBus eventBus(MetricFactory metricFactory) {
        return new InVMEventBus(new InVmEventDelivery(metricFactory), RetryBackoffConfiguration.DEFAULT,
                new MemoryEventDeadLetters());
    }

    @Bean
    StoreRightManager storeRightManager(MailboxApiMapperFactory mappers, EventBus eventBus) {
        return new StoreRightManager(mappers, new UnionMailboxACLResolver(), eventBus);
    }

    @Bean
    QuotaComponents quotaComponents(SessionProvider sessionProvider, MailboxApiMapperFactory mappers) {
        return QuotaComponents.disabled(sessionProvider, mappers);
    }

    /** SEARCH over the message mapper; mailbox-api will answer searches itself once it indexes mail. */
    @Bean
    MessageSearchIndex messageSearchIndex(MailboxApiMapperFactory mappers) {
        AttachmentContentLoader noAttachments = (attachment, session) -> {
            throw new AttachmentNotFoundException(attachment.getAttachmentId().getId());
        };
        return new SimpleMessageSearchIndex(mappers, mappers, new DefaultTextExtractor(), noAttachments);
    }

    @Bean
    StoreMailboxManager mailboxManager(MailboxApiMapperFactory mappers, SessionProvider sessionProvider,
                                       EventBus eventBus, StoreRightManager rightManager,
                                       QuotaComponents quotaComponents, MessageSearchIndex searchIndex) {
        return new StoreMailboxManager(mappers, sessionProvider, new NoMailboxPathLocker(), new MessageParser(),
                new DefaultMessageId.Factory(), new StoreMailboxAnnotationManager(mappers, rightManager),
                eventBus, rightManager, quotaComponents, searchIndex, MailboxManagerConfiguration.DEFAULT,
                PreDeletionHooks.NO_PRE_DELETION_HOOK, new NaiveThreadIdGuessingAlgorithm(), Clock.systemUTC());
    }

    @Bean
    SubscriptionManager subscriptionManager(MailboxApiMapperFactory mappers, EventBus eventBus) {
        return new StoreSubscriptionManager(mappers, mappers, eventBus);
    }
}
