package io.mailroom.imap.store;

import java.util.Optional;

import org.apache.james.events.EventBus;
import org.apache.james.events.InVMEventBus;
import org.apache.james.events.MemoryEventDeadLetters;
import org.apache.james.events.RetryBackoffConfiguration;
import org.apache.james.events.delivery.InVmEventDelivery;
import org.apache.james.mailbox.Authenticator;
import org.apache.james.mailbox.Authorizator;
import org.apache.james.mailbox.SessionProvider;
import org.apache.james.mailbox.SubscriptionManager;
import org.apache.james.mailbox.acl.UnionMailboxACLResolver;
import org.apache.james.mailbox.store.SessionProviderImpl;
import org.apache.james.mailbox.store.StoreMailboxManager;
import org.apache.james.mailbox.store.StoreRightManager;
import org.apache.james.mailbox.store.StoreSubscriptionManager;
import org.apache.james.mailbox.store.quota.DefaultUserQuotaRootResolver;
import org.apache.james.mailbox.store.quota.NoMaxQuotaManager;
import org.apache.james.mailbox.store.quota.QuotaComponents;
import org.apache.james.mailbox.store.search.MessageSearchIndex;
import org.apache.james.metrics.api.MetricFactory;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import io.micrometer.observation.ObservationRegistry;
import io.micrometer.tracing.Span;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.web.client.RestClient;
import org.springframework.beans.factory.config.BeanPostProcessor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.mailroom.imap.auth.MailboxApiAuthenticator;
import io.mailroom.imap.events.AccountEventSource;
import io.mailroom.imap.events.ChangeEventBridge;
import io.mailroom.imap.events.PollingEventSource;
import io.mailroom.imap.events.WatchingEventBus;
import io.mailroom.imap.auth.SelfOnlyAuthorizator;
import io.mailroom.imap.server.ImapProperties;
import io.mailroom.mailbox.client.InternalTokenProperties;
import io.mailroom.mailbox.client.MailboxApiClient;
import io.mailroom.mailbox.client.MailboxApiProperties;
import io.mailroom.mailbox.client.events.MailboxEventSubscriber;
import io.mailroom.mailbox.client.store.HttpMailboxStoreClient;
import io.mailroom.mailbox.client.store.MailboxStoreClient;

/**
 * James's mailbox model over mailbox-api (DESIGN.md "IMAP"): {@link MailroomMailboxManager} over
 * {@link MailboxApiMapperFactory}, searches and quotas answered by mailbox-api, and James's in-VM event bus, which
 * this gateway's own writes reach directly and everybody else's through the change-event bridge.
 *
 * <p>Authentication goes to mailbox-api; no delegation (a user acts only as themself).
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({MailboxApiProperties.class, InternalTokenProperties.class})
public class MailboxStoreConfiguration {

    private static final int EVENT_THREADS = 4;

    /**
     * Every mailbox-api call counted by IMAP command ({@link BackendCalls}): the number of calls per command is what
     * the gateway's throughput depends on. Static, so that it can wrap the client whatever the registry's life cycle.
     */
    @Bean
    static BeanPostProcessor countingMailboxStoreClient(ObjectProvider<MeterRegistry> registry) {
        return new BeanPostProcessor() {
            @Override
            public Object postProcessAfterInitialization(Object bean, String name) {
                return bean instanceof MailboxStoreClient client
                        ? BackendCalls.counting(client, registry::getIfAvailable)
                        : bean;
            }
        };
    }

    /**
     * mailbox-client's store client, less Spring's observation of every HTTP call: a timer, a client span and its
     * propagation around each of the ~8 calls of a mix round were ~7 % of the gateway's CPU (JFR, bench/imap), and the
     * gateway counts its calls itself ({@link BackendCalls}). A call made within a span (an {@code imap.push} reading
     * flags) still carries that span's trace context, so mailbox-api's server span joins the trace as before.
     */
    @Bean
    @ConditionalOnProperty("mailroom.internal.token")
    HttpMailboxStoreClient mailboxStoreClient(MailboxApiProperties properties, InternalTokenProperties token,
                                              ObjectProvider<RestClient.Builder> builder, ObjectProvider<Tracer> tracer,
                                              ObjectProvider<Propagator> propagator) {
        return storeClient(properties, token.token(), builder.getIfAvailable(RestClient::builder),
                tracer.getIfUnique(() -> Tracer.NOOP), propagator.getIfUnique(() -> Propagator.NOOP));
    }

    static HttpMailboxStoreClient storeClient(MailboxApiProperties properties, String token, RestClient.Builder builder,
                                              Tracer tracer, Propagator propagator) {
        RestClient.Builder unobserved = builder.clone()
                .observationRegistry(ObservationRegistry.NOOP)
                .requestInitializer(request -> {
                    Span span = tracer.currentSpan();
                    if (span != null) {
                        propagator.inject(span.context(), request.getHeaders(), (headers, key, value) -> headers.set(key, value));
                    }
                });
        return new HttpMailboxStoreClient(properties, token, unobserved);
    }

    @Bean
    AccountResolver accountResolver(ImapProperties properties) {
        return new AccountResolver(properties.defaultDomain());
    }

    @Bean
    MailboxDirectory mailboxDirectory() {
        return new MailboxDirectory();
    }

    @Bean
    LocalChanges localChanges() {
        return new LocalChanges();
    }

    @Bean
    Authenticator mailboxApiAuthenticator(MailboxApiClient client, AccountResolver accounts, MailboxDirectory directory) {
        return new MailboxApiAuthenticator(client, accounts, directory);
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
    MailboxApiMapperFactory mailboxApiMapperFactory(MailboxStoreClient client, AccountResolver accounts,
                                                    MailboxDirectory directory, LocalChanges localChanges) {
        return new MailboxApiMapperFactory(client, accounts, directory, localChanges);
    }

    /**
     * James's in-VM event bus, which this replica's own writes reach directly, fed with everybody else's writes by the
     * {@link ChangeEventBridge}: from mailbox-api's event stream when one is configured (a {@link MailboxEventSubscriber}
     * bean), otherwise by polling mailbox-api for the changes of the mailboxes sessions have selected.
     */
    @Bean(destroyMethod = "close")
    WatchingEventBus eventBus(MetricFactory metricFactory, ObjectProvider<MailboxEventSubscriber> subscriber,
                              MailboxStoreClient client, MailboxDirectory directory, LocalChanges localChanges,
                              ImapProperties properties, ObjectProvider<Tracer> tracer,
                              ObjectProvider<Propagator> propagator) {
        InVMEventBus inVm = new InVMEventBus(new InVmEventDelivery(metricFactory), RetryBackoffConfiguration.DEFAULT,
                new MemoryEventDeadLetters());
        AccountEventSource source = Optional.ofNullable(subscriber.getIfAvailable())
                .map(AccountEventSource::of)
                .orElseGet(() -> new PollingEventSource(client, properties.eventPollInterval(), EVENT_THREADS));
        ChangeEventBridge bridge = new ChangeEventBridge(source, client, directory, localChanges, inVm, EVENT_THREADS,
                tracer.getIfUnique(() -> Tracer.NOOP), propagator.getIfUnique(() -> Propagator.NOOP));
        return new WatchingEventBus(inVm, bridge);
    }

    @Bean
    StoreRightManager storeRightManager(MailboxApiMapperFactory mappers, EventBus eventBus) {
        return new StoreRightManager(mappers, new UnionMailboxACLResolver(), eventBus);
    }

    @Bean
    QuotaComponents quotaComponents(SessionProvider sessionProvider, MailboxApiMapperFactory mappers,
                                    MailboxStoreClient client, AccountResolver accounts) {
        DefaultUserQuotaRootResolver roots = new DefaultUserQuotaRootResolver(sessionProvider, mappers);
        return new QuotaComponents(new NoMaxQuotaManager(), new MailboxApiQuotaManager(client, accounts, roots), roots);
    }

    @Bean
    MessageSearchIndex messageSearchIndex(MailboxApiMapperFactory mappers) {
        return new MailboxApiSearchIndex(mappers);
    }

    @Bean
    StoreMailboxManager mailboxManager(MailboxApiMapperFactory mappers, SessionProvider sessionProvider,
                                       EventBus eventBus, StoreRightManager rightManager,
                                       QuotaComponents quotaComponents, MessageSearchIndex searchIndex) {
        return new MailroomMailboxManager(mappers, sessionProvider, eventBus, rightManager, quotaComponents, searchIndex);
    }

    @Bean
    SubscriptionManager subscriptionManager(MailboxApiMapperFactory mappers, EventBus eventBus) {
        return new StoreSubscriptionManager(mappers, mappers, eventBus);
    }
}
