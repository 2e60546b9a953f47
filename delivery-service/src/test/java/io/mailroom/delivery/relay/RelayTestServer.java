package io.mailroom.delivery.relay;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.core.Username;
import org.apache.james.protocols.api.OidcSASLConfiguration;
import org.apache.james.protocols.smtp.MailEnvelope;
import org.apache.james.protocols.smtp.SMTPConfigurationImpl;
import org.apache.james.protocols.smtp.SMTPProtocol;
import org.apache.james.protocols.smtp.SMTPProtocolHandlerChain;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.AuthHook;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.HookReturnCode;
import org.apache.james.protocols.smtp.hook.MessageHook;
import org.apache.james.protocols.smtp.hook.RcptHook;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mailroom.protocol.metrics.MicrometerMetricFactory;
import io.mailroom.protocol.server.ProtocolServer;
import io.mailroom.protocol.server.TlsMode;
import io.mailroom.protocol.tls.TlsMaterial;
import io.mailroom.protocol.tls.TlsProperties;

/**
 * A real second SMTP server for the relay tests, built from Apache James's SMTP protocol on Mailroom's Netty
 * listener: STARTTLS with a self-signed certificate (or none), AUTH PLAIN for one user once TLS is up, and a
 * recipient policy by local part: {@code refused…} gets 550 5.1.1, {@code later…} gets 451 4.2.0, anyone else is
 * accepted. Every message it takes is kept with the facts of its session.
 */
public final class RelayTestServer implements AutoCloseable {

    public static final String USER = "relay-user";
    public static final String PASSWORD = "relay-secret";

    /** One message the server accepted. */
    public record Received(String sender, List<String> recipients, byte[] content, boolean tls, String user) {
    }

    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final Map<String, String> authenticated = new ConcurrentHashMap<>();
    private final ProtocolServer server;

    public RelayTestServer(boolean startTls, Path tlsDirectory) throws Exception {
        SMTPProtocolHandlerChain chain = new SMTPProtocolHandlerChain(new MicrometerMetricFactory(new SimpleMeterRegistry()),
                new Auth(), new Recipients(), new Store());
        SMTPConfigurationImpl configuration = new SMTPConfigurationImpl() {
            @Override
            public boolean isAuthAnnounced(String remoteIP, boolean tlsStarted) {
                return tlsStarted;
            }

            @Override
            public boolean isPlainAuthEnabled() {
                return true;
            }
        };
        ProtocolServer.Builder builder = ProtocolServer.builder("relay-test", new SMTPProtocol(chain, configuration))
                .listen("127.0.0.1", 0);
        if (startTls) {
            builder.tls(TlsMode.STARTTLS, TlsMaterial.load(TlsProperties.selfSigned(tlsDirectory, "localhost")), "STARTTLS");
        }
        server = builder.build();
        server.start();
    }

    public int port() {
        return server.port();
    }

    public List<Received> received() {
        return List.copyOf(received);
    }

    @Override
    public void close() {
        server.stop();
    }

    private final class Auth implements AuthHook {
        @Override
        public HookResult doAuth(SMTPSession session, Username username, String password) {
            if (USER.equals(username.asString()) && PASSWORD.equals(password)) {
                authenticated.put(session.getSessionID(), username.asString());
                return HookResult.OK;
            }
            return HookResult.DECLINED;
        }

        @Override
        public HookResult doSasl(SMTPSession session, OidcSASLConfiguration configuration, String initialResponse) {
            return HookResult.DECLINED;
        }
    }

    private static final class Recipients implements RcptHook {
        @Override
        public HookResult doRcpt(SMTPSession session, MaybeSender sender, MailAddress rcpt, Map<String, String> parameters) {
            String local = rcpt.getLocalPart();
            if (local.startsWith("refused")) {
                return HookResult.builder().hookReturnCode(HookReturnCode.deny()).smtpReturnCode("550")
                        .smtpDescription("5.1.1 no such user here").build();
            }
            if (local.startsWith("later")) {
                return HookResult.builder().hookReturnCode(HookReturnCode.denySoft()).smtpReturnCode("451")
                        .smtpDescription("4.2.0 mailbox busy, try later").build();
            }
            return HookResult.OK;
        }
    }

    private final class Store implements MessageHook {
        @Override
        public HookResult onMessage(SMTPSession session, MailEnvelope envelope) {
            try (InputStream in = envelope.getMessageInputStream()) {
                received.add(new Received(envelope.getMaybeSender().asString(""),
                        envelope.getRecipients().stream().map(MailAddress::asString).toList(), in.readAllBytes(),
                        session.isTLSStarted(), authenticated.get(session.getSessionID())));
            } catch (IOException e) {
                return HookResult.DENYSOFT;
            }
            return HookResult.OK;
        }
    }
}
