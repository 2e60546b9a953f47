package io.mailroom.smtp.hook;

import java.time.Duration;
import java.util.Locale;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

/**
 * Failed logins per client address and per account name. Each count lives until {@code block} has passed
 * since its last failure; at the limit, further attempts are refused without asking mailbox-api, which stops
 * password guessing from one address and against one account from many.
 */
public final class AuthThrottle {

    private final int maxPerIp;
    private final int maxPerAccount;
    private final Duration delay;
    private final Cache<String, Integer> byIp;
    private final Cache<String, Integer> byAccount;

    public AuthThrottle(int maxPerIp, int maxPerAccount, Duration delay, Duration block) {
        this.maxPerIp = maxPerIp;
        this.maxPerAccount = maxPerAccount;
        this.delay = delay;
        this.byIp = Caffeine.newBuilder().expireAfterWrite(block).maximumSize(1_000_000).build();
        this.byAccount = Caffeine.newBuilder().expireAfterWrite(block).maximumSize(1_000_000).build();
    }

    public boolean blocked(String ip, String account) {
        return count(byIp, ip) >= maxPerIp || count(byAccount, key(account)) >= maxPerAccount;
    }

    public void failed(String ip, String account) {
        byIp.asMap().merge(ip, 1, Integer::sum);
        byAccount.asMap().merge(key(account), 1, Integer::sum);
    }

    public void succeeded(String account) {
        byAccount.invalidate(key(account));
    }

    /** How long the answer to a failed attempt is held back. */
    public Duration delay() {
        return delay;
    }

    private static int count(Cache<String, Integer> counts, String key) {
        Integer count = counts.getIfPresent(key);
        return count == null ? 0 : count;
    }

    private static String key(String account) {
        return account.toLowerCase(Locale.ROOT);
    }
}
