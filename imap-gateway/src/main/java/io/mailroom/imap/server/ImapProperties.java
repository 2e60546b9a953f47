package io.mailroom.imap.server;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;

import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

/**
 * imap-gateway's settings ({@code mailroom.imap.*}).
 *
 * @param imap                the STARTTLS listener (RFC 9051 §6.2.1), port 1143 by default
 * @param imaps               the implicit-TLS listener (RFC 8314), port 1993 by default
 * @param helloName           the server name in the greeting; this machine's host name by default
 * @param maxLineLength       the longest command line accepted; long UID sets make IMAP lines long
 * @param idleTimeout         an idle session is closed after this long; RFC 9051 §5.4 asks for at least
 *                            30 minutes (James refuses less)
 * @param maxConnections      connections per listener at once; 0 for no limit
 * @param maxConnectionsPerIp connections per listener from one IP address at once; 0 for no limit (mail
 *                            clients open several per account)
 * @param ioThreads           Netty I/O threads per listener; commands that wait on mailbox-api run on
 *                            James's bounded blocking-call pool, not on these
 * @param proxyRequired       expect a PROXY protocol header on every connection (behind a load balancer)
 * @param allowPlaintextAuth  accept LOGIN / AUTHENTICATE PLAIN on a connection that is not encrypted; off by
 *                            default (RFC 9051 §6.2.3: LOGINDISABLED). The single-machine default turns it
 *                            on: its clients talk over loopback
 * @param disabledCapabilities   capabilities James implements but this gateway does not announce, because
 *                               what they need is not there yet: IDLE waits for the change-event bridge,
 *                               QRESYNC for CONDSTORE, QUOTA for quotas in mailbox-api; ACL and XLIST
 *                               (superseded by SPECIAL-USE) are not planned
 */
@Validated
@ConfigurationProperties("mailroom.imap")
public record ImapProperties(
        @Valid @NotNull Listener imap,
        @Valid @NotNull Listener imaps,
        String helloName,
        @Min(1024) @DefaultValue("65536") int maxLineLength,
        @NotNull @DurationMin(minutes = 30) @DefaultValue("30m") Duration idleTimeout,
        @Min(0) @DefaultValue("2000") int maxConnections,
        @Min(0) @DefaultValue("100") int maxConnectionsPerIp,
        @Min(1) @DefaultValue("2") int ioThreads,
        @DefaultValue("false") boolean proxyRequired,
        @DefaultValue("false") boolean allowPlaintextAuth,
        @NotNull @DefaultValue({"IDLE", "QRESYNC", "ACL", "LIST-MYRIGHTS", "QUOTA", "QUOTA=RES-STORAGE",
                "QUOTA=RES-MESSAGE", "XLIST"}) List<String> disabledCapabilities) {

    static final int DEFAULT_IMAP_PORT = 1143;
    static final int DEFAULT_IMAPS_PORT = 1993;

    public ImapProperties {
        imap = Listener.withDefaults(imap, DEFAULT_IMAP_PORT);
        imaps = Listener.withDefaults(imaps, DEFAULT_IMAPS_PORT);
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
