package io.mailroom.pop3.maildrop;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.apache.james.protocols.api.ProtocolSession.AttachmentKey;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This replica's side of the maildrop locks: takes a lock for a session, renews every lock it holds in one
 * round every third of the lease's time to live, and gives it back at the end of the session. A lease that
 * could not be renewed in time is marked lost: that session then deletes nothing at QUIT, because another
 * session may have taken the maildrop meanwhile.
 *
 * <p>Owners are {@code <replica id>/<session id>}, unique across replicas and restarts.
 */
public final class MaildropLeases implements AutoCloseable {

    /** The lock a logged-in session holds, until QUIT or the end of the connection. */
    public static final AttachmentKey<Held> LEASE = AttachmentKey.of("mailroom.pop3.maildropLease", Held.class);

    private static final Logger LOGGER = LoggerFactory.getLogger(MaildropLeases.class);

    private final MaildropLock lock;
    private final Duration ttl;
    private final Duration loginDelay;
    private final String replicaId;
    private final Map<MaildropLock.Lease, Held> held = new ConcurrentHashMap<>();
    private final ScheduledExecutorService renewer;

    /**
     * @param loginDelay LOGIN-DELAY to enforce; {@link Duration#ZERO} for none
     */
    public MaildropLeases(MaildropLock lock, Duration ttl, Duration loginDelay) {
        this.lock = lock;
        this.ttl = ttl;
        this.loginDelay = loginDelay;
        this.replicaId = replicaId();
        this.renewer = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "pop3-maildrop-lock-renewer");
            thread.setDaemon(true);
            return thread;
        });
        long period = Math.max(1, ttl.toMillis() / 3);
        renewer.scheduleWithFixedDelay(this::renewAll, period, period, TimeUnit.MILLISECONDS);
    }

    /** A lock this session holds. */
    public final class Held {

        private final MaildropLock.Lease lease;
        private volatile boolean lost;
        private volatile boolean released;

        private Held(MaildropLock.Lease lease) {
            this.lease = lease;
        }

        /** True when the lease expired or was taken before it could be renewed: the maildrop may not be ours. */
        public boolean lost() {
            return lost;
        }

        /** Gives the maildrop back; safe to call more than once. */
        public void release() {
            if (released) {
                return;
            }
            released = true;
            held.remove(lease);
            if (!lost) {
                lock.release(lease);
            }
        }
    }

    /** What {@link #acquire} found: the lock, or why not. */
    public sealed interface Result permits Taken, Refused {
    }

    public record Taken(Held held) implements Result {
    }

    public record Refused(MaildropLock.Outcome why) implements Result {
    }

    /**
     * Takes the account's maildrop for one session.
     *
     * @throws io.mailroom.mailbox.client.MailboxApiUnavailableException when the lock's store cannot be reached
     */
    public Result acquire(String account, String sessionId) {
        MaildropLock.Outcome outcome = lock.acquire(account, replicaId + "/" + sessionId, ttl, loginDelay);
        if (outcome instanceof MaildropLock.Acquired acquired) {
            Held lease = new Held(acquired.lease());
            held.put(acquired.lease(), lease);
            return new Taken(lease);
        }
        return new Refused(outcome);
    }

    /** How many locks this replica holds now. */
    public int count() {
        return held.size();
    }

    void renewAll() {
        if (held.isEmpty()) {
            return;
        }
        List<MaildropLock.Lease> leases = List.copyOf(held.keySet());
        try {
            Set<MaildropLock.Lease> lost = lock.renew(leases, ttl);
            for (MaildropLock.Lease lease : lost) {
                Held session = held.remove(lease);
                if (session != null) {
                    session.lost = true;
                    LOGGER.warn("The maildrop lock of {} was lost before it could be renewed", lease.account());
                }
            }
        } catch (RuntimeException e) {
            // Retried at the next round; a lease outlives two missed rounds.
            LOGGER.warn("Could not renew {} maildrop locks: {}", leases.size(), e.toString());
        }
    }

    /** Gives back every lock this replica still holds (on shutdown, after the listeners have closed their sessions). */
    @Override
    public void close() {
        renewer.shutdownNow();
        for (Held lease : List.copyOf(held.values())) {
            try {
                lease.release();
            } catch (RuntimeException e) {
                LOGGER.warn("Could not release the maildrop lock of {}: {}", lease.lease.account(), e.toString());
            }
        }
    }

    private static String replicaId() {
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            host = "pop3-gateway";
        }
        byte[] random = new byte[6];
        ThreadLocalRandom.current().nextBytes(random);
        return host + "-" + HexFormat.of().formatHex(random);
    }
}
