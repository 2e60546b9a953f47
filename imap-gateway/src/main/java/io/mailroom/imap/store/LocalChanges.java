package io.mailroom.imap.store;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

import io.mailroom.mailbox.client.events.MailboxChangeEvent.Kind;

/**
 * The writes this gateway made itself, so that mailbox-api's change events for them are not announced a second time.
 *
 * <p>James's store announces a session's own writes on the in-VM event bus as it makes them (with the exact old and
 * new flags, and the session id that lets the writing session stay silent about its own STORE). The same writes come
 * back later as mailbox-api change events; the bridge asks {@link #foreign} which UIDs of an event were not written
 * here, and announces only those.
 *
 * <p>An event can arrive before the HTTP answer of the write that caused it has been read; {@link #writing} tells the
 * bridge to hold a mailbox's events until no write to it is in flight. Entries are matched once and expire after
 * {@link #RETENTION}, by which time their event has long arrived or was lost (catch-up then reads state, not events).
 */
public final class LocalChanges {

    static final Duration RETENTION = Duration.ofMinutes(2);
    private static final int SWEEP_THRESHOLD = 10_000;

    private record Key(long mailboxId, Kind kind, long uid) {
    }

    private record Entry(long modSeq, long expiresAtMillis) {
    }

    private final Clock clock;
    private final Map<Key, Entry> entries = new ConcurrentHashMap<>();
    private final Map<Long, AtomicInteger> inFlight = new ConcurrentHashMap<>();

    public LocalChanges() {
        this(Clock.systemUTC());
    }

    LocalChanges(Clock clock) {
        this.clock = clock;
    }

    void begin(long mailboxId) {
        inFlight.computeIfAbsent(mailboxId, id -> new AtomicInteger()).incrementAndGet();
    }

    void end(long mailboxId) {
        inFlight.computeIfPresent(mailboxId, (id, count) -> count.decrementAndGet() <= 0 ? null : count);
    }

    /** Whether a write of this gateway to the mailbox has been sent and not yet answered. */
    public boolean writing(long mailboxId) {
        AtomicInteger count = inFlight.get(mailboxId);
        return count != null && count.get() > 0;
    }

    void record(long mailboxId, Kind kind, long uid, long modSeq) {
        long now = clock.millis();
        if (entries.size() > SWEEP_THRESHOLD) {
            entries.values().removeIf(entry -> entry.expiresAtMillis() < now);
        }
        entries.put(new Key(mailboxId, kind, uid), new Entry(modSeq, now + RETENTION.toMillis()));
    }

    /**
     * The UIDs of an event that this gateway did not write. An event of mailbox-api carries the highest MODSEQ among
     * its messages, so a local write at MODSEQ m explains a UID of an event at MODSEQ at least m; a later foreign change
     * of the same message comes in a later event, after the local entry was used up.
     */
    public List<Long> foreign(long mailboxId, Kind kind, List<Long> uids, long eventModSeq) {
        List<Long> foreign = new ArrayList<>(uids.size());
        long now = clock.millis();
        for (Long uid : uids) {
            Key key = new Key(mailboxId, kind, uid);
            Entry entry = entries.get(key);
            if (entry != null && entry.expiresAtMillis() >= now && entry.modSeq() <= eventModSeq) {
                entries.remove(key, entry);
            } else {
                foreign.add(uid);
            }
        }
        return foreign;
    }
}
