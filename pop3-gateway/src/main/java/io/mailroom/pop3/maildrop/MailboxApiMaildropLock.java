package io.mailroom.pop3.maildrop;

import java.time.Duration;
import java.util.Collection;
import java.util.Set;
import java.util.stream.Collectors;

import io.mailroom.mailbox.client.MaildropLeaseClient;

/**
 * {@link MaildropLock} kept by mailbox-api, in PostgreSQL: one lock per account across every pop3-gateway replica.
 * The lease, its expiry and LOGIN-DELAY are all decided there, on the database's clock, so replicas whose clocks
 * disagree still agree on who holds a maildrop. A replica renews all its leases in one call per round.
 */
public final class MailboxApiMaildropLock implements MaildropLock {

    private final MaildropLeaseClient client;

    public MailboxApiMaildropLock(MaildropLeaseClient client) {
        this.client = client;
    }

    @Override
    public Outcome acquire(String account, String owner, Duration ttl, Duration minInterval) {
        return switch (client.acquireMaildropLease(account, owner, ttl, minInterval)) {
            case MaildropLeaseClient.Acquired acquired -> new Acquired(new Lease(account, owner));
            case MaildropLeaseClient.InUse inUse -> new Held();
            case MaildropLeaseClient.TooSoon tooSoon -> new TooSoon(tooSoon.retryAfter());
        };
    }

    @Override
    public Set<Lease> renew(Collection<Lease> leases, Duration ttl) {
        Set<MaildropLeaseClient.LeaseKey> lost = client.renewMaildropLeases(
                leases.stream().map(lease -> new MaildropLeaseClient.LeaseKey(lease.account(), lease.owner())).toList(), ttl);
        return lost.stream().map(key -> new Lease(key.account(), key.owner())).collect(Collectors.toSet());
    }

    @Override
    public void release(Lease lease) {
        client.releaseMaildropLease(lease.account(), lease.owner());
    }
}
