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
    void aSuccessfulVerificationIsRememberedForItsHashOnly() {
        PasswordHasher remembering = new PasswordHasher(java.time.Duration.ofMinutes(10));
        String hash = remembering.hash("correct horse battery staple");

        assertThat(remembering.matches("correct horse battery staple", hash)).isTrue();
        assertThat(remembering.matches("correct horse battery staple", hash)).isTrue();
        assertThat(remembering.verifications()).as("the second login computed no hash").isEqualTo(1);

        assertThat(remembering.matches("correct horse battery stapler", hash)).isFalse();
        assertThat(remembering.matches("correct horse battery stapler", hash)).isFalse();
        assertThat(remembering.verifications()).as("every wrong guess pays in full").isEqualTo(3);
        assertThat(remembering.matches("correct horse battery staple", hash)).as("still remembered").isTrue();
        assertThat(remembering.verifications()).isEqualTo(3);

        String changed = remembering.hash("a new password of the same account");
        assertThat(remembering.matches("correct horse battery staple", changed)).as("the old password after a change")
                .isFalse();
        assertThat(remembering.matches("a new password of the same account", changed)).isTrue();
        assertThat(remembering.verifications()).isEqualTo(5);
    }

    @Test
    void aRememberedVerificationExpiresAndZeroTurnsItOff() throws InterruptedException {
        PasswordHasher shortLived = new PasswordHasher(java.time.Duration.ofMillis(1));
        String hash = shortLived.hash("correct horse battery staple");
        assertThat(shortLived.matches("correct horse battery staple", hash)).isTrue();
        Thread.sleep(5);
        assertThat(shortLived.matches("correct horse battery staple", hash)).isTrue();
        assertThat(shortLived.verifications()).as("expired: verified again").isEqualTo(2);

        assertThat(hasher.matches("correct horse battery staple", hash)).isTrue();
        assertThat(hasher.matches("correct horse battery staple", hash)).isTrue();
        assertThat(hasher.verifications()).as("TTL 0").isEqualTo(2);
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

    // made by Dovecot 2.3's "doveadm pw" on this machine, for the password below
    static final String PASSWORD = "correct horse battery staple";
    static final String DOVECOT_ARGON2ID = "{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$+CnF1H10RSnItIdwiFTHjQ$7lywE0ZZyBiNb6ydlD9EpmhCMNgT+I/Zgc3kb1J2Fp8";
    static final String DOVECOT_BLF_CRYPT = "{BLF-CRYPT}$2y$05$wotRs.7ZxLaXm3wQX0NK5.no8zQF6DeztIY9AvFqIyQmPe2TPwxEu";
    static final String DOVECOT_SHA512_CRYPT = "{SHA512-CRYPT}$6$rounds=10000$XeyEDL3D64.9gzHJ$0I.RmTQjhs45PtDPsTKterdv2ZC61smyAK/m19q4GNiz1HhX4rmcYFCyV29LNte6ecWU9W/bnPQMEf/d1n5Sv0";
    static final String OPENSSL_SHA512_CRYPT = "{SHA512-CRYPT}$6$saltsalt$CPgxBHZBXfhC6lX1yxpdEsbQfXmg3WXVj8AoVwyNFLfb5AtbfM8k6A8yehv1z6sgzoH/DUIs7YK9hVnGhTjhW/";

    @Test
    void verifiesHashesImportedFromDovecot() {
        for (String hash : Set.of(DOVECOT_ARGON2ID, DOVECOT_BLF_CRYPT, DOVECOT_SHA512_CRYPT, OPENSSL_SHA512_CRYPT)) {
            assertThat(hasher.requireImportable(hash)).isEqualTo(hash);
            assertThat(hasher.matches(PASSWORD, hash)).as(hash).isTrue();
            assertThat(hasher.matches(PASSWORD + "!", hash)).as(hash).isFalse();
        }
        assertThat(hasher.needsUpgrade(DOVECOT_SHA512_CRYPT)).isTrue();
        assertThat(hasher.needsUpgrade(DOVECOT_ARGON2ID)).isTrue();
        assertThat(hasher.needsUpgrade(hasher.hash(PASSWORD))).isFalse();
    }

    @Test
    void refusesToImportWhatItCouldNotVerify() {
        for (String bad : new String[] {"{PLAIN}secret", "{SHA512-CRYPT}$6$short", "{BLF-CRYPT}$2y$05$tooshort",
                "{ARGON2ID}$argon2i$v=19$m=65536,t=3,p=1$abc$def", "$6$saltsalt$CPgx", "{SSHA}abc"}) {
            assertThatThrownBy(() -> hasher.requireImportable(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
