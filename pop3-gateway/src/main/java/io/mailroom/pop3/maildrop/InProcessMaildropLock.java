package io.mailroom.pop3.maildrop;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.Collection;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link MaildropLock} in this process's memory: exact for one replica, and nothing across replicas
 * ({@code mailroom.pop3.maildrop-lock.store=in-process}). The default is {@link MailboxApiMaildropLock}, which
 * holds across replicas; this one serves a single replica and tests that have no mailbox-api.
 *
 * <p>One entry per account that is locked, or whose last login still counts for LOGIN-DELAY. Expired
 * entries are taken over by the next acquirer and swept on every renewal round.
 */
public final class InProcessMaildropLock implements MaildropLock {

    private final InstantSource clock;
    private final Duration remember;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    /**
     * @param remember how long a released lock's time of acquisition is kept for LOGIN-DELAY (the longest
     *                 {@code minInterval} that will be asked for)
     */
    public InProcessMaildropLock(InstantSource clock, Duration remember) {
        this.clock = clock;
        this.remember = remember;
    }

    /** Who holds an account's maildrop, until when, and when it was last taken. {@code owner} null: free. */
    private record Entry(String owner, Instant expiresAt, Instant acquiredAt) {

        boolean heldAt(Instant now) {
            return owner != null && now.isBefore(expiresAt);
        }
    }

    @Override
    public Outcome acquire(String account, String owner, Duration ttl, Duration minInterval) {
        Instant now = clock.instant();
        Outcome[] outcome = new Outcome[1];
        entries.compute(key(account), (key, entry) -> {
            if (entry != null && entry.heldAt(now) && !entry.owner().equals(owner)) {
                outcome[0] = new Held();
                return entry;
            }
            if (entry != null && !owner.equals(entry.owner()) && minInterval.isPositive()
                    && now.isBefore(entry.acquiredAt().plus(minInterval))) {
                outcome[0] = new TooSoon(Duration.between(now, entry.acquiredAt().plus(minInterval)));
                return entry;
            }
            outcome[0] = new Acquired(new Lease(account, owner));
            Instant acquiredAt = entry != null && owner.equals(entry.owner()) ? entry.acquiredAt() : now;
            return new Entry(owner, now.plus(ttl), acquiredAt);
        });
        return outcome[0];
    }

    @Override
    public Set<Lease> renew(Collection<Lease> leases, Duration ttl) {
        Instant now = clock.instant();
        Set<Lease> lost = new HashSet<>();
        for (Lease lease : leases) {
            Entry renewed = entries.computeIfPresent(key(lease.account()), (key, entry) ->
                    lease.owner().equals(entry.owner()) ? new Entry(entry.owner(), now.plus(ttl), entry.acquiredAt()) : entry);
            if (renewed == null || !lease.owner().equals(renewed.owner())) {
                lost.add(lease);
            }
        }
        sweep(now);
        return lost;
    }

    @Override
    public void release(Lease lease) {
        entries.computeIfPresent(key(lease.account()), (key, entry) -> {
            if (!lease.owner().equals(entry.owner())) {
                return entry;
            }
            return remember.isPositive() ? new Entry(null, entry.expiresAt(), entry.acquiredAt()) : null;
        });
    }

    /** Forgets entries that neither lock anything nor still count for LOGIN-DELAY. */
    private void sweep(Instant now) {
        entries.values().removeIf(entry -> !entry.heldAt(now) && !now.isBefore(entry.acquiredAt().plus(remember)));
    }

    private static String key(String account) {
        return account.toLowerCase(Locale.ROOT);
    }
}
