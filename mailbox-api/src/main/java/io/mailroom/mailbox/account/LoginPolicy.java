package io.mailroom.mailbox.account;

import java.time.Duration;

/**
 * The seam for throttling password guessing: consulted before every credential check and told its outcome.
 * The walking skeleton allows everything ({@link UnlimitedLoginPolicy}); a delay/lockout policy (per account and
 * per client IP) replaces that bean without touching the credential check itself.
 */
public interface LoginPolicy {

    /**
     * @throws LoginLockedException when this user or IP must not try again yet; answered as 401 {@code auth-locked}
     *                              with {@code temporary: true}
     */
    void beforeAttempt(String username, String protocol, String remoteIp);

    void onSuccess(String username, String protocol, String remoteIp);

    void onFailure(String username, String protocol, String remoteIp);

    /** Refuses an attempt for a while, without looking at the password. */
    class LoginLockedException extends RuntimeException {

        private final Duration retryAfter;

        public LoginLockedException(String message, Duration retryAfter) {
            super(message);
            this.retryAfter = retryAfter;
        }

        public Duration retryAfter() {
            return retryAfter;
        }
    }
}
