package io.mailroom.pop3.server;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

/**
 * pop3-gateway's settings ({@code mailroom.pop3.*}).
 *
 * @param pop3                   the STLS listener (RFC 2595), port 1110 by default
 * @param pop3s                  the implicit-TLS listener (RFC 8314), port 1995 by default
 * @param helloName              the server name in the greeting; this machine's host name by default
 * @param maxLineLength          the longest command line accepted, CRLF included. RFC 2449 §4 caps
 *                               commands at 255 octets, but long app passwords outgrow it in practice
 * @param idleTimeout            a session idle this long is closed; RFC 1939 §3 asks for at least 10 minutes
 * @param maxConnections         connections per listener at once; 0 for no limit
 * @param maxConnectionsPerIp    connections per listener from one IP address at once; 0 for no limit
 * @param handlerThreads         threads that run commands, and so wait on mailbox-api, per listener
 * @param proxyRequired          expect a PROXY protocol header on every connection (behind a load balancer)
 * @param allowPlaintextAuth     accept USER/PASS on a connection that is not encrypted; off by default
 *                               (RFC 2595 §2.2). The single-machine default turns it on: its clients talk
 *                               over loopback
 */
@Validated
@ConfigurationProperties("mailroom.pop3")
public record Pop3Properties(
        @Valid @NotNull Listener pop3,
        @Valid @NotNull Listener pop3s,
        String helloName,
        @Min(64) @Max(65536) @DefaultValue("1024") int maxLineLength,
        @NotNull @DefaultValue("10m") Duration idleTimeout,
        @Min(0) @DefaultValue("1000") int maxConnections,
        @Min(0) @DefaultValue("50") int maxConnectionsPerIp,
        @Min(1) @DefaultValue("32") int handlerThreads,
        @DefaultValue("false") boolean proxyRequired,
        @DefaultValue("false") boolean allowPlaintextAuth) {

    static final int DEFAULT_POP3_PORT = 1110;
    static final int DEFAULT_POP3S_PORT = 1995;

    public Pop3Properties {
        pop3 = Listener.withDefaults(pop3, DEFAULT_POP3_PORT);
        pop3s = Listener.withDefaults(pop3s, DEFAULT_POP3S_PORT);
        if (helloName == null || helloName.isBlank()) {
            helloName = localHostName();
        }
    }

    /**
     * One listening socket.
     *
     * @param host the address to listen on; {@code 0.0.0.0} for every interface
     * @param port the port; 0 lets the system choose (tests); the listener's standard port when not given
     */
    public record Listener(@NotBlank @DefaultValue(ALL_INTERFACES) String host, @NotNull @Min(0) @Max(65535) Integer port) {

        static final String ALL_INTERFACES = "0.0.0.0";

        static Listener withDefaults(Listener listener, int defaultPort) {
            if (listener == null) {
                return new Listener(ALL_INTERFACES, defaultPort);
            }
            return listener.port() == null ? new Listener(listener.host(), defaultPort) : listener;
        }
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
