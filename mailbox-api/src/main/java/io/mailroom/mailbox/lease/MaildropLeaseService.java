package io.mailroom.mailbox.lease;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import io.mailroom.mailbox.account.EmailAddress;

/**
 * POP3 maildrop leases (RFC 1939 §8) shared by every pop3-gateway replica, kept in {@code maildrop_leases}. A lease is
 * held while its owner is set and it has not expired; taking one is a single upsert that succeeds only when the row is
 * free, expired, or already the caller's, so two replicas racing for one maildrop cannot both win. All times are
 * PostgreSQL's clock.
 */
@Service
public class MaildropLeaseService {

    private final JdbcClient jdbc;

    MaildropLeaseService(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    /** A lease held: by whom, until when, and since when (the start of the holder's session). */
    public record Lease(String owner, Instant expiresAt, Instant acquiredAt) {
    }

    /** What {@link #acquire} found. */
    public sealed interface Outcome permits Taken, InUse, TooSoon {
    }

    /** The maildrop is the caller's. */
    public record Taken(Lease lease) implements Outcome {
    }

    /** Another owner holds an unexpired lease. */
    public record InUse() implements Outcome {
    }

    /** LOGIN-DELAY: the maildrop was last taken too recently; try again after {@code retryAfter}. */
    public record TooSoon(Duration retryAfter) implements Outcome {
    }

    /** A lease to renew, or one that was lost. */
    public record LeaseKey(String account, String owner) {
    }

    /**
     * Takes the account's maildrop for {@code owner} for {@code ttl}, or renews it when {@code owner} holds it already.
     *
     * @param minInterval LOGIN-DELAY: refuse another owner when the maildrop was last taken less than this long ago
     */
    @Transactional
    public Outcome acquire(long accountId, String owner, Duration ttl, Duration minInterval) {
        // ON CONFLICT locks the row even when its WHERE refuses the update, so the read below sees the row that won.
        List<Lease> taken = jdbc.sql("""
                        INSERT INTO maildrop_leases AS l (account_id, owner, expires_at, acquired_at)
                        VALUES (:account, :owner, now() + make_interval(secs => :ttl), now())
                        ON CONFLICT (account_id) DO UPDATE
                           SET owner = excluded.owner, expires_at = excluded.expires_at,
                               acquired_at = CASE WHEN l.owner = excluded.owner THEN l.acquired_at ELSE excluded.acquired_at END
                         WHERE l.owner = excluded.owner
                            OR ((l.owner IS NULL OR l.expires_at <= now())
                                AND l.acquired_at + make_interval(secs => :minInterval) <= now())
                        RETURNING l.owner, l.expires_at, l.acquired_at""")
                .param("account", accountId)
                .param("owner", owner)
                .param("ttl", seconds(ttl))
                .param("minInterval", seconds(minInterval))
                .query((rs, row) -> new Lease(rs.getString("owner"), rs.getTimestamp("expires_at").toInstant(),
                        rs.getTimestamp("acquired_at").toInstant()))
                .list();
        if (!taken.isEmpty()) {
            return new Taken(taken.getFirst());
        }
        Map<String, Object> current = jdbc.sql("""
                        SELECT owner IS NOT NULL AND expires_at > now() AS held,
                               ceil(extract(epoch FROM acquired_at + make_interval(secs => :minInterval) - now()) * 1000)::bigint AS wait_ms
                          FROM maildrop_leases WHERE account_id = :account""")
                .param("account", accountId)
                .param("minInterval", seconds(minInterval))
                .query()
                .singleRow();
        if (Boolean.TRUE.equals(current.get("held"))) {
            return new InUse();
        }
        return new TooSoon(Duration.ofMillis(Math.max(1, ((Number) current.get("wait_ms")).longValue())));
    }

    /**
     * Extends the leases their owners still hold by {@code ttl} from now. A lease that ran out but that nobody took
     * meanwhile is still its owner's and is extended too: no other session can have touched the maildrop.
     *
     * @return the leases that are no longer their owner's (released, or taken by another after they ran out)
     */
    @Transactional
    public Set<LeaseKey> renew(Collection<LeaseKey> leases, Duration ttl) {
        if (leases.isEmpty()) {
            return Set.of();
        }
        List<String> accounts = new ArrayList<>();
        List<String> owners = new ArrayList<>();
        for (LeaseKey lease : leases) {
            accounts.add(EmailAddress.normalize(lease.account()));
            owners.add(lease.owner());
        }
        Set<LeaseKey> renewed = new HashSet<>(jdbc.sql("""
                        UPDATE maildrop_leases l SET expires_at = now() + make_interval(secs => :ttl)
                          FROM accounts a, unnest(:accounts::text[], :owners::text[]) AS r(address, owner)
                         WHERE a.address = r.address AND l.account_id = a.id AND l.owner = r.owner
                        RETURNING a.address, l.owner""")
                .param("ttl", seconds(ttl))
                .param("accounts", accounts.toArray(String[]::new))
                .param("owners", owners.toArray(String[]::new))
                .query((rs, row) -> new LeaseKey(rs.getString("address"), rs.getString("owner")))
                .list());
        Set<LeaseKey> lost = new HashSet<>();
        for (LeaseKey lease : leases) {
            if (!renewed.contains(new LeaseKey(EmailAddress.normalize(lease.account()), lease.owner()))) {
                lost.add(lease);
            }
        }
        return lost;
    }

    /** Gives the maildrop back when {@code owner} holds it; keeps when it was taken, for LOGIN-DELAY. */
    @Transactional
    public void release(long accountId, String owner) {
        jdbc.sql("UPDATE maildrop_leases SET owner = NULL, expires_at = least(expires_at, now()) WHERE account_id = ? AND owner = ?")
                .params(accountId, owner)
                .update();
    }

    private static double seconds(Duration duration) {
        return duration.toMillis() / 1000.0;
    }
}
