package io.mailroom.mailbox.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;

import jakarta.validation.Validation;
import jakarta.validation.Validator;

import org.junit.jupiter.api.Test;

class PasswordHasherTest {

    private final PasswordHasher hasher = new PasswordHasher();

    @Test
    void hashesWithASchemePrefixAndVerifies() {
        String hash = hasher.hash("correct horse battery staple");

        assertThat(hash).startsWith("{BLF-CRYPT}$2");
        assertThat(hasher.matches("correct horse battery staple", hash)).isTrue();
        assertThat(hasher.matches("correct horse battery stapler", hash)).isFalse();
        assertThat(hasher.hash("correct horse battery staple")).as("salted").isNotEqualTo(hash);
    }

    @Test
    void refusesUnknownSchemesAndBrokenHashes() {
        String bcrypt = hasher.hash("correct horse battery staple").substring(PasswordHasher.BLF_CRYPT.length());

        assertThat(hasher.matches("correct horse battery staple", bcrypt)).as("no scheme prefix").isFalse();
        assertThat(hasher.matches("correct horse battery staple", "{PLAIN}correct horse battery staple")).isFalse();
        assertThat(hasher.matches("x", "{BLF-CRYPT}garbage")).isFalse();
        assertThat(hasher.matches(null, bcrypt)).isFalse();
        assertThat(hasher.matchesNothing("anything at all")).isFalse();
    }

    @Test
    void refusesPasswordsBcryptWouldTruncate() {
        String long73 = "a".repeat(73);

        assertThatThrownBy(() -> hasher.hash(long73)).isInstanceOf(IllegalArgumentException.class);
        assertThat(hasher.matches(long73, hasher.hash("a".repeat(72)))).isFalse();
    }

    @Test
    void strongPasswordPolicy() {
        Validator validator = Validation.buildDefaultValidatorFactory().getValidator();
        record Holder(@StrongPassword String password) {
        }

        for (String weak : Set.of("short", "aaaaaaaaaaaa", "abcabcabcabc", "          x", "é".repeat(37))) {
            assertThat(validator.validate(new Holder(weak))).as(weak).isNotEmpty();
        }
        for (String strong : Set.of("correct horse battery staple", "Tr0ub4dor&3x", "pässwörter-sind-gut")) {
            assertThat(validator.validate(new Holder(strong))).as(strong).isEmpty();
        }
    }
}
