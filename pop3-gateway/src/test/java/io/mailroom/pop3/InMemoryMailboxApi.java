package io.mailroom.pop3;

import java.io.ByteArrayInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import io.mailroom.mailbox.client.AuthenticatedAccount;
import io.mailroom.mailbox.client.AuthenticationFailedException;
import io.mailroom.mailbox.client.FiledMessage;
import io.mailroom.mailbox.client.MailboxApiClient;
import io.mailroom.mailbox.client.MailboxApiException;
import io.mailroom.mailbox.client.MailboxApiUnavailableException;
import io.mailroom.mailbox.client.Maildrop;
import io.mailroom.mailbox.client.MaildropLeaseClient;
import io.mailroom.mailbox.client.RawMessageSink;
import io.mailroom.pop3.maildrop.InProcessMaildropLock;
import io.mailroom.pop3.maildrop.MaildropLock;
import io.mailroom.mailbox.client.RecipientResolution;

/**
 * A small mailbox-api in memory, for testing POP3 behaviour in isolation: accounts with a password
 * and an INBOX, a record of what the gateway asked, and message streams a test can watch or hold up.
 */
public final class InMemoryMailboxApi implements MailboxApiClient, MaildropLeaseClient {

    public record Expunge(String account, long mailboxId, List<Long> uids) {
    }

    public record Login(String username, String protocol, String remoteIp) {
    }

    private record Account(long id, String address, String password, long mailboxId, long uidValidity,
                           NavigableMap<Long, byte[]> inbox) {
    }

    private final Map<String, Account> accounts = new ConcurrentHashMap<>();
    private final List<Expunge> expunges = new CopyOnWriteArrayList<>();
    private final List<Login> logins = new CopyOnWriteArrayList<>();
    private final List<TrackedStream> streams = new CopyOnWriteArrayList<>();
    private final List<List<Long>> batches = new CopyOnWriteArrayList<>();
    private final AtomicBoolean failBatches = new AtomicBoolean();
    private final Set<String> lockedOut = ConcurrentHashMap.newKeySet();
    private final AtomicInteger maildropCalls = new AtomicInteger();
    private final AtomicBoolean unavailable = new AtomicBoolean();
    private final AtomicReference<CountDownLatch> messageGate = new AtomicReference<>();
    private final AtomicInteger ids = new AtomicInteger(100);
    // mailbox-api's maildrop leases, in memory: the lock semantics are InProcessMaildropLock's (tested on their own)
    private volatile InProcessMaildropLock leases = newLeases();

    /** Creates (or replaces) an account with an empty INBOX. */
    public void createAccount(String address, String password, long uidValidity) {
        int id = ids.incrementAndGet();
        accounts.put(address, new Account(id, address, password, id * 10L, uidValidity, new ConcurrentSkipListMap<>()));
    }

    public void deliver(String address, long uid, byte[] content) {
        account(address).inbox().put(uid, content);
    }

    public List<Long> uids(String address) {
        return new ArrayList<>(account(address).inbox().keySet());
    }

    public long mailboxId(String address) {
        return account(address).mailboxId();
    }

    public List<Expunge> expunges() {
        return List.copyOf(expunges);
    }

    public List<Login> logins() {
        return List.copyOf(logins);
    }

    public int maildropCalls() {
        return maildropCalls.get();
    }

    /** Every message stream handed out, in order. */
    public List<TrackedStream> streams() {
        return List.copyOf(streams);
    }

    /** Every call fails as if mailbox-api could not be reached. */
    public void setUnavailable(boolean value) {
        unavailable.set(value);
    }

    /** The login policy locks this account out for now (mailbox-api's {@code auth-locked}). */
    public void setLockedOut(String address, boolean value) {
        if (value) {
            lockedOut.add(address);
        } else {
            lockedOut.remove(address);
        }
    }

    /**
     * Message streams opened from now on send nothing until the latch opens (a stalled mailbox-api);
     * null lets them flow again.
     */
    public void holdMessages(CountDownLatch gate) {
        messageGate.set(gate);
    }

    public void reset() {
        accounts.clear();
        expunges.clear();
        logins.clear();
        streams.clear();
        batches.clear();
        failBatches.set(false);
        lockedOut.clear();
        maildropCalls.set(0);
        unavailable.set(false);
        messageGate.set(null);
        leases = newLeases();
    }

    private static InProcessMaildropLock newLeases() {
        return new InProcessMaildropLock(InstantSource.system(), Duration.ofHours(1));
    }

    @Override
    public Outcome acquireMaildropLease(String account, String owner, Duration ttl, Duration minInterval) {
        checkAvailable();
        return switch (leases.acquire(account, owner, ttl, minInterval)) {
            case MaildropLock.Acquired acquired -> new Acquired(Instant.now().plus(ttl));
            case MaildropLock.Held held -> new InUse();
            case MaildropLock.TooSoon tooSoon -> new TooSoon(tooSoon.retryAfter());
        };
    }

    @Override
    public Set<LeaseKey> renewMaildropLeases(Collection<LeaseKey> keys, Duration ttl) {
        return leases.renew(keys.stream().map(key -> new MaildropLock.Lease(key.account(), key.owner())).toList(), ttl)
                .stream().map(lease -> new LeaseKey(lease.account(), lease.owner())).collect(Collectors.toSet());
    }

    @Override
    public void releaseMaildropLease(String account, String owner) {
        leases.release(new MaildropLock.Lease(account, owner));
    }

    @Override
    public AuthenticatedAccount authenticate(String username, String password, String protocol, String remoteIp) {
        checkAvailable();
        logins.add(new Login(username, protocol, remoteIp));
        if (lockedOut.contains(username)) {
            throw new AuthenticationFailedException(401, "auth-locked", "too many failures", true);
        }
        Account account = accounts.get(username);
        if (account == null || !account.password().equals(password)) {
            throw new AuthenticationFailedException(401, "auth-failed", "invalid credentials", false);
        }
        return new AuthenticatedAccount(account.id(), account.address());
    }

    @Override
    public Maildrop maildrop(String address) {
        checkAvailable();
        maildropCalls.incrementAndGet();
        Account account = account(address);
        List<Maildrop.Entry> entries = account.inbox().entrySet().stream()
                .map(entry -> new Maildrop.Entry(entry.getKey(), entry.getValue().length))
                .toList();
        return new Maildrop(account.mailboxId(), account.uidValidity(), entries);
    }

    @Override
    public InputStream openMessage(String address, long mailboxId, long uid) {
        checkAvailable();
        Account account = account(address);
        byte[] content = mailboxId == account.mailboxId() ? account.inbox().get(uid) : null;
        if (content == null) {
            throw new MailboxApiException(404, "message-not-found", "no message " + uid);
        }
        TrackedStream stream = new TrackedStream(uid, new ByteArrayInputStream(content), messageGate.get());
        streams.add(stream);
        return stream;
    }

    /**
     * The batch read as mailbox-api answers it: each message as a tracked stream (so {@link #streams()} counts it like
     * a single read), missing ones as missing, those past {@code maxBytes} deferred; recorded in {@link #batches()}.
     */
    @Override
    public void readMessages(String address, long mailboxId, List<Long> uids, long maxBytes, RawMessageSink sink)
            throws IOException {
        checkAvailable();
        if (failBatches.get()) {
            throw new MailboxApiUnavailableException("the batch read failed (test)", null);
        }
        if (uids.size() > MAX_READ_BATCH) {
            throw new MailboxApiException(400, "validation", "more than " + MAX_READ_BATCH + " uids");
        }
        Account account = account(address);
        if (mailboxId != account.mailboxId()) {
            throw new MailboxApiException(404, "mailbox-not-found", "no mailbox " + mailboxId);
        }
        batches.add(List.copyOf(uids));
        long budget = maxBytes;
        for (long uid : uids) {
            byte[] content = account.inbox().get(uid);
            if (content == null) {
                sink.missing(uid);
            } else if (content.length > budget) {
                sink.deferred(uid);
            } else {
                budget -= content.length;
                TrackedStream stream = new TrackedStream(uid, new ByteArrayInputStream(content), messageGate.get());
                streams.add(stream);
                try (stream) {
                    sink.message(uid, stream);
                }
            }
        }
    }

    /** Every batch read, in order: the UIDs it asked for. */
    public List<List<Long>> batches() {
        return List.copyOf(batches);
    }

    /** Every batch read fails as if mailbox-api broke off; single reads still work. */
    public void setFailBatches(boolean value) {
        failBatches.set(value);
    }

    @Override
    public void expunge(String address, long mailboxId, Collection<Long> uids) {
        checkAvailable();
        Account account = account(address);
        expunges.add(new Expunge(address, mailboxId, List.copyOf(uids)));
        uids.forEach(account.inbox()::remove);
    }

    @Override
    public RecipientResolution resolveRecipient(String address) {
        throw new UnsupportedOperationException("not used by POP3");
    }

    @Override
    public FiledMessage fileMessage(String account, String deliveryId, byte[] content, String traceId) {
        throw new UnsupportedOperationException("not used by POP3");
    }

    private Account account(String address) {
        Account account = accounts.get(address);
        if (account == null) {
            throw new MailboxApiException(404, "account-not-found", "no account " + address);
        }
        return account;
    }

    private void checkAvailable() {
        if (unavailable.get()) {
            throw new MailboxApiUnavailableException("mailbox-api is down (test)", null);
        }
    }

    /** A message body as the gateway reads it: how much it read, whether it closed it, who read it. */
    public static final class TrackedStream extends FilterInputStream {

        private final long uid;
        private final CountDownLatch gate;
        private final AtomicLong read = new AtomicLong();
        private final AtomicBoolean closed = new AtomicBoolean();
        private final Set<String> readers = ConcurrentHashMap.newKeySet();

        TrackedStream(long uid, InputStream in, CountDownLatch gate) {
            super(in);
            this.uid = uid;
            this.gate = gate;
        }

        public long uid() {
            return uid;
        }

        public long bytesRead() {
            return read.get();
        }

        public boolean closed() {
            return closed.get();
        }

        /** Names of the threads that read from the stream. */
        public Set<String> readers() {
            return Set.copyOf(readers);
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            readers.add(Thread.currentThread().getName());
            if (gate != null) {
                try {
                    if (!gate.await(30, TimeUnit.SECONDS)) {
                        throw new IOException("mailbox-api sent nothing (test)");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
            }
            int count = super.read(buffer, offset, length);
            if (count > 0) {
                read.addAndGet(count);
            }
            return count;
        }

        @Override
        public void close() throws IOException {
            closed.set(true);
            super.close();
        }
    }
}
