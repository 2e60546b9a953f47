package io.mailroom.mailbox.client;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Set;

/**
 * The POP3 maildrop lock (RFC 1939 §8) that mailbox-api keeps for every pop3-gateway replica at once
 * (docs/rest-api.md, "Maildrop lease"). A lock is a lease: it lasts {@code ttl} unless its holder renews it, so the
 * locks of a replica that died free themselves. Times are mailbox-api's database clock, never the caller's.
 *
 * <p>Like {@link MailboxApiClient}, every call has a bounded timeout and throws
 * {@link MailboxApiUnavailableException} when mailbox-api cannot be reached, and {@link MailboxApiException} (e.g.
 * {@code account-not-found}) for other refusals.
 */
public interface MaildropLeaseClient {

    /**
     * Takes the account's maildrop for {@code owner}, or renews it when {@code owner} holds it already.
     *
     * @param owner       unique per session across replicas (at most 200 characters)
     * @param ttl         how long the lease lasts unless renewed (at most an hour)
     * @param minInterval LOGIN-DELAY (RFC 2449 §6.5): refuse when another owner took the maildrop less than this long
     *                    ago; {@link Duration#ZERO} for no such rule
     */
    Outcome acquireMaildropLease(String account, String owner, Duration ttl, Duration minInterval);

    /**
     * Extends these leases by {@code ttl} from now, in one call.
     *
     * @return the leases their owners no longer hold (released, or run out and taken by another session): a session
     *         whose lease is lost must not act on the maildrop any more
     */
    Set<LeaseKey> renewMaildropLeases(Collection<LeaseKey> leases, Duration ttl);

    /** Gives the maildrop back; nothing happens when {@code owner} no longer holds it (or the account is gone). */
    void releaseMaildropLease(String account, String owner);

    /** A lease: whose maildrop, and which session holds it. */
    record LeaseKey(String account, String owner) {
    }

    /** What {@link #acquireMaildropLease} found. */
    sealed interface Outcome permits Acquired, InUse, TooSoon {
    }

    /** The maildrop is the owner's until {@code expiresAt} (mailbox-api's clock). */
    record Acquired(Instant expiresAt) implements Outcome {
    }

    /** Another session holds it (problem {@code maildrop-in-use}, 409). */
    record InUse() implements Outcome {
    }

    /** The maildrop was taken less than {@code minInterval} ago (problem {@code login-delay}, 429). */
    record TooSoon(Duration retryAfter) implements Outcome {
    }
}
