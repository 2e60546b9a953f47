package io.mailroom.mailbox.account;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.commons.codec.digest.Sha2Crypt;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;
import org.springframework.security.crypto.bcrypt.BCrypt;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

/**
 * Password hashes with a scheme prefix, as Dovecot writes them ({@code {BLF-CRYPT}$2y$…}), so that hashes exported
 * from a Dovecot installation can be imported as they are and users keep their passwords. New hashes are bcrypt
 * ({@code BLF-CRYPT}); a hash of another scheme is replaced by a bcrypt one at the user's next successful login
 * ({@link #needsUpgrade}).
 *
 * <p>Imported schemes: {@code {BLF-CRYPT}} (bcrypt, {@code $2a$}/{@code $2b$}/{@code $2y$}), {@code {SHA512-CRYPT}}
 * (crypt(3) {@code $6$}, with or without {@code rounds=}) and {@code {ARGON2ID}} (PHC {@code $argon2id$v=19$m=…,t=…,p=…$salt$hash}).
 *
 * <p>A successful verification is remembered for {@code mailroom.login.verified-cache-ttl} (10 minutes by default;
 * {@link VerifiedPasswords} says what is kept and why).
 */
@Component
public class PasswordHasher {

    public static final String BLF_CRYPT = "{BLF-CRYPT}";
    public static final String SHA512_CRYPT = "{SHA512-CRYPT}";
    public static final String ARGON2ID = "{ARGON2ID}";
    /** bcrypt looks at the first 72 bytes only; longer passwords are refused rather than silently truncated. */
    public static final int MAX_PASSWORD_BYTES = 72;

    private static final int COST = 10;
    // compared against when the account does not exist, so that an unknown user costs as much time as a known one
    private static final String DUMMY_HASH = BCrypt.hashpw("mailroom-dummy-password", BCrypt.gensalt(COST));
    private static final Argon2PasswordEncoder ARGON2 = Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8();

    private final VerifiedPasswords verified;
    private final AtomicLong verifications = new AtomicLong();

    /** Without remembering verifications: every {@link #matches} computes the hash. */
    public PasswordHasher() {
        this(Duration.ZERO);
    }

    /** @param verifiedCacheTtl how long a successful verification is remembered ({@link VerifiedPasswords}); 0: never */
    @Autowired
    public PasswordHasher(@Value("${mailroom.login.verified-cache-ttl:10m}") Duration verifiedCacheTtl) {
        this.verified = new VerifiedPasswords(verifiedCacheTtl);
    }

    public String hash(String password) {
        requireHashable(password);
        return BLF_CRYPT + BCrypt.hashpw(password, BCrypt.gensalt(COST));
    }

    public boolean matches(String password, String stored) {
        if (password == null || stored == null) {
            return false;
        }
        if (verified.remembered(stored, password)) {
            return true;
        }
        boolean matches = verify(password, stored);
        if (matches) {
            verified.remember(stored, password);
        }
        return matches;
    }

    /** How many times {@link #matches} computed a hash (tests: what the remembered verifications saved). */
    long verifications() {
        return verifications.get();
    }

    private boolean verify(String password, String stored) {
        verifications.incrementAndGet();
        try {
            if (stored.startsWith(BLF_CRYPT)) {
                return password.getBytes(StandardCharsets.UTF_8).length <= MAX_PASSWORD_BYTES
                        && BCrypt.checkpw(password, stored.substring(BLF_CRYPT.length()));
            }
            if (stored.startsWith(SHA512_CRYPT)) {
                String expected = stored.substring(SHA512_CRYPT.length());
                String actual = Sha2Crypt.sha512Crypt(password.getBytes(StandardCharsets.UTF_8), expected);
                return MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), actual.getBytes(StandardCharsets.US_ASCII));
            }
            if (stored.startsWith(ARGON2ID)) {
                return ARGON2.matches(password, stored.substring(ARGON2ID.length()));
            }
        } catch (IllegalArgumentException malformedHash) {
            return false;
        }
        return false;
    }

    /** Whether a stored hash should be replaced by a bcrypt one of our cost once the password is known. */
    public boolean needsUpgrade(String stored) {
        if (stored == null || !stored.startsWith(BLF_CRYPT)) {
            return true;
        }
        String bcrypt = stored.substring(BLF_CRYPT.length());
        try {
            return Integer.parseInt(bcrypt.substring(4, 6)) < COST; // $2y$05$…: an imported cost below ours
        } catch (RuntimeException malformed) {
            return true;
        }
    }

    /**
     * Checks that an imported hash is of a supported scheme and well-formed, so a typo is refused at import rather than
     * locking the user out later.
     *
     * @throws IllegalArgumentException when it is not
     */
    public String requireImportable(String stored) {
        if (stored == null) {
            throw new IllegalArgumentException("a password hash is required");
        }
        String hash = stored.strip();
        String upper = hash.toUpperCase(Locale.ROOT);
        boolean wellFormed;
        if (upper.startsWith(BLF_CRYPT)) {
            wellFormed = hash.substring(BLF_CRYPT.length()).matches("\\$2[aby]\\$\\d{2}\\$[./A-Za-z0-9]{53}");
            hash = BLF_CRYPT + hash.substring(BLF_CRYPT.length());
        } else if (upper.startsWith(SHA512_CRYPT)) {
            wellFormed = hash.substring(SHA512_CRYPT.length()).matches("\\$6\\$(rounds=\\d{4,9}\\$)?[^$]{1,16}\\$[./A-Za-z0-9]{86}");
            hash = SHA512_CRYPT + hash.substring(SHA512_CRYPT.length());
        } else if (upper.startsWith(ARGON2ID)) {
            wellFormed = hash.substring(ARGON2ID.length()).matches("\\$argon2id\\$v=19\\$m=\\d+,t=\\d+,p=\\d+\\$[A-Za-z0-9+/]+\\$[A-Za-z0-9+/]+");
            hash = ARGON2ID + hash.substring(ARGON2ID.length());
        } else {
            throw new IllegalArgumentException("supported schemes are {BLF-CRYPT}, {SHA512-CRYPT} and {ARGON2ID}");
        }
        if (!wellFormed) {
            throw new IllegalArgumentException("not a well-formed " + hash.substring(0, hash.indexOf('}') + 1) + " hash");
        }
        return hash;
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
