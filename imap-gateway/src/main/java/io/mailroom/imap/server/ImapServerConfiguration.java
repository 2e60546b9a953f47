package io.mailroom.imap.server;

import java.util.List;

import org.apache.commons.configuration2.BaseHierarchicalConfiguration;
import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.events.EventBus;
import org.apache.james.filesystem.api.FileSystem;
import org.apache.james.imap.api.process.ImapProcessor;
import org.apache.james.imap.decode.ImapDecoder;
import org.apache.james.imap.encode.ImapEncoder;
import org.apache.james.imap.encode.main.DefaultImapEncoderFactory;
import org.apache.james.imap.main.DefaultImapDecoderFactory;
import org.apache.james.imap.processor.main.DefaultImapProcessorFactory;
import org.apache.james.imapserver.netty.ImapMetrics;
import org.apache.james.mailbox.SubscriptionManager;
import org.apache.james.mailbox.store.StoreMailboxManager;
import org.apache.james.mailbox.store.quota.QuotaComponents;
import org.apache.james.metrics.api.GaugeRegistry;
import org.apache.james.metrics.api.MetricFactory;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

import io.mailroom.imap.store.AccountResolver;
import io.mailroom.imap.store.MailboxApiMapperFactory;
import io.mailroom.imap.store.RoleMailboxTyper;
import io.mailroom.mailbox.client.store.MailboxStoreClient;
import io.mailroom.protocol.tls.TlsMaterial;

/**
 * The two IMAP listeners (DESIGN.md "Ports"): STARTTLS on 1143 and implicit TLS on 1993, each a James
 * {@link org.apache.james.imapserver.netty.IMAPServer} over the same processor chain and mailbox
 * manager (DESIGN.md "IMAP").
 *
 * <p>James reads its TLS key from a keystore file named in its configuration; {@link TlsMaterial}
 * writes the service's key to a PKCS#12 file for it, found through {@link PlainPathFileSystem}.
 */
@Configuration(proxyBeanMethods = false)
public class ImapServerConfiguration {

    private static final FileSystem FILE_SYSTEM = new PlainPathFileSystem();

    /** How a listener offers TLS: James takes one or the other per server. */
    enum Tls { STARTTLS, IMPLICIT }

    /** Runs IMAP commands, which wait on mailbox-api, off the Netty I/O threads ({@link OffloadingImapProcessor}). */
    @Bean(destroyMethod = "dispose")
    Scheduler imapCommandScheduler(ImapProperties properties) {
        return Schedulers.newBoundedElastic(properties.commandThreads(), properties.commandQueue(), "imap-command", 60, true);
    }

    /** QRESYNC's VANISHED from mailbox-api's expunge records. */
    @Bean
    ExpungeRecords expungeRecords(MailboxStoreClient store, AccountResolver accounts) {
        return new ExpungeRecords(store, accounts);
    }

    @Bean
    ImapProcessor imapProcessor(StoreMailboxManager mailboxManager, MailboxApiMapperFactory mappers, EventBus eventBus,
                                SubscriptionManager subscriptionManager, QuotaComponents quotaComponents,
                                MetricFactory metricFactory, Scheduler imapCommandScheduler,
                                ExpungeRecords expungeRecords, ImapProperties properties, AccountResolver accounts) {
        ImapProcessor chain = DefaultImapProcessorFactory.createXListSupportingProcessor(mailboxManager, eventBus,
                subscriptionManager, new RoleMailboxTyper(mappers), quotaComponents.getQuotaManager(),
                quotaComponents.getQuotaRootResolver(), metricFactory);
        return new OffloadingImapProcessor(chain, imapCommandScheduler, mailboxManager, true, mailboxManager, eventBus,
                metricFactory, expungeRecords, new AccountConnectionLimit(properties.maxConnectionsPerAccount(), accounts));
    }

    @Bean
    ImapListener imapListener(ImapProperties properties, ImapProcessor processor, MetricFactory metricFactory,
                              GaugeRegistry gaugeRegistry, TlsMaterial tls) {
        return listener("imap", properties.imap(), Tls.STARTTLS, properties, processor, metricFactory, gaugeRegistry, tls);
    }

    @Bean
    ImapListener imapsListener(ImapProperties properties, ImapProcessor processor, MetricFactory metricFactory,
                               GaugeRegistry gaugeRegistry, TlsMaterial tls) {
        return listener("imaps", properties.imaps(), Tls.IMPLICIT, properties, processor, metricFactory, gaugeRegistry, tls);
    }

    private static ImapListener listener(String name, ImapProperties.Listener listener, Tls tlsMode,
                                         ImapProperties properties, ImapProcessor processor,
                                         MetricFactory metricFactory, GaugeRegistry gaugeRegistry, TlsMaterial tls) {
        ImapDecoder decoder = DefaultImapDecoderFactory.createDecoder();
        ImapEncoder encoder = new AuthenticationResponseCodes(
                new ModifiedResponseCode(new DefaultImapEncoderFactory().buildImapEncoder()));
        MailroomImapServer server = new MailroomImapServer(decoder, encoder, processor, new ImapMetrics(metricFactory),
                new PerListenerGaugeRegistry(gaugeRegistry, name));
        return new ImapListener(name, server, configuration(name, listener, tlsMode, properties, tls), FILE_SYSTEM,
                properties.shutdownTimeout());
    }

    /** The settings James's IMAP server reads, in the shape of its {@code imapserver.xml}. */
    static HierarchicalConfiguration<ImmutableNode> configuration(String name, ImapProperties.Listener listener,
                                                                  Tls tlsMode, ImapProperties properties,
                                                                  TlsMaterial tls) {
        BaseHierarchicalConfiguration config = new BaseHierarchicalConfiguration();
        config.addProperty("[@enabled]", true);
        config.addProperty("bind", listener.host() + ":" + listener.port());
        // names the threads: <jmxName>-io-N, <jmxName>-boss-N
        config.addProperty("jmxName", name);
        config.addProperty("helloName", properties.helloName());
        config.addProperty("helloName.[@autodetect]", false);
        config.addProperty("ioWorkerCount", properties.ioThreads());
        config.addProperty("bossWorkerCount", 1);
        config.addProperty("connectionLimit", properties.maxConnections());
        config.addProperty("connectionLimitPerIP", properties.maxConnectionsPerIp());
        config.addProperty("proxyRequired", properties.proxyRequired());
        config.addProperty("gracefulShutdown", true);
        config.addProperty("maxLineLength", properties.maxLineLength());
        config.addProperty("timeout", properties.idleTimeout().toSeconds());

        config.addProperty(tlsMode == Tls.STARTTLS ? "tls.[@startTLS]" : "tls.[@socketTLS]", true);
        config.addProperty("tls.keystore", tls.keystoreFile().toString());
        config.addProperty("tls.keystoreType", tls.keystoreType());
        config.addProperty("tls.secret", tls.keystorePassword());
        config.addProperty("tls.supportedProtocols.protocol", List.copyOf(TlsMaterial.PROTOCOLS));

        // LOGINDISABLED, no AUTH=PLAIN, and LOGIN refused until TLS is on (RFC 9051 §6.2.3)
        config.addProperty("auth.requireSSL", !properties.allowPlaintextAuth());
        config.addProperty("auth.plainAuthEnabled", true);

        // mailbox-api creates every account's mailboxes; the gateway never provisions any
        config.addProperty("provisionDefaultMailboxes", false);
        config.addProperty("enableIdle", true);
        config.addProperty("literalSizeLimit", properties.maxLiteralSize().toBytes());
        // James's own per-listener throttle: as many commands in progress as there are threads to run them
        config.addProperty("concurrentRequests", properties.commandThreads());
        config.addProperty("maxQueueSize", properties.commandQueue());
        config.addProperty("disabledCaps", String.join("|", properties.disabledCapabilities()));
        return config;
    }
}
