package io.mailroom.mailbox.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Compares a presented token with a configured one in time that depends on neither value: both sides are
 * hashed first, so not even the configured token's length leaks through timing.
 */
final class TokenMatcher {

    private final byte[] expectedDigest;

    TokenMatcher(String expected) {
        this.expectedDigest = digest(expected);
    }

    boolean matches(String presented) {
        return MessageDigest.isEqual(expectedDigest, digest(presented));
    }

    private static byte[] digest(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
