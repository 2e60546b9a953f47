package io.mailroom.smtp.hook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import org.junit.jupiter.api.Test;

class SmtpHookRulesTest {

    @Test
    void onlyLinesEndingInCrLfWithNoOtherCrOrLfPassTheSmugglingGuard() {
        assertThat(SmtpSmugglingGuard.endsInCrLfOnly(bytes("text\r\n"))).isTrue();
        assertThat(SmtpSmugglingGuard.endsInCrLfOnly(bytes(".\r\n"))).isTrue();
        assertThat(SmtpSmugglingGuard.endsInCrLfOnly(bytes(".\n"))).isFalse();
        assertThat(SmtpSmugglingGuard.endsInCrLfOnly(bytes("a\rb\r\n"))).isFalse();
        assertThat(SmtpSmugglingGuard.endsInCrLfOnly(bytes(".\r\r\n"))).isFalse();
        assertThat(SmtpSmugglingGuard.endsInCrLfOnly(bytes("\n"))).isFalse();
    }

    @Test
    void notifyAndOrcptFollowRfc3461() {
        assertThat(LocalRecipientHook.notify("success,FAILURE")).containsExactly("SUCCESS", "FAILURE");
        assertThat(LocalRecipientHook.notify("NEVER")).containsExactly("NEVER");
        assertThatThrownBy(() -> LocalRecipientHook.notify("NEVER,DELAY")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LocalRecipientHook.notify("SOMETIMES")).isInstanceOf(IllegalArgumentException.class);
        assertThat(LocalRecipientHook.originalRecipient("RFC822;bob+2Bx@example.com")).isEqualTo("rfc822;bob+x@example.com");
        assertThatThrownBy(() -> LocalRecipientHook.originalRecipient("bob@example.com")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aSendingRateRefillsOverTheHour() {
        MutableClock clock = new MutableClock();
        SendingRate rate = new SendingRate(2, clock);
        rate.sent("Alice@example.com");
        assertThat(rate.allows("alice@example.com")).isTrue();
        rate.sent("alice@example.com");

        assertThat(rate.allows("alice@example.com")).isFalse();
        assertThat(rate.allows("bob@example.com")).isTrue();
        clock.advance(Duration.ofMinutes(30));
        assertThat(rate.allows("alice@example.com")).isTrue();
    }

    @Test
    void authFailuresBlockPerAddressAndPerAccount() {
        AuthThrottle throttle = new AuthThrottle(3, 2, Duration.ZERO, Duration.ofMinutes(1));
        throttle.failed("192.0.2.1", "a@x");
        throttle.failed("192.0.2.1", "b@x");
        assertThat(throttle.blocked("192.0.2.1", "c@x")).isFalse();
        throttle.failed("192.0.2.1", "c@x");
        assertThat(throttle.blocked("192.0.2.1", "c@x")).as("per address").isTrue();

        throttle.failed("192.0.2.2", "d@x");
        throttle.failed("192.0.2.3", "D@x");
        assertThat(throttle.blocked("192.0.2.4", "d@x")).as("per account").isTrue();
        throttle.succeeded("d@x");
        assertThat(throttle.blocked("192.0.2.4", "d@x")).isFalse();
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static final class MutableClock extends Clock {

        private Instant now = Instant.parse("2025-01-07T10:00:00Z");

        void advance(Duration duration) {
            now = now.plus(duration);
        }

        @Override
        public ZoneOffset getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
