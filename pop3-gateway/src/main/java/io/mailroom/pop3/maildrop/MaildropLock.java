package io.mailroom.pop3.maildrop;

import java.time.Duration;
import java.util.Collection;
import java.util.Set;

/**
 * The exclusive lock on an account's maildrop that RFC 1939 §8 asks of a POP3 server: one session per
 * maildrop, from the login until the end of the UPDATE state. It must hold across every gateway replica,
 * so the real one lives where the replicas share state (mailbox-api); a lock is a lease that expires unless
 * its holder renews it, so that the lock of a replica that died goes with it.
 *
 * <p>Implementations may block (a remote call with a bounded timeout); callers run them on handler threads.
 * Failures to reach the lock's store are {@link io.mailroom.mailbox.client.MailboxApiUnavailableException}.
 */
public interface MaildropLock {

    /**
     * Takes the account's maildrop for {@code owner}, unless another owner holds it and its lease has not
     * expired. Taking a lock the same owner already holds renews it.
     *
     * @param account     the account's address (case does not matter)
     * @param owner       who holds it: unique per session across replicas
     * @param ttl         how long the lease lasts unless renewed
     * @param minInterval LOGIN-DELAY (RFC 2449 §6.5): refuse when the account's maildrop was last taken less
     *                    than this long ago; {@link Duration#ZERO} for no such rule
     */
    Outcome acquire(String account, String owner, Duration ttl, Duration minInterval);

    /**
     * Extends these leases by {@code ttl} from now.
     *
     * @return the leases that were no longer held by their owner (expired and taken by another, or released)
     */
    Set<Lease> renew(Collection<Lease> leases, Duration ttl);

    /** Gives the maildrop back; nothing happens when {@code lease} is no longer held. */
    void release(Lease lease);

    /** A held lock. */
    record Lease(String account, String owner) {
    }

    /** What {@link #acquire} found. */
    sealed interface Outcome permits Acquired, Held, TooSoon {
    }

    /** The maildrop is this session's now. */
    record Acquired(Lease lease) implements Outcome {
    }

    /** Another session holds the maildrop (RFC 2449 §8.1.1: {@code [IN-USE]}). */
    record Held() implements Outcome {
    }

    /** The account's previous login was too recent (RFC 2449 §8.1.2: {@code [LOGIN-DELAY]}). */
    record TooSoon(Duration retryAfter) implements Outcome {
    }
}
