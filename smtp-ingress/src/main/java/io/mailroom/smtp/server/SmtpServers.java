package io.mailroom.smtp.server;

import java.time.Clock;

import io.mailroom.mailbox.client.MailboxApiClient;
import io.mailroom.protocol.server.ProtocolServer;
import io.mailroom.protocol.tls.TlsMaterial;
import io.mailroom.queue.MailQueue;
import io.mailroom.smtp.SmtpProperties;
import io.mailroom.smtp.SmtpReply;
import io.mailroom.smtp.hook.SenderAddresses;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.tracing.Tracer;
import io.micrometer.tracing.propagation.Propagator;
import io.mailroom.smtp.hook.SmtpTracing;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.apache.james.metrics.api.MetricFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The SMTP listeners, one {@link ProtocolServer} bean each: they start once the application context is ready
 * and stop first on shutdown (stop accepting, let transactions in progress finish, close).
 */
@Configuration(proxyBeanMethods = false)
public class SmtpServers {

    public static final String MX = "smtpMxServer";
    public static final String SUBMISSION = "smtpSubmissionServer";
    public static final String SUBMISSIONS = "smtpSubmissionsServer";

    @Bean
    @ConditionalOnMissingBean(MessageBuffer.class)
    SpoolingMessageBuffer spoolingMessageBuffer(SmtpProperties properties) {
        return new SpoolingMessageBuffer(properties.spool().directoryOrDefault(),
                (int) Math.min(Integer.MAX_VALUE, properties.spool().memoryThreshold().toBytes()));
    }

    @Bean
    SmtpProtocols smtpProtocols(MetricFactory metricFactory, ObjectProvider<MeterRegistry> meterRegistry,
                                MailboxApiClient mailboxApi, MailQueue queue, SmtpProperties properties,
                                MessageBuffer messageBuffer, ObjectProvider<SenderAddresses> senderAddresses,
                                ObjectProvider<Clock> clock, ObjectProvider<Tracer> tracer,
                                ObjectProvider<Propagator> propagator) {
        Tracer theTracer = tracer.getIfUnique();
        Propagator thePropagator = propagator.getIfUnique();
        SmtpTracing tracing = theTracer == null || thePropagator == null ? SmtpTracing.NONE : new SmtpTracing(theTracer, thePropagator);
        return new SmtpProtocols(metricFactory, meterRegistry.getIfAvailable(SimpleMeterRegistry::new), mailboxApi, queue,
                properties, messageBuffer, senderAddresses.getIfAvailable(() -> SenderAddresses.ACCOUNT_ADDRESS_ONLY),
                clock.getIfAvailable(Clock::systemDefaultZone), tracing);
    }

    @Bean(MX)
    @ConditionalOnBooleanProperty(name = "mailroom.smtp.listeners.mx.enabled", matchIfMissing = true)
    ProtocolServer smtpMxServer(SmtpProtocols protocols, SmtpProperties properties, TlsMaterial tls,
                                ObjectProvider<MeterRegistry> meters) {
        return server(SmtpListener.MX, properties.listeners().mx(), protocols, properties, tls, meters.getIfAvailable());
    }

    @Bean(SUBMISSION)
    @ConditionalOnBooleanProperty(name = "mailroom.smtp.listeners.submission.enabled", matchIfMissing = true)
    ProtocolServer smtpSubmissionServer(SmtpProtocols protocols, SmtpProperties properties, TlsMaterial tls,
                                        ObjectProvider<MeterRegistry> meters) {
        return server(SmtpListener.SUBMISSION, properties.listeners().submission(), protocols, properties, tls, meters.getIfAvailable());
    }

    @Bean(SUBMISSIONS)
    @ConditionalOnBooleanProperty(name = "mailroom.smtp.listeners.submissions.enabled", matchIfMissing = true)
    ProtocolServer smtpSubmissionsServer(SmtpProtocols protocols, SmtpProperties properties, TlsMaterial tls,
                                         ObjectProvider<MeterRegistry> meters) {
        return server(SmtpListener.SUBMISSIONS, properties.listeners().submissions(), protocols, properties, tls, meters.getIfAvailable());
    }

    private static ProtocolServer server(SmtpListener listener, SmtpProperties.Listener settings, SmtpProtocols protocols,
                                         SmtpProperties properties, TlsMaterial tls, MeterRegistry meters) {
        return ProtocolServer.builder(listener.serverName(), protocols.protocol(listener))
                .meterRegistry(meters)
                // BDAT's chunk follows its command line as bytes, not lines (RFC 3030).
                .pauseFramingAfter("BDAT")
                .tooManyConnectionsReply(SmtpReply.TOO_MANY_CONNECTIONS.line(properties.hostname()))
                .idleTimeoutReply(SmtpReply.IDLE_TIMEOUT.line(properties.hostname()))
                .listen(settings.bindAddress(), settings.port())
                .tls(listener.tlsMode(), tls, "STARTTLS")
                .proxyRequired(settings.proxyProtocol())
                .maxLineLength(properties.maxLineLength())
                .idleTimeout(properties.idleTimeout())
                .maxConnections(properties.maxConnections())
                .maxConnectionsPerIp(properties.maxConnectionsPerIp())
                .ioThreads(properties.ioThreads())
                .handlerThreads(properties.handlerThreads())
                .shutdownTimeout(properties.shutdownTimeout())
                .drain(new SmtpDrain(properties.hostname()))
                .mdcContextFactory(new SmtpSessionMdc())
                .build();
    }
}
