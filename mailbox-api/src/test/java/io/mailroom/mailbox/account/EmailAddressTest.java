package io.mailroom.mailbox.account;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class EmailAddressTest {

    @ParameterizedTest
    @CsvSource({
            "Alice@Example.COM, alice@example.com",
            "' bob.smith+tag@example.com ', bob.smith+tag@example.com",
            "o'neil@sub.example.co.uk, o'neil@sub.example.co.uk",
            "user@bücher.example, user@xn--bcher-kva.example",
            "user@example.com., user@example.com"})
    void canonicalForm(String raw, String canonical) {
        assertThat(EmailAddress.parse(raw).value()).isEqualTo(canonical);
        assertThat(EmailAddress.normalize(raw)).isEqualTo(canonical);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "plain", "@example.com", "user@", "a/b@example.com", "a%b@example.com", "a?b@example.com",
            ".lead@example.com", "trail.@example.com", "two..dots@example.com", "user@-bad.example", "user@exa mple.com",
            "user@under_score.example"})
    void refusesWhatCannotBeAnAccount(String raw) {
        assertThatThrownBy(() -> EmailAddress.parse(raw)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "plain", "a/b@Example.com", "x@y@Z.example"})
    void normalizeNeverFails(String raw) {
        assertThat(EmailAddress.normalize(raw)).isEqualTo(EmailAddress.normalize(raw.toUpperCase()));
    }
}
