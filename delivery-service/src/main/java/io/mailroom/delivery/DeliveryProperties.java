package io.mailroom.delivery;

import java.time.Duration;

import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;

/**
 * Settings of delivery-service ({@code mailroom.delivery.*}); docs/delivery.md lists them.
 *
 * @param retry              when a destination cannot take a message now
 * @param delayWarningAfter  a deferred message older than this sends one delay notification (RFC 3464 action
 *                           {@code delayed}) to its sender; {@code 0} turns delay warnings off
 * @param quotaGracePeriod   a recipient over quota is retried this long before the message bounces (5.2.2)
 * @param hostname           the name this service reports as the Reporting-MTA of delivery status notifications and
 *                           uses in their Message-ID; empty = the machine's host name
 * @param returnContentLimit a bounce returns the whole original message (RET=FULL, the default) only up to this
 *                           size; beyond it, the headers only (Postfix's bounce_size_limit)
 * @param adminToken         bearer token of the admin endpoint ({@code /admin/v1/queue}); empty turns it off
 * @param statsInterval      how often the queue gauges (depth, oldest age) are refreshed from the queue
 * @param relay              the outbound relay (smarthost) for remote recipients
 */
@ConfigurationProperties("mailroom.delivery")
@Validated
public record DeliveryProperties(
        @NotNull @Valid @DefaultValue Retry retry,
        @NotNull @DefaultValue("4h") Duration delayWarningAfter,
        @NotNull @DefaultValue("1d") Duration quotaGracePeriod,
        @DefaultValue("") String hostname,
        @NotNull @DefaultValue("50KB") DataSize returnContentLimit,
        @DefaultValue("") String adminToken,
        @NotNull @DurationMin(millis = 100) @DefaultValue("15s") Duration statsInterval,
        @NotNull @Valid @DefaultValue Relay relay) {

    @Override
    public String toString() {
        return "DeliveryProperties[retry=" + retry + ", delayWarningAfter=" + delayWarningAfter + ", quotaGracePeriod="
                + quotaGracePeriod + ", hostname=" + hostname + ", relay=" + relay + ", adminToken=****]";
    }

    /**
     * Exponential back-off by attempt, in the spirit of Postfix's queue manager (minimal_backoff_time,
     * maximal_backoff_time, maximal_queue_lifetime = 5d), but starting sooner: the next hop is mostly our own
     * mailbox-api, whose outages are restarts and deploys that last seconds to minutes, not a remote MTA that is
     * down for hours. The defaults try after 1, 2, 4, 8, 16, 32 minutes, then hourly, and give up five days after
     * the delivery period began (the message's receipt, or its replay from the dead letters): the recipients still
     * deferred then bounce (4.4.7).
     *
     * @param initialDelay the wait after the first failed attempt
     * @param multiplier   each further wait is this many times the previous one …
     * @param maxDelay     … but never longer than this
     * @param giveUpAfter  Postfix's maximal_queue_lifetime: how long a message is retried before it bounces
     */
    public record Retry(
            @NotNull @DurationMin(seconds = 1) @DefaultValue("1m") Duration initialDelay,
            @DecimalMin("1.0") @DecimalMax("10.0") @DefaultValue("2.0") double multiplier,
            @NotNull @DurationMin(seconds = 1) @DefaultValue("1h") Duration maxDelay,
            @NotNull @DurationMin(seconds = 1) @DefaultValue("5d") Duration giveUpAfter) {

        /** The wait before the attempt after {@code attempt} (1-based). */
        public Duration delayAfter(int attempt) {
            double factor = Math.pow(multiplier, Math.max(0, attempt - 1));
            double millis = initialDelay.toMillis() * factor;
            if (Double.isInfinite(millis) || millis >= maxDelay.toMillis()) {
                return maxDelay;
            }
            return Duration.ofMillis((long) millis);
        }
    }

    /**
     * The smarthost that takes every remote recipient (authenticated submission, alias forwards, bounces to remote
     * senders). Without a host, remote recipients stay deferred (4.3.5) until an operator configures one or the
     * message's lifetime ends.
     *
     * @param host           the relay's host name; empty = no relay
     * @param port           its port (587 submission, 25 MX)
     * @param starttls       {@code required} (the default: refuse to send in clear), {@code opportunistic} or
     *                       {@code off}
     * @param trustAll       accept any certificate from the relay (tests, private networks); off by default
     * @param username       AUTH PLAIN user name; empty = no AUTH
     * @param password       AUTH PLAIN password
     * @param connectTimeout bound on connecting
     * @param readTimeout    bound on each reply
     */
    public record Relay(
            @DefaultValue("") String host,
            @Min(1) @Max(65535) @DefaultValue("587") int port,
            @NotNull @DefaultValue("required") StartTls starttls,
            @DefaultValue("false") boolean trustAll,
            @DefaultValue("") String username,
            @DefaultValue("") String password,
            @NotNull @DefaultValue("10s") Duration connectTimeout,
            @NotNull @DefaultValue("5m") Duration readTimeout) {

        public boolean configured() {
            return host != null && !host.isBlank();
        }

        @Override
        public String toString() {
            return "Relay[host=" + host + ", port=" + port + ", starttls=" + starttls + ", username=" + username
                    + ", password=****]";
        }

        public enum StartTls {
            REQUIRED, OPPORTUNISTIC, OFF
        }
    }
}
