package io.mailroom.mailbox.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Compares a presented token with a configured one in time that depends on neither value: both sides are
 * hashed first, so not even the configured token's length leaks through timing. Every internal call is checked
 * here, so the digest is cloned from a prototype rather than looked up among the security providers each time
 * ({@code MessageDigest.getInstance}); a digest is not thread-safe, a clone of one is fresh.
 */
final class TokenMatcher {

    private final MessageDigest prototype;
    private final byte[] expectedDigest;

    TokenMatcher(String expected) {
        try {
            this.prototype = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
        this.expectedDigest = digest(expected);
    }

    boolean matches(String presented) {
        return MessageDigest.isEqual(expectedDigest, digest(presented));
    }

    private byte[] digest(String value) {
        MessageDigest digest;
        try {
            digest = (MessageDigest) prototype.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's SHA-256 digest can be cloned", e);
        }
        return digest.digest(value.getBytes(StandardCharsets.UTF_8));
    }
}
