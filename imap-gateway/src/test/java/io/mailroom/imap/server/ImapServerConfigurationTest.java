package io.mailroom.imap.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.apache.commons.configuration2.HierarchicalConfiguration;
import org.apache.commons.configuration2.tree.ImmutableNode;
import org.apache.james.imapserver.netty.IMAPServer;
import org.apache.james.protocols.lib.SslConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

import io.mailroom.protocol.tls.TlsMaterial;
import io.mailroom.protocol.tls.TlsProperties;

/** What James reads from the configuration Mailroom builds for it. */
class ImapServerConfigurationTest {

    @TempDir
    Path tlsDirectory;

    @Test
    void connectionsTakeTheirBuffersFromThePooledAllocator() {
        io.netty.bootstrap.ServerBootstrap bootstrap = MailroomImapServer.pooledBuffers(new io.netty.bootstrap.ServerBootstrap());
        assertThat(bootstrap.config().childOptions())
                .containsEntry(io.netty.channel.ChannelOption.ALLOCATOR, io.netty.buffer.PooledByteBufAllocator.DEFAULT);
    }

    @Test
    void startTlsListenerWithTheServiceKeyAndNoPlaintextLogin() throws Exception {
        TlsMaterial tls = TlsMaterial.load(TlsProperties.selfSigned(tlsDirectory, "imap.test"));
        HierarchicalConfiguration<ImmutableNode> config = ImapServerConfiguration.configuration("imap",
                new ImapProperties.Listener("127.0.0.1", 1143), ImapServerConfiguration.Tls.STARTTLS,
                properties(false), tls);

        SslConfig ssl = SslConfig.parse(config);
        assertThat(ssl.useStartTLS()).isTrue();
        assertThat(ssl.useSSL()).isFalse();
        assertThat(ssl.getKeystore()).isEqualTo(tls.keystoreFile().toString());
        assertThat(ssl.getKeystoreType()).isEqualTo("PKCS12");
        assertThat(ssl.getEnabledProtocols()).containsExactly("TLSv1.3", "TLSv1.2");
        assertThat(IMAPServer.AuthenticationConfiguration.parse(config).isSSLRequired()).isTrue();
        assertThat(config.getString("bind")).isEqualTo("127.0.0.1:1143");
        assertThat(config.getBoolean("helloName.[@autodetect]")).isFalse();
        assertThat(config.getString("helloName")).isEqualTo("imap.test");
        assertThat(config.getString("disabledCaps")).isEqualTo("ACL|XLIST");
        assertThat(config.getBoolean("enableIdle")).isTrue();
        assertThat(config.getLong("literalSizeLimit")).isEqualTo(DataSize.ofMegabytes(20).toBytes());
        assertThat(config.getInt("concurrentRequests")).isEqualTo(8);
        // RFC 9051 §5.4: an idle client is logged out after 30 minutes, not sooner
        assertThat(config.getLong("timeout")).isEqualTo(1800);
        assertThat(config.getInt("maxLineLength")).isEqualTo(65536);
        assertThat(config.getInt("connectionLimitPerIP")).isEqualTo(5);
    }

    @Test
    void implicitTlsListenerAndPlaintextLoginWhenAllowed() throws Exception {
        TlsMaterial tls = TlsMaterial.load(TlsProperties.selfSigned(tlsDirectory, "imap.test"));
        HierarchicalConfiguration<ImmutableNode> config = ImapServerConfiguration.configuration("imaps",
                new ImapProperties.Listener("0.0.0.0", 1993), ImapServerConfiguration.Tls.IMPLICIT,
                properties(true), tls);

        SslConfig ssl = SslConfig.parse(config);
        assertThat(ssl.useSSL()).isTrue();
        assertThat(ssl.useStartTLS()).isFalse();
        assertThat(IMAPServer.AuthenticationConfiguration.parse(config).isSSLRequired()).isFalse();
    }

    private static ImapProperties properties(boolean allowPlaintextAuth) {
        return new ImapProperties(null, null, "imap.test", 65536, Duration.ofMinutes(30), 10, 5, 20, 1, false,
                allowPlaintextAuth, List.of("ACL", "XLIST"), null, 8, 100, DataSize.ofMegabytes(20), Duration.ofMillis(250),
                Duration.ofSeconds(20));
    }
}
