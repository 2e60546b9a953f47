package io.mailroom.mailbox.domain;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The ASCII fast path and IDNA must agree: the same canonical names, the same refusals. */
class DomainNameTest {

    @ParameterizedTest
    @CsvSource({
            "example.com, example.com",
            "Sub.EXAMPLE.com, sub.example.com",
            "' example.org. ', example.org",
            "xn--bcher-kva.example, xn--bcher-kva.example",
            "bücher.example, xn--bcher-kva.example",
            "BÜCHER.Example., xn--bcher-kva.example",
            "a-b.c0.example, a-b.c0.example"})
    void canonicalForm(String raw, String canonical) {
        assertThat(DomainName.canonical(raw)).isEqualTo(canonical);
        assertThat(DomainName.normalize(raw)).isEqualTo(canonical);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "a..b", "-a.example", "a-.example", "under_score.example", "exa mple.com",
            "a/b.example", "ab@example"})
    void refusesWhatIsNotAHostName(String raw) {
        assertThatThrownBy(() -> DomainName.canonical(raw)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesOverlongLabelsAndNames() {
        assertThatThrownBy(() -> DomainName.canonical("a".repeat(64) + ".example")).isInstanceOf(IllegalArgumentException.class);
        assertThat(DomainName.canonical("a".repeat(63) + ".example")).startsWith("aaa");
        String longName = ("a".repeat(49) + ".").repeat(5) + "example"; // 257 characters
        assertThatThrownBy(() -> DomainName.canonical(longName)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void normalizeNeverFails() {
        assertThat(DomainName.normalize("Under_Score.Example")).isEqualTo("under_score.example");
        assertThat(DomainName.normalize(null)).isEmpty();
    }
}
