package io.mailroom.smtp.hook;

import java.time.Clock;
import java.time.Duration;
import java.util.Locale;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Messages per hour per authenticated account, as a token bucket: an account may send {@code perHour} messages
 * at once and gets them back evenly over the hour. Kept per instance of smtp-ingress.
 */
public final class SendingRate {

    private final int perHour;
    private final Clock clock;
    private final Cache<String, Bucket> buckets;

    public SendingRate(int perHour, Clock clock) {
        this.perHour = perHour;
        this.clock = clock;
        // An account idle for an hour has a full bucket again: it need not be remembered.
        this.buckets = Caffeine.newBuilder().expireAfterAccess(Duration.ofHours(1)).maximumSize(1_000_000).build();
    }

    /** True when the account may send another message now. */
    public boolean allows(String account) {
        if (perHour <= 0) {
            return true;
        }
        Bucket bucket = buckets.getIfPresent(key(account));
        return bucket == null || bucket.available(clock.millis()) >= 1;
    }

    /** One message of the account was accepted. */
    public void sent(String account) {
        if (perHour <= 0) {
            return;
        }
        buckets.get(key(account), ignored -> new Bucket(perHour, clock.millis())).take(clock.millis());
    }

    private static String key(String account) {
        return account.toLowerCase(Locale.ROOT);
    }

    private static final class Bucket {

        private final int capacity;
        private double tokens;
        private long updated;

        Bucket(int capacity, long now) {
            this.capacity = capacity;
            this.tokens = capacity;
            this.updated = now;
        }

        synchronized double available(long now) {
            tokens = Math.min(capacity, tokens + (now - updated) * capacity / 3_600_000.0);
            updated = now;
            return tokens;
        }

        synchronized void take(long now) {
            available(now);
            tokens -= 1;
        }
    }
}
