package io.mailroom.mailbox.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

class TokenMatcherTest {

    private final TokenMatcher matcher = new TokenMatcher("internal-token-0123456789");

    @Test
    void acceptsOnlyTheConfiguredToken() {
        assertThat(matcher.matches("internal-token-0123456789")).isTrue();
        assertThat(matcher.matches("internal-token-012345678")).isFalse();
        assertThat(matcher.matches("internal-token-01234567890")).isFalse();
        assertThat(matcher.matches("INTERNAL-TOKEN-0123456789")).isFalse();
        assertThat(matcher.matches("")).isFalse();
    }

    /** Requests check tokens on many threads at once: the shared prototype digest must never be used directly. */
    @Test
    void givesTheSameAnswersFromManyThreadsAtOnce() throws Exception {
        List<Callable<Boolean>> checks = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            int n = i;
            boolean right = i % 2 == 0;
            checks.add(() -> matcher.matches(right ? "internal-token-0123456789" : "wrong-token-" + n) == right);
        }
        try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
            for (Future<Boolean> answer : pool.invokeAll(checks)) {
                assertThat(answer.get()).isTrue();
            }
        }
    }
}
