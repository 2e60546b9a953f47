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
        @NotNull @Valid @DefaultValue RecipientCache recipientCache) {

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
     * @param timeToLive how long an answer about a recipient is reused; 0 asks mailbox-api every time
     * @param maxEntries how many answers are kept
     */
    public record RecipientCache(@NotNull @DefaultValue("60s") Duration timeToLive,
                                 @Min(0) @DefaultValue("10000") int maxEntries) {
    }

    private static String localHostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "localhost";
        }
    }
}
