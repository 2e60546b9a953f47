package io.mailroom.smtp;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;

import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of smtp-ingress ({@code mailroom.smtp.*}).
 *
 * @param hostname           the name this server gives in its greeting, EHLO reply and Received headers
 *                           (default: the machine's host name)
 * @param listeners          the three listeners: MX, submission with STARTTLS, submission over implicit TLS
 * @param maxMessageSize     announced with SIZE (RFC 1870) and enforced; larger messages get 552 5.3.4
 * @param maxLineLength      longest command or message line, CRLF included. RFC 5321 4.5.3.1.6 allows 1000, but
 *                           real mail exceeds that often enough that refusing it would lose mail
 * @param maxRecipients      RCPT commands per transaction (RFC 5321 4.5.3.1.8: at least 100); then 452 4.5.3
 * @param idleTimeout        a client that sends nothing for this long is disconnected (RFC 5321 4.5.3.2.7: 5 minutes)
 * @param maxConnections     connections per listener at once; 0 for no limit
 * @param maxConnectionsPerIp connections per listener from one IP address at once; 0 for no limit
 * @param ioThreads          Netty I/O threads per listener
 * @param handlerThreads     threads per listener that run the SMTP handler and wait on mailbox-api and the queue
 * @param shutdownTimeout    how long a stopping listener lets transactions in progress finish
 * @param recipientCache     how long answers about recipients are reused
 * @param maxCommandsPerConnection commands one connection may give; then 421 4.7.0 and the connection is closed
 * @param maxErrors          4xx/5xx replies one connection may earn without a message being accepted; then
 *                           421 4.7.0 and the connection is closed (Postfix's smtpd_hard_error_limit)
 * @param maxMessagesPerHour messages one authenticated account may submit per hour (per instance); 0 for no limit
 * @param authFailures       what repeated failed logins lead to
 * @param spool              where message data goes while it arrives, and how much of it may be in memory at once
 */
@ConfigurationProperties("mailroom.smtp")
@Validated
public record SmtpProperties(
        String hostname,
        @NotNull @Valid @DefaultValue Listeners listeners,
        @NotNull @DefaultValue("50MB") DataSize maxMessageSize,
        @Min(1000) @Max(1_048_576) @DefaultValue("65536") int maxLineLength,
        @Min(100) @Max(100_000) @DefaultValue("1000") int maxRecipients,
        @NotNull @DurationMin(seconds = 1) @DefaultValue("5m") Duration idleTimeout,
        @Min(0) @DefaultValue("1000") int maxConnections,
        @Min(0) @DefaultValue("50") int maxConnectionsPerIp,
        @Min(1) @Max(64) @DefaultValue("2") int ioThreads,
        @Min(1) @Max(1024) @DefaultValue("64") int handlerThreads,
        @NotNull @DefaultValue("20s") Duration shutdownTimeout,
        @NotNull @Valid @DefaultValue RecipientCache recipientCache,
        @Min(10) @DefaultValue("10000") int maxCommandsPerConnection,
        @Min(1) @DefaultValue("20") int maxErrors,
        @Min(0) @DefaultValue("500") int maxMessagesPerHour,
        @NotNull @Valid @DefaultValue AuthFailures authFailures,
        @NotNull @Valid @DefaultValue Spool spool) {

    public SmtpProperties {
        if (hostname == null || hostname.isBlank()) {
            hostname = localHostName();
        }
        if (maxMessageSize != null && (maxMessageSize.toBytes() < 1024 || maxMessageSize.toBytes() > Integer.MAX_VALUE)) {
            // James counts message sizes in an int.
            throw new IllegalArgumentException("mailroom.smtp.max-message-size must be between 1KB and 2GB");
        }
    }

    /**
     * @param mx          port 25's job: mail from other servers to local recipients; STARTTLS offered, no AUTH
     * @param submission  port 587's job (RFC 6409): authenticated clients; AUTH only after STARTTLS
     * @param submissions port 465's job (RFC 8314): authenticated clients over implicit TLS
     */
    public record Listeners(@Valid Listener mx, @Valid Listener submission, @Valid Listener submissions) {

        public static final int MX_PORT = 2525;
        public static final int SUBMISSION_PORT = 2587;
        public static final int SUBMISSIONS_PORT = 2465;

        public Listeners {
            mx = Listener.orDefault(mx, MX_PORT);
            submission = Listener.orDefault(submission, SUBMISSION_PORT);
            submissions = Listener.orDefault(submissions, SUBMISSIONS_PORT);
        }
    }

    /**
     * @param enabled       whether this listener runs
     * @param bindAddress   the address to listen on ({@code 0.0.0.0}: every interface)
     * @param port          the port (0: any free one, for tests); each listener has its own default
     * @param proxyProtocol expect a PROXY protocol header first (behind a TCP load balancer that sends one)
     */
    public record Listener(@DefaultValue("true") boolean enabled,
                           @NotBlank @DefaultValue("0.0.0.0") String bindAddress,
                           @NotNull @Min(0) @Max(65535) Integer port,
                           @DefaultValue("false") boolean proxyProtocol) {

        static Listener orDefault(Listener listener, int defaultPort) {
            if (listener == null) {
                return new Listener(true, "0.0.0.0", defaultPort, false);
            }
            return listener.port() != null ? listener
                    : new Listener(listener.enabled(), listener.bindAddress(), defaultPort, listener.proxyProtocol());
        }
    }

    /**
     * @param timeToLive how long an answer about a recipient is used before it is refreshed (in the background:
     *                   RCPT keeps getting the old answer meanwhile); 0 asks mailbox-api every time
     * @param staleFor   how much longer an answer may be used while mailbox-api cannot refresh it
     * @param maxEntries how many answers are kept
     */
    public record RecipientCache(@NotNull @DefaultValue("60s") Duration timeToLive,
                                 @NotNull @DefaultValue("5m") Duration staleFor,
                                 @Min(0) @DefaultValue("10000") int maxEntries) {
    }

    /**
     * Failed AUTH attempts (RFC 4954), counted per client address and per account name: each failure is answered
     * only after {@code delay}; after {@code maxPerIp} failures from one address, or {@code maxPerAccount} for one
     * account, every AUTH from there or for it gets 454 4.7.0 until {@code block} has passed since the last failure.
     */
    public record AuthFailures(@Min(1) @DefaultValue("10") int maxPerIp,
                               @Min(1) @DefaultValue("5") int maxPerAccount,
                               @NotNull @DefaultValue("1s") Duration delay,
                               @NotNull @DurationMin(seconds = 1) @DefaultValue("15m") Duration block) {
    }

    /**
     * @param memoryThreshold up to this much of a message is kept in memory; the rest goes to a file
     * @param directory       where those files go (each process makes a directory of its own in it);
     *                        default: the system's temporary directory
     * @param enqueueMemory   how many bytes of messages may be in memory at once on their way to the queue (the
     *                        queue takes each message whole); default: a quarter of the maximum heap
     * @param enqueueWait     how long a message waits for that memory before the client gets 451 4.3.0
     */
    public record Spool(@NotNull @DefaultValue("256KB") DataSize memoryThreshold,
                        java.nio.file.Path directory,
                        DataSize enqueueMemory,
                        @NotNull @DefaultValue("30s") Duration enqueueWait) {

        public java.nio.file.Path directoryOrDefault() {
            return directory != null ? directory : java.nio.file.Path.of(System.getProperty("java.io.tmpdir"), "mailroom-smtp-spool");
        }

        public long enqueueMemoryOrDefault() {
            return enqueueMemory != null ? enqueueMemory.toBytes() : Runtime.getRuntime().maxMemory() / 4;
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
