package io.mailroom.pop3.login;

import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;

import io.mailroom.pop3.server.Pop3Properties;

/**
 * Slows password guessing down, then stops it for a while: this replica's half of the login policy
 * (mailbox-api keeps the other half, across replicas, and answers {@code auth-locked}).
 *
 * <ul>
 *   <li>Every failed login's answer is held back ({@link #failed}): the configured delay, doubled with
 *       each further failure from the same address, up to a maximum (Dovecot's auth penalty does the same).</li>
 *   <li>After too many failures from one address, that address is blocked for a while: every login from it
 *       is refused before its password is looked at.</li>
 *   <li>After too many failures for one account, the account is blocked the same way, except for addresses
 *       that have logged in to it successfully before: an attacker who guesses from elsewhere does not
 *       lock the owner's own mail client out.</li>
 * </ul>
 *
 * <p>Failures are counted until none has come for {@code window}. Every table is bounded, so that a
 * spray from many addresses or at many accounts costs bounded memory; under such pressure the least
 * useful entries are forgotten first.
 */
public final class LoginThrottle {

    /** Why a login is refused before its credentials are checked. */
    public enum Block { ADDRESS, ACCOUNT }

    /** A client that logged in to an account is remembered this long as one of the account's own. */
    static final Duration KNOWN_CLIENT_TIME = Duration.ofDays(30);

    private final Pop3Properties.LoginFailures settings;
    private final Cache<String, Integer> failuresByAddress;
    private final Cache<String, Integer> failuresByAccount;
    private final Cache<String, Boolean> blockedAddresses;
    private final Cache<String, Boolean> blockedAccounts;
    private final Cache<String, Boolean> knownClients;

    public LoginThrottle(Pop3Properties.LoginFailures settings) {
        this(settings, Ticker.systemTicker());
    }

    LoginThrottle(Pop3Properties.LoginFailures settings, Ticker ticker) {
        this.settings = settings;
        this.failuresByAddress = table(settings.window(), settings.maxTracked(), ticker);
        this.failuresByAccount = table(settings.window(), settings.maxTracked(), ticker);
        this.blockedAddresses = table(settings.blockDuration(), settings.maxTracked(), ticker);
        this.blockedAccounts = table(settings.blockDuration(), settings.maxTracked(), ticker);
        this.knownClients = table(KNOWN_CLIENT_TIME, settings.maxTracked(), ticker);
    }

    /** Whether this login must be refused without looking at its password, and why. */
    public Optional<Block> blocked(String address, String account) {
        if (blockedAddresses.getIfPresent(address) != null) {
            return Optional.of(Block.ADDRESS);
        }
        String key = accountKey(account);
        if (blockedAccounts.getIfPresent(key) != null && knownClients.getIfPresent(clientKey(key, address)) == null) {
            return Optional.of(Block.ACCOUNT);
        }
        return Optional.empty();
    }

    /**
     * Counts a failed login (wrong password, unknown user).
     *
     * @return how long to hold its answer back
     */
    public Duration failed(String address, String account) {
        int fromAddress = failuresByAddress.asMap().merge(address, 1, Integer::sum);
        int forAccount = failuresByAccount.asMap().merge(accountKey(account), 1, Integer::sum);
        if (fromAddress >= settings.maxPerIp()) {
            blockedAddresses.put(address, Boolean.TRUE);
        }
        if (forAccount >= settings.maxPerAccount()) {
            blockedAccounts.put(accountKey(account), Boolean.TRUE);
        }
        return delayAfter(fromAddress);
    }

    /** How long to hold back a refusal that is not counted as a failure (a blocked or locked-out login). */
    public Duration penalty(String address) {
        Integer failures = failuresByAddress.getIfPresent(address);
        return delayAfter(failures == null ? 1 : failures);
    }

    /** A successful login: the account's failures are forgiven, and this address becomes one of its own. */
    public void succeeded(String address, String account) {
        String key = accountKey(account);
        failuresByAccount.invalidate(key);
        knownClients.put(clientKey(key, address), Boolean.TRUE);
    }

    private Duration delayAfter(int failures) {
        // delay * 2^(failures - 1), without overflowing on a long attack
        int doublings = Math.min(Math.max(failures - 1, 0), 20);
        Duration delay = settings.delay().multipliedBy(1L << doublings);
        return delay.compareTo(settings.maxDelay()) > 0 ? settings.maxDelay() : delay;
    }

    private static String accountKey(String account) {
        return account == null ? "" : account.toLowerCase(Locale.ROOT);
    }

    private static String clientKey(String accountKey, String address) {
        return accountKey + " " + address;
    }

    private static <V> Cache<String, V> table(Duration expiry, long maximumSize, Ticker ticker) {
        return Caffeine.newBuilder()
                .expireAfterWrite(expiry)
                .maximumSize(maximumSize)
                .ticker(ticker)
                .executor(Runnable::run)
                .build();
    }
}
