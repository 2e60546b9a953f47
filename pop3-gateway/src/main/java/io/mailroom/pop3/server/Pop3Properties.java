package io.mailroom.pop3.server;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;

/**
 * pop3-gateway's settings ({@code mailroom.pop3.*}).
 *
 * @param pop3                        the STLS listener (RFC 2595), port 1110 by default
 * @param pop3s                       the implicit-TLS listener (RFC 8314), port 1995 by default
 * @param helloName                   the server name in the greeting; this machine's host name by default
 * @param maxLineLength               the longest command line accepted, CRLF included. RFC 2449 §4 caps
 *                                    commands at 255 octets, but long app passwords (and SASL responses)
 *                                    outgrow it in practice
 * @param idleTimeout                 a session idle this long is closed; RFC 1939 §3 asks for at least 10 minutes
 * @param maxConnections              connections per listener at once; 0 for no limit
 * @param maxConnectionsPerIp         connections per listener from one IP address at once; 0 for no limit
 * @param handlerThreads              threads that run commands, and so wait on mailbox-api, per listener
 * @param proxyRequired               expect a PROXY protocol header on every connection (behind a load balancer)
 * @param allowPlaintextAuth          accept USER/PASS and AUTH on any connection that is not encrypted; off by
 *                                    default (RFC 2595 §2.2)
 * @param allowPlaintextAuthOnLoopback accept them without TLS when the connection comes from this machine
 *                                    (127.0.0.0/8, ::1), and, behind a load balancer, the client it names too:
 *                                    no password crosses a network in clear. The single-machine default wants this
 * @param implementation              the text of the IMPLEMENTATION capability (RFC 2449 §6.9); blank hides it
 * @param expire                      the EXPIRE capability (RFC 2449 §6.7): {@code NEVER} or a number of days;
 *                                    not announced when unset. It only announces a retention policy that
 *                                    the operator enforces elsewhere; the gateway deletes nothing by itself
 * @param loginDelay                  the LOGIN-DELAY capability (RFC 2449 §6.5), enforced per account: a login
 *                                    sooner than this after the account's previous one is refused with
 *                                    {@code -ERR [LOGIN-DELAY]}; not announced (and not enforced) when unset
 * @param loginFailures               how failed logins are slowed down and then blocked
 * @param maildropLock                the per-account maildrop lock (RFC 1939 §8)
 * @param spool                       where RETR and TOP stage a message before it is written to the client
 * @param readAhead                   how RETR reads the next messages while the client reads one
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
        @DefaultValue("false") boolean allowPlaintextAuth,
        @DefaultValue("false") boolean allowPlaintextAuthOnLoopback,
        @DefaultValue("Mailroom") String implementation,
        @Pattern(regexp = "NEVER|[0-9]{1,5}") String expire,
        Duration loginDelay,
        @Valid @NotNull @DefaultValue LoginFailures loginFailures,
        @Valid @NotNull @DefaultValue MaildropLock maildropLock,
        @Valid @NotNull @DefaultValue Spool spool,
        @Valid @NotNull @DefaultValue ReadAheadLimits readAhead) {

    static final int DEFAULT_POP3_PORT = 1110;
    static final int DEFAULT_POP3S_PORT = 1995;

    public Pop3Properties {
        pop3 = Listener.withDefaults(pop3, DEFAULT_POP3_PORT);
        pop3s = Listener.withDefaults(pop3s, DEFAULT_POP3S_PORT);
        if (helloName == null || helloName.isBlank()) {
            helloName = localHostName();
        }
    }

    @AssertTrue(message = "login-delay must not be negative")
    boolean isLoginDelayValid() {
        return loginDelay == null || !loginDelay.isNegative();
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

    /**
     * Failed logins: each answer is held back, longer with each failure from the same address, and
     * after too many failures the address, or the account, is blocked for a while. The counts are
     * this replica's; mailbox-api keeps its own across replicas ({@code auth-locked}).
     *
     * @param delay         how long the answer to a failed login is held back
     * @param maxDelay      the delay doubles with each failure from one address, up to this
     * @param window        failures are counted until none has come for this long
     * @param maxPerIp      failures from one address that block it
     * @param maxPerAccount failures for one account that block it (except for addresses that logged in to it
     *                      before: an attacker cannot lock the owner's own mail client out)
     * @param blockDuration how long a block lasts
     * @param maxTracked    addresses and accounts remembered at most (each table), so that an attack from
     *                      many addresses cannot exhaust memory
     */
    public record LoginFailures(
            @NotNull @DefaultValue("2s") Duration delay,
            @NotNull @DefaultValue("15s") Duration maxDelay,
            @NotNull @DefaultValue("15m") Duration window,
            @Min(1) @DefaultValue("20") int maxPerIp,
            @Min(1) @DefaultValue("10") int maxPerAccount,
            @NotNull @DefaultValue("15m") Duration blockDuration,
            @Min(100) @DefaultValue("100000") long maxTracked) {
    }

    /**
     * @param ttl   how long a session's lock outlives the session when its replica dies without releasing it;
     *              a live session renews it every third of this
     * @param store where the locks live: {@code mailbox-api} (shared by every replica, the default) or
     *              {@code in-process} (this replica only: for a single replica without mailbox-api's lease endpoint)
     */
    public record MaildropLock(@NotNull @DefaultValue("2m") Duration ttl,
                               @NotNull @DefaultValue("mailbox-api") Store store) {

        /** Where the maildrop locks live. */
        public enum Store {
            MAILBOX_API, IN_PROCESS
        }

        @AssertTrue(message = "maildrop-lock.ttl must be at least 3 seconds")
        boolean isTtlValid() {
            return ttl == null || ttl.compareTo(Duration.ofSeconds(3)) >= 0;
        }
    }

    /**
     * RETR and TOP read the message from mailbox-api into memory or a file on the handler thread, and only
     * then is it written, so that no Netty I/O thread ever waits on mailbox-api.
     *
     * @param directory       where messages above {@code memoryThreshold} go; {@code <java.io.tmpdir>/mailroom-pop3-spool}
     *                        by default. Files are unlinked as soon as they are open for reading
     * @param memoryThreshold messages up to this size are kept in memory
     * @param memoryBudget    all messages kept in memory at once, across sessions; beyond it they go to files
     */
    public record Spool(Path directory,
                        @NotNull @DefaultValue("1MB") DataSize memoryThreshold,
                        @NotNull @DefaultValue("64MB") DataSize memoryBudget) {

        public Spool {
            directory = directory == null ? Path.of(System.getProperty("java.io.tmpdir"), "mailroom-pop3-spool") : directory;
        }
    }

    /**
     * After RETR n the next messages are fetched from mailbox-api while the client reads message n, so that the
     * RETRs that follow are answered from memory ({@link io.mailroom.pop3.retrieval.ReadAhead}).
     *
     * @param messages     how many messages ahead; 0 turns read-ahead off. The window is refilled, in batches of up
     *                     to 32 messages per mailbox-api request, once half of it has been read: 64 makes each refill
     *                     one full request of 32 (a request costs mailbox-api and the gateway about as much as the
     *                     messages it carries, so fewer, fuller requests pay)
     * @param sessionBytes the most one session holds read ahead; larger messages are never read ahead
     * @param memoryBudget the most all sessions together hold read ahead
     * @param await        how long RETR waits for its message still on its way before it reads it itself
     */
    public record ReadAheadLimits(@Min(0) @Max(128) @DefaultValue("64") int messages,
                                  @NotNull @DefaultValue("512KB") DataSize sessionBytes,
                                  @NotNull @DefaultValue("32MB") DataSize memoryBudget,
                                  @NotNull @DefaultValue("30s") Duration await) {
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
