package io.mailroom.mailbox.account;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Successful password verifications remembered for a while, as Dovecot's auth cache does: a mail client that logs in
 * again and again (POP3 polling, an IMAP client's several connections) pays for bcrypt once per {@code ttl} instead of
 * at every login (~50 ms of CPU at cost 10; it was 43 % of mailbox-api's CPU in the POP3 benchmark).
 *
 * <p>What is kept is keyed by the stored hash, so a changed password, a re-imported hash or a deleted app password is
 * never matched by an old entry; the value is an HMAC-SHA256 of the stored hash and the password under a key made at
 * random in each process, never the password. Only successes are remembered: a wrong guess always costs a full
 * verification, and the login throttle and the account's {@code enabled} flag are checked as before. The trade-off is
 * Dovecot's: within the TTL a memory dump of this process lets a password be tested at HMAC speed rather than bcrypt
 * speed. {@code mailroom.login.verified-cache-ttl=0} turns it off. At most {@value #MAX_ENTRIES} entries, the least
 * recently used dropped first.
 */
final class VerifiedPasswords {

    static final int MAX_ENTRIES = 10_000;

    private final long ttlNanos;
    private final SecretKeySpec key;
    private final Map<String, Proof> entries = new LinkedHashMap<>(256, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Proof> eldest) {
            return size() > MAX_ENTRIES;
        }
    };

    private record Proof(byte[] proof, long expiresAt) {
    }

    VerifiedPasswords(Duration ttl) {
        this.ttlNanos = ttl.isNegative() ? 0 : ttl.toNanos();
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        this.key = new SecretKeySpec(secret, "HmacSHA256");
    }

    /** Whether this password was verified against this stored hash within the TTL. */
    boolean remembered(String stored, String password) {
        if (ttlNanos == 0) {
            return false;
        }
        Proof entry;
        synchronized (entries) {
            entry = entries.get(stored);
        }
        return entry != null && System.nanoTime() - entry.expiresAt() < 0
                && MessageDigest.isEqual(entry.proof(), proof(stored, password));
    }

    /** Remembers that this password matched this stored hash. */
    void remember(String stored, String password) {
        if (ttlNanos == 0) {
            return;
        }
        Proof entry = new Proof(proof(stored, password), System.nanoTime() + ttlNanos);
        synchronized (entries) {
            entries.put(stored, entry);
        }
    }

    private byte[] proof(String stored, String password) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            mac.update(stored.getBytes(StandardCharsets.UTF_8));
            mac.update((byte) 0);
            return mac.doFinal(password.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
