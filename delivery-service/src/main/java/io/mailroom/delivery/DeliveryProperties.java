package io.mailroom.delivery;

import java.time.Duration;

import org.hibernate.validator.constraints.time.DurationMin;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.NotNull;

/**
 * Settings of delivery-service ({@code mailroom.delivery.*}).
 *
 * @param retry when mailbox-api cannot take a message now
 */
@ConfigurationProperties("mailroom.delivery")
@Validated
public record DeliveryProperties(@NotNull @Valid @DefaultValue Retry retry) {

    /**
     * Exponential back-off by attempt, in the spirit of Postfix's queue manager (minimal_backoff_time,
     * maximal_backoff_time, maximal_queue_lifetime = 5d), but starting sooner: the next hop is our own
     * mailbox-api, whose outages are mostly restarts and deploys that last seconds to minutes, not a
     * remote MTA that is down for hours. The defaults try after 1, 2, 4, 8, 16, 32 minutes, then hourly,
     * and give up (dead-letter queue, where an operator can replay it) five days after the message was received.
     *
     * @param initialDelay the wait after the first failed attempt
     * @param multiplier   each further wait is this many times the previous one …
     * @param maxDelay     … but never longer than this
     * @param giveUpAfter  how old (since smtp-ingress received it) a message may get before delivery stops trying
     */
    public record Retry(
            @NotNull @DurationMin(seconds = 1) @DefaultValue("1m") Duration initialDelay,
            @DecimalMin("1.0") @DecimalMax("10.0") @DefaultValue("2.0") double multiplier,
            @NotNull @DurationMin(seconds = 1) @DefaultValue("1h") Duration maxDelay,
            @NotNull @DurationMin(minutes = 1) @DefaultValue("5d") Duration giveUpAfter) {

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
}
