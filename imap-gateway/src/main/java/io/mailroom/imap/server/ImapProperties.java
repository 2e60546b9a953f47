package io.mailroom.imap.server;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;

import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
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
 * @param maxConnectionsPerAccount authenticated connections of one account on this replica at once; 0 for no limit
 *                            ({@link AccountConnectionLimit}: a further login is answered {@code NO [LIMIT]})
 * @param ioThreads           Netty I/O threads per listener; commands that wait on mailbox-api run on
 *                            James's bounded blocking-call pool, not on these
 * @param proxyRequired       expect a PROXY protocol header on every connection (behind a load balancer)
 * @param allowPlaintextAuth  accept LOGIN / AUTHENTICATE PLAIN on a connection that is not encrypted; off by
 *                            default (RFC 9051 §6.2.3: LOGINDISABLED). The single-machine default turns it
 *                            on: its clients talk over loopback
 * @param disabledCapabilities   capabilities James implements but this gateway does not announce: ACL and
 *                               LIST-MYRIGHTS (mailbox-api has no shared mailboxes), XLIST (superseded by
 *                               SPECIAL-USE)
 * @param defaultDomain       the domain added to a login name that has none (users may then log in with their
 *                            local part); empty for none: the login name is the full address
 * @param commandThreads      threads that run IMAP commands, which wait on mailbox-api; bounds the commands in
 *                            progress at once across all connections
 * @param commandQueue        commands waiting for a thread at most; beyond, a command is refused with NO
 * @param maxLiteralSize      the largest literal (APPEND) accepted, also announced as APPENDLIMIT (RFC 7889)
 * @param eventPollInterval   how often mailbox-api is asked for changes of the selected mailboxes when no change-event
 *                            source is configured (the fallback of the change-event bridge)
 * @param shutdownTimeout     how long a stopping listener lets commands in progress finish before it closes every
 *                            connection (each session is told {@code * BYE [UNAVAILABLE]} first)
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
        @Min(0) @DefaultValue("50") int maxConnectionsPerAccount,
        @Min(1) @DefaultValue("2") int ioThreads,
        @DefaultValue("false") boolean proxyRequired,
        @DefaultValue("false") boolean allowPlaintextAuth,
        @NotNull @DefaultValue({"ACL", "LIST-MYRIGHTS", "XLIST"}) List<String> disabledCapabilities,
        String defaultDomain,
        @Min(1) @DefaultValue("64") int commandThreads,
        @Min(1) @DefaultValue("10000") int commandQueue,
        @NotNull @DefaultValue("50MB") DataSize maxLiteralSize,
        @NotNull @DefaultValue("250ms") Duration eventPollInterval,
        @NotNull @DefaultValue("20s") Duration shutdownTimeout) {

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
