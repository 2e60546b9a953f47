package io.mailroom.pop3.server;

import java.time.Duration;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.api.ProtocolConfiguration;
import org.apache.james.protocols.pop3.POP3Protocol;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import io.mailroom.mailbox.client.MailboxApiClient;
import io.mailroom.pop3.command.PlaintextAuthPolicy;
import io.mailroom.pop3.command.Pop3HandlerChain;
import io.mailroom.protocol.server.ProtocolServer;
import io.mailroom.protocol.server.TlsMode;
import io.mailroom.protocol.tls.TlsMaterial;

/**
 * The two POP3 listeners (DESIGN.md "Ports"): STLS on 1110 and implicit TLS on 1995, one James
 * protocol behind both. Each is a {@link ProtocolServer}, started once the context is ready and stopped
 * (every thread group with it) when it closes.
 */
@Configuration(proxyBeanMethods = false)
public class Pop3ServerConfiguration {

    /** RFC 2595 §4: the POP3 command that starts TLS. */
    static final String STLS = "STLS";
    static final String SOFTWARE_NAME = "Mailroom POP3";
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(10);

    @Bean
    POP3Protocol pop3Protocol(Pop3Properties properties, MetricFactory metricFactory, MailboxApiClient client) {
        PlaintextAuthPolicy policy = new PlaintextAuthPolicy(properties.allowPlaintextAuth());
        return new POP3Protocol(Pop3HandlerChain.create(metricFactory, client, policy),
                new Pop3Configuration(properties.helloName()));
    }

    @Bean
    ProtocolServer pop3Listener(Pop3Properties properties, POP3Protocol protocol, TlsMaterial tls) {
        return listener("pop3", properties.pop3(), properties, protocol)
                .tls(TlsMode.STARTTLS, tls, STLS)
                .build();
    }

    @Bean
    ProtocolServer pop3sListener(Pop3Properties properties, POP3Protocol protocol, TlsMaterial tls) {
        return listener("pop3s", properties.pop3s(), properties, protocol)
                .tls(TlsMode.IMPLICIT, tls, null)
                .build();
    }

    private static ProtocolServer.Builder listener(String name, Pop3Properties.Listener listener,
                                                   Pop3Properties properties, POP3Protocol protocol) {
        return ProtocolServer.builder(name, protocol)
                .listen(listener.host(), listener.port())
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
