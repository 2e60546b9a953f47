package io.mailroom.pop3.login;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import com.github.benmanes.caffeine.cache.Ticker;

import io.mailroom.pop3.server.Pop3Properties;

class LoginThrottleTest {

    AtomicLong nanos = new AtomicLong();
    Ticker ticker = nanos::get;
    LoginThrottle throttle = new LoginThrottle(new Pop3Properties.LoginFailures(Duration.ofSeconds(1), Duration.ofSeconds(5),
            Duration.ofMinutes(10), 6, 3, Duration.ofMinutes(15), 1000), ticker);

    @Test
    void theDelayDoublesWithEachFailureFromOneAddressUpToTheMaximum() {
        assertThat(throttle.failed("192.0.2.1", "a@example.com")).isEqualTo(Duration.ofSeconds(1));
        assertThat(throttle.failed("192.0.2.1", "b@example.com")).isEqualTo(Duration.ofSeconds(2));
        assertThat(throttle.failed("192.0.2.1", "c@example.com")).isEqualTo(Duration.ofSeconds(4));
        assertThat(throttle.failed("192.0.2.1", "d@example.com")).isEqualTo(Duration.ofSeconds(5));
        assertThat(throttle.failed("192.0.2.2", "a@example.com")).as("another address starts afresh").isEqualTo(Duration.ofSeconds(1));
        assertThat(throttle.penalty("192.0.2.1")).isEqualTo(Duration.ofSeconds(5));
        assertThat(throttle.penalty("192.0.2.9")).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void tooManyFailuresFromOneAddressBlockItForAWhile() {
        for (int i = 0; i < 5; i++) {
            throttle.failed("192.0.2.1", "user" + i + "@example.com");
        }
        assertThat(throttle.blocked("192.0.2.1", "someone@example.com")).isEmpty();
        throttle.failed("192.0.2.1", "user5@example.com");
        assertThat(throttle.blocked("192.0.2.1", "someone@example.com")).contains(LoginThrottle.Block.ADDRESS);
        assertThat(throttle.blocked("192.0.2.2", "someone@example.com")).isEmpty();

        advance(Duration.ofMinutes(16));
        assertThat(throttle.blocked("192.0.2.1", "someone@example.com")).isEmpty();
    }

    @Test
    void tooManyFailuresForOneAccountBlockItButNotForClientsThatLoggedInToItBefore() {
        throttle.succeeded("198.51.100.7", "Alice@Example.com");
        throttle.failed("192.0.2.1", "alice@example.com");
        throttle.failed("192.0.2.2", "alice@example.com");
        assertThat(throttle.blocked("192.0.2.3", "alice@example.com")).isEmpty();
        throttle.failed("192.0.2.3", "ALICE@example.com");

        assertThat(throttle.blocked("192.0.2.4", "alice@example.com")).contains(LoginThrottle.Block.ACCOUNT);
        assertThat(throttle.blocked("198.51.100.7", "alice@example.com")).as("the owner's own client").isEmpty();
        assertThat(throttle.blocked("192.0.2.4", "bob@example.com")).isEmpty();
    }

    @Test
    void failuresAreForgottenAfterAQuietWindowAndAnAccountsOnSuccess() {
        throttle.failed("192.0.2.1", "alice@example.com");
        throttle.failed("192.0.2.1", "alice@example.com");
        advance(Duration.ofMinutes(11));
        assertThat(throttle.failed("192.0.2.1", "alice@example.com")).as("counted afresh").isEqualTo(Duration.ofSeconds(1));

        throttle.failed("192.0.2.5", "bob@example.com");
        throttle.failed("192.0.2.5", "bob@example.com");
        throttle.succeeded("192.0.2.6", "bob@example.com");
        throttle.failed("192.0.2.5", "bob@example.com");
        assertThat(throttle.blocked("192.0.2.7", "bob@example.com")).isEmpty();
    }

    private void advance(Duration duration) {
        nanos.addAndGet(duration.toNanos());
    }
}
