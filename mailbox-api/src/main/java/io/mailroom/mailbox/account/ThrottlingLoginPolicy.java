package io.mailroom.mailbox.account;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Delays and locks out password guessing, per account and per client IP, with the counts in PostgreSQL so that every
 * replica (and every protocol: SMTP AUTH, POP3, IMAP, HTTP Basic) sees the same ones. A locked account or IP is refused
 * before its password is looked at; a failure is answered after {@code delayStep × failures} (at most
 * {@code maxDelay}), which mailbox-api can afford because requests run on virtual threads. A success clears the
 * account's count (not the IP's: one good password must not open an IP that guesses at others).
 */
@Component
class ThrottlingLoginPolicy implements LoginPolicy {

    private static final Logger LOG = LoggerFactory.getLogger(ThrottlingLoginPolicy.class);

    private final JdbcClient jdbc;
    private final LoginProperties properties;

    ThrottlingLoginPolicy(JdbcClient jdbc, LoginProperties properties) {
        this.jdbc = jdbc;
        this.properties = properties;
    }

    @Override
    public void beforeAttempt(String username, String protocol, String remoteIp) {
        for (String key : keys(username, remoteIp)) {
            Optional<Duration> locked = jdbc.sql("""
                            SELECT extract(epoch FROM locked_until - now()) FROM login_failures
                             WHERE key = ? AND locked_until > now()""")
                    .param(key)
                    .query(Double.class)
                    .optional()
                    .map(seconds -> Duration.ofMillis((long) (seconds * 1000)));
            if (locked.isPresent()) {
                LOG.info("Refused a login for {} over {} from {}: {} is locked", username, protocol, remoteIp, key);
                throw new LoginLockedException("too many failed logins; try again later", locked.get());
            }
        }
    }

    @Override
    public void onSuccess(String username, String protocol, String remoteIp) {
        jdbc.sql("DELETE FROM login_failures WHERE key = ?").param(accountKey(username)).update();
    }

    @Override
    public void onFailure(String username, String protocol, String remoteIp) {
        LOG.info("Authentication failed for {} over {} from {}", username, protocol, remoteIp);
        int accountFailures = 0;
        for (String key : keys(username, remoteIp)) {
            int max = key.startsWith("ip:") ? properties.maxFailuresPerIp() : properties.maxFailuresPerAccount();
            int failures = jdbc.sql("""
                            INSERT INTO login_failures AS f (key, failures, first_failure) VALUES (:key, 1, now())
                            ON CONFLICT (key) DO UPDATE SET
                                failures = CASE WHEN f.first_failure < now() - make_interval(secs => :window)
                                                 AND (f.locked_until IS NULL OR f.locked_until < now())
                                                THEN 1 ELSE f.failures + 1 END,
                                first_failure = CASE WHEN f.first_failure < now() - make_interval(secs => :window)
                                                      AND (f.locked_until IS NULL OR f.locked_until < now())
                                                     THEN now() ELSE f.first_failure END
                            RETURNING failures""")
                    .param("key", key)
                    .param("window", (double) properties.window().toSeconds())
                    .query(Integer.class)
                    .single();
            if (failures >= max) {
                jdbc.sql("UPDATE login_failures SET locked_until = now() + make_interval(secs => ?) WHERE key = ?")
                        .params((double) properties.lockout().toSeconds(), key)
                        .update();
                LOG.warn("Locked {} for {} after {} failed logins", key, properties.lockout(), failures);
            }
            if (key.startsWith("account:")) {
                accountFailures = failures;
            }
        }
        delay(accountFailures);
    }

    private void delay(int failures) {
        long millis = Math.min(properties.maxDelay().toMillis(), properties.delayStep().toMillis() * failures);
        if (millis <= 0) {
            return;
        }
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static List<String> keys(String username, String remoteIp) {
        List<String> keys = new ArrayList<>(2);
        keys.add(accountKey(username));
        if (remoteIp != null && !remoteIp.isBlank()) {
            keys.add("ip:" + remoteIp.strip());
        }
        return keys;
    }

    private static String accountKey(String username) {
        return "account:" + EmailAddress.normalize(username);
    }
}
