package io.mailroom.pop3.server;

import java.time.Duration;
import java.time.InstantSource;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.api.ProtocolConfiguration;
import org.apache.james.protocols.pop3.POP3Protocol;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.mailroom.mailbox.client.MailboxApiClient;
import io.mailroom.mailbox.client.MaildropLeaseClient;
import io.mailroom.pop3.command.CapaCommand;
import io.mailroom.pop3.command.Pop3HandlerChain;
import io.mailroom.pop3.login.AuthCommand;
import io.mailroom.pop3.login.Login;
import io.mailroom.pop3.login.LoginThrottle;
import io.mailroom.pop3.login.PlaintextAuthPolicy;
import io.mailroom.pop3.maildrop.InProcessMaildropLock;
import io.mailroom.pop3.maildrop.MailboxApiMaildropLock;
import io.mailroom.pop3.maildrop.MaildropLeases;
import io.mailroom.pop3.maildrop.MaildropLock;
import io.mailroom.pop3.retrieval.MessageRetrieval;
import io.mailroom.pop3.retrieval.MessageSpool;
import io.mailroom.pop3.retrieval.ReadAhead;
import io.mailroom.pop3.retrieval.RetrAtOnce;
import io.mailroom.protocol.server.ProtocolServer;
import io.mailroom.protocol.server.TlsMode;
import io.mailroom.protocol.tls.TlsMaterial;

/**
 * The two POP3 listeners (DESIGN.md "Ports"): STLS on 1110 and implicit TLS on 1995, one James protocol
 * behind both, and what that protocol's commands share: the login (policy, throttle, maildrop locks) and
 * the message spool. Each listener is a {@link ProtocolServer}, started once the context is ready and
 * stopped (every thread group with it) when it closes; the maildrop locks still held are given back after.
 */
@Configuration(proxyBeanMethods = false)
public class Pop3ServerConfiguration {

    /** RFC 2595 §4: the POP3 command that starts TLS. */
    static final String STLS = "STLS";
    static final String SOFTWARE_NAME = "Mailroom POP3";
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);
    static final String TOO_MANY_CONNECTIONS = "-ERR [SYS/TEMP] Too many connections, try again later";
    static final String IDLE_TIMEOUT = "-ERR Disconnected for inactivity";
    /** How long RETR waits for a client to read its earlier answers when no idle timeout is set. */
    private static final Duration DEFAULT_CLIENT_READ_LIMIT = Duration.ofMinutes(10);

    @Bean
    PlaintextAuthPolicy plaintextAuthPolicy(Pop3Properties properties) {
        return new PlaintextAuthPolicy(properties.allowPlaintextAuth(), properties.allowPlaintextAuthOnLoopback());
    }

    @Bean
    LoginThrottle loginThrottle(Pop3Properties properties) {
        return new LoginThrottle(properties.loginFailures());
    }

    /** The maildrop locks: mailbox-api's, shared by every replica, unless configured to stay in this process. */
    @Bean
    MaildropLock maildropLock(Pop3Properties properties, ObjectProvider<MaildropLeaseClient> leaseClient) {
        return switch (properties.maildropLock().store()) {
            case IN_PROCESS -> new InProcessMaildropLock(InstantSource.system(), loginDelay(properties));
            case MAILBOX_API -> new MailboxApiMaildropLock(leaseClient.getIfAvailable(() -> {
                throw new IllegalStateException("mailroom.pop3.maildrop-lock.store=mailbox-api needs a MaildropLeaseClient "
                        + "(mailbox-client's HttpMailboxApiClient); set it to in-process for a single replica without one");
            }));
        };
    }

    @Bean(destroyMethod = "close")
    MaildropLeases maildropLeases(MaildropLock lock, Pop3Properties properties) {
        return new MaildropLeases(lock, properties.maildropLock().ttl(), loginDelay(properties));
    }

    @Bean
    MessageSpool messageSpool(Pop3Properties properties) {
        Pop3Properties.Spool spool = properties.spool();
        return new MessageSpool(spool.directory(), spool.memoryThreshold().toBytes(), spool.memoryBudget().toBytes());
    }

    @Bean
    Login login(MailboxApiClient client, PlaintextAuthPolicy policy, LoginThrottle throttle, MaildropLeases leases) {
        return new Login(client, policy, throttle, leases);
    }

    @Bean(destroyMethod = "close")
    ReadAhead readAhead(MessageSpool spool, Pop3Properties properties, MeterRegistry meters) {
        Pop3Properties.ReadAheadLimits limits = properties.readAhead();
        return new ReadAhead(spool, limits.messages(), limits.sessionBytes().toBytes(), limits.memoryBudget().toBytes(),
                properties.handlerThreads(), meters);
    }

    @Bean
    MessageRetrieval messageRetrieval(MessageSpool spool, ReadAhead readAhead, Pop3Properties properties) {
        Duration idle = properties.idleTimeout();
        return new MessageRetrieval(spool, properties.readAhead().messages() > 0 ? readAhead : null,
                idle.isZero() ? DEFAULT_CLIENT_READ_LIMIT : idle, properties.readAhead().await());
    }

    @Bean
    POP3Protocol pop3Protocol(Pop3Properties properties, MetricFactory metricFactory, Login login, MessageRetrieval retrieval) {
        CapaCommand.Settings capa = new CapaCommand.Settings(properties.expire(), properties.loginDelay(),
                properties.implementation(), AuthCommand.mechanisms());
        return new POP3Protocol(Pop3HandlerChain.create(metricFactory, login, capa, retrieval),
                new Pop3Configuration(properties.helloName()));
    }

    @Bean
    ProtocolServer pop3Listener(Pop3Properties properties, POP3Protocol protocol, TlsMaterial tls, MeterRegistry meters,
                                ReadAhead readAhead) {
        return listener("pop3", properties.pop3(), properties, protocol, meters, readAhead)
                .tls(TlsMode.STARTTLS, tls, STLS)
                .build();
    }

    @Bean
    ProtocolServer pop3sListener(Pop3Properties properties, POP3Protocol protocol, TlsMaterial tls, MeterRegistry meters,
                                 ReadAhead readAhead) {
        return listener("pop3s", properties.pop3s(), properties, protocol, meters, readAhead)
                .tls(TlsMode.IMPLICIT, tls, null)
                .build();
    }

    private static Duration loginDelay(Pop3Properties properties) {
        return properties.loginDelay() == null ? Duration.ZERO : properties.loginDelay();
    }

    private static ProtocolServer.Builder listener(String name, Pop3Properties.Listener listener,
                                                   Pop3Properties properties, POP3Protocol protocol, MeterRegistry meters,
                                                   ReadAhead readAhead) {
        ProtocolServer.Builder builder = ProtocolServer.builder(name, protocol);
        if (properties.readAhead().messages() > 0) {
            // a RETR whose message was read ahead is answered on the I/O thread
            builder.inlineCommands(new RetrAtOnce(readAhead));
        }
        return builder
                .listen(listener.host(), listener.port())
                .meterRegistry(meters)
                .tooManyConnectionsReply(TOO_MANY_CONNECTIONS)
                .idleTimeoutReply(IDLE_TIMEOUT)
                .maxLineLength(properties.maxLineLength())
                .idleTimeout(properties.idleTimeout())
                .maxConnections(properties.maxConnections())
                .maxConnectionsPerIp(properties.maxConnectionsPerIp())
                .handlerThreads(properties.handlerThreads())
                .proxyRequired(properties.proxyRequired())
                .shutdownTimeout(SHUTDOWN_TIMEOUT);
    }

    /** What the greeting says; James's POP3 has no greeting text of its own to configure. */
    record Pop3Configuration(String helloName) implements ProtocolConfiguration {

        @Override
        public String getHelloName() {
            return helloName;
        }

        @Override
        public String getSoftwareName() {
            return SOFTWARE_NAME;
        }

        @Override
        public String getGreeting() {
            return null;
        }
    }
}
