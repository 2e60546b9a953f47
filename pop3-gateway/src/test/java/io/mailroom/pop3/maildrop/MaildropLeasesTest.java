package io.mailroom.pop3.maildrop;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class MaildropLeasesTest {

    AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-01-01T00:00:00Z"));
    InProcessMaildropLock lock = new InProcessMaildropLock(() -> now.get(), Duration.ZERO);
    MaildropLeases leases = new MaildropLeases(lock, Duration.ofMinutes(1), Duration.ZERO);

    @AfterEach
    void close() {
        leases.close();
    }

    @Test
    void aSessionHoldsTheLockUntilItReleasesIt() {
        MaildropLeases.Held held = ((MaildropLeases.Taken) leases.acquire("alice@example.com", "s1")).held();
        assertThat(leases.acquire("alice@example.com", "s2")).isEqualTo(new MaildropLeases.Refused(new MaildropLock.Held()));
        assertThat(leases.count()).isEqualTo(1);

        held.release();
        held.release();
        assertThat(leases.count()).isZero();
        assertThat(leases.acquire("alice@example.com", "s2")).isInstanceOf(MaildropLeases.Taken.class);
    }

    @Test
    void renewalKeepsLocksAliveAndMarksTheOnesThatWereLost() {
        MaildropLeases.Held alice = ((MaildropLeases.Taken) leases.acquire("alice@example.com", "s1")).held();
        MaildropLeases.Held bob = ((MaildropLeases.Taken) leases.acquire("bob@example.com", "s2")).held();

        now.set(now.get().plusSeconds(50));
        leases.renewAll();
        now.set(now.get().plusSeconds(50));
        assertThat(lock.acquire("alice@example.com", "elsewhere", Duration.ofMinutes(1), Duration.ZERO))
                .as("renewed: still held").isInstanceOf(MaildropLock.Held.class);

        // bob's session stalls past its lease and another replica takes the maildrop
        now.set(now.get().plusSeconds(61));
        lock.acquire("bob@example.com", "other-replica/s9", Duration.ofMinutes(1), Duration.ZERO);
        leases.renewAll();

        assertThat(bob.lost()).isTrue();
        assertThat(alice.lost()).isFalse();
        bob.release();
        assertThat(lock.acquire("bob@example.com", "third", Duration.ofMinutes(1), Duration.ZERO))
                .as("a lost lock's release leaves the new holder alone").isInstanceOf(MaildropLock.Held.class);
    }

    @Test
    void closingGivesBackEveryLock() {
        leases.acquire("alice@example.com", "s1");
        leases.close();
        assertThat(lock.acquire("alice@example.com", "other", Duration.ofMinutes(1), Duration.ZERO)).isInstanceOf(MaildropLock.Acquired.class);
    }
}
