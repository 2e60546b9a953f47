package io.mailroom.pop3.maildrop;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

class InProcessMaildropLockTest {

    static final Duration TTL = Duration.ofMinutes(2);

    AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
    InstantSource clock = () -> now.get();
    InProcessMaildropLock lock = new InProcessMaildropLock(clock, Duration.ofMinutes(5));

    @Test
    void oneOwnerAtATimeUntilItReleases() {
        MaildropLock.Outcome first = lock.acquire("alice@example.com", "a", TTL, Duration.ZERO);
        assertThat(first).isInstanceOf(MaildropLock.Acquired.class);
        assertThat(lock.acquire("ALICE@example.com", "b", TTL, Duration.ZERO)).isInstanceOf(MaildropLock.Held.class);
        assertThat(lock.acquire("bob@example.com", "b", TTL, Duration.ZERO)).isInstanceOf(MaildropLock.Acquired.class);

        lock.release(((MaildropLock.Acquired) first).lease());
        assertThat(lock.acquire("alice@example.com", "b", TTL, Duration.ZERO)).isInstanceOf(MaildropLock.Acquired.class);
    }

    @Test
    void aLeaseThatIsNotRenewedExpiresAndAnotherSessionTakesTheMaildrop() {
        MaildropLock.Lease crashed = ((MaildropLock.Acquired) lock.acquire("alice@example.com", "a", TTL, Duration.ZERO)).lease();
        advance(Duration.ofSeconds(119));
        assertThat(lock.acquire("alice@example.com", "b", TTL, Duration.ZERO)).isInstanceOf(MaildropLock.Held.class);
        advance(Duration.ofSeconds(2));
        assertThat(lock.acquire("alice@example.com", "b", TTL, Duration.ZERO)).isInstanceOf(MaildropLock.Acquired.class);

        assertThat(lock.renew(List.of(crashed), TTL)).as("the old owner learns it lost the lock").containsExactly(crashed);
        lock.release(crashed);
        assertThat(lock.acquire("alice@example.com", "c", TTL, Duration.ZERO)).as("a stale release frees nothing")
                .isInstanceOf(MaildropLock.Held.class);
    }

    @Test
    void renewingKeepsTheLease() {
        MaildropLock.Lease lease = ((MaildropLock.Acquired) lock.acquire("alice@example.com", "a", TTL, Duration.ZERO)).lease();
        for (int i = 0; i < 5; i++) {
            advance(Duration.ofSeconds(60));
            assertThat(lock.renew(List.of(lease), TTL)).isEmpty();
        }
        assertThat(lock.acquire("alice@example.com", "b", TTL, Duration.ZERO)).isInstanceOf(MaildropLock.Held.class);
    }

    @Test
    void loginDelayCountsFromThePreviousLogin() {
        Duration delay = Duration.ofMinutes(5);
        MaildropLock.Lease lease = ((MaildropLock.Acquired) lock.acquire("alice@example.com", "a", TTL, delay)).lease();
        advance(Duration.ofSeconds(30));
        lock.release(lease);

        MaildropLock.Outcome tooSoon = lock.acquire("alice@example.com", "b", TTL, delay);
        assertThat(tooSoon).isEqualTo(new MaildropLock.TooSoon(Duration.ofSeconds(270)));
        advance(Duration.ofSeconds(270));
        assertThat(lock.acquire("alice@example.com", "b", TTL, delay)).isInstanceOf(MaildropLock.Acquired.class);
    }

    private void advance(Duration duration) {
        now.set(now.get().plus(duration));
    }
}
