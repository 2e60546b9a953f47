package io.mailroom.mailbox.account;

import java.nio.charset.StandardCharsets;

import org.springframework.security.crypto.bcrypt.BCrypt;
import org.springframework.stereotype.Component;

/**
 * Password hashes with a scheme prefix, in the style Dovecot uses ({@code {BLF-CRYPT}$2y$…}), so another scheme
 * can be added later (and old hashes upgraded on login) without guessing what a stored hash is.
 */
@Component
public class PasswordHasher {

    /** bcrypt, the only scheme for now. */
    public static final String BLF_CRYPT = "{BLF-CRYPT}";
    /** bcrypt looks at the first 72 bytes only; longer passwords are refused rather than silently truncated. */
    public static final int MAX_PASSWORD_BYTES = 72;

    private static final int COST = 10;
    // compared against when the account does not exist, so that an unknown user costs as much time as a known one
    private static final String DUMMY_HASH = BCrypt.hashpw("mailroom-dummy-password", BCrypt.gensalt(COST));

    public String hash(String password) {
        requireHashable(password);
        return BLF_CRYPT + BCrypt.hashpw(password, BCrypt.gensalt(COST));
    }

    public boolean matches(String password, String stored) {
        if (password == null || stored == null || !stored.startsWith(BLF_CRYPT)
                || password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
            return false;
        }
        try {
            return BCrypt.checkpw(password, stored.substring(BLF_CRYPT.length()));
        } catch (IllegalArgumentException malformedHash) {
            return false;
        }
    }

    /** Spends the time of one verification, and fails. */
    public boolean matchesNothing(String password) {
        if (password != null && password.getBytes(StandardCharsets.UTF_8).length <= MAX_PASSWORD_BYTES) {
            BCrypt.checkpw(password, DUMMY_HASH);
        }
        return false;
    }

    private static void requireHashable(String password) {
        if (password == null || password.getBytes(StandardCharsets.UTF_8).length > MAX_PASSWORD_BYTES) {
            throw new IllegalArgumentException("password must be at most " + MAX_PASSWORD_BYTES + " bytes");
        }
    }
}
