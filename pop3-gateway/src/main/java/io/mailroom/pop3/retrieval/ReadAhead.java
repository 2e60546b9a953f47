package io.mailroom.pop3.retrieval;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.apache.james.protocols.api.ProtocolSession.AttachmentKey;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.pop3.POP3Session;
import org.apache.james.protocols.pop3.mailbox.Mailbox;
import org.apache.james.protocols.pop3.mailbox.MessageMetaData;
import org.slf4j.MDC;

import io.mailroom.mailbox.client.MailboxApiClient;
import io.mailroom.mailbox.client.RawMessageSink;
import io.mailroom.pop3.maildrop.MailboxApiMaildrop;
import io.mailroom.pop3.maildrop.MessageGoneException;

/**
 * Reads the next messages of the maildrop while the client reads the one it asked for: after RETR n, messages
 * n+1, n+2, … (up to {@code messages}, skipping those marked by DELE) are fetched from mailbox-api and staged in
 * memory on the read-ahead threads, so that the RETR that follows finds its message ready instead of waiting a
 * round trip to mailbox-api. Clients that read a maildrop in order (every POP3 client downloading new mail) see
 * RETR answered from memory.
 *
 * <p>Batched: the messages are asked for together, with one mailbox-api call for up to
 * {@value MailboxApiClient#MAX_READ_BATCH} of them ({@link MailboxApiMaildrop#readMessages}), and the window is
 * refilled only once half of it has been used, so that a client reading in order costs one call per several
 * messages rather than one per message. A RETR that finds nothing read ahead (the first of a session, or one out
 * of order) fetches its message the same way, together with the ones after it.
 *
 * <p>Bounded: only messages up to {@code sessionBytes} are read ahead, at most {@code sessionBytes} per session
 * and {@code memoryBudget} in all (what does not fit is simply not read ahead), so a large message is never held
 * for a client that may not ask for it. A message read ahead is handed to RETR as it is; a read ahead that failed
 * (the message expunged meanwhile, mailbox-api unreachable, the batch refused) is forgotten and RETR reads the
 * message itself with the single, streamed call, so that the client gets the same answers as without read-ahead.
 * TOP never uses or starts a read ahead. Everything not handed over is dropped at the end of the session (QUIT or
 * the connection gone), at DELE, or once RETR has moved past it.
 */
public final class ReadAhead implements AutoCloseable {

    private static final AttachmentKey<Session> KEY = AttachmentKey.of("mailroom.pop3.readAhead", Session.class);
    /** Dot-stuffing and the terminating line make the staged answer a little longer than the message. */
    private static final long STUFFING_HEADROOM_DIVISOR = 16;
    private static final long TERMINATOR_BYTES = 5;

    private final MessageSpool spool;
    private final int messages;
    private final long sessionBytes;
    private final AtomicLong memoryAvailable;
    private final ExecutorService executor;
    private final Counter hits;
    private final Counter misses;
    private final Counter wasted;

    /**
     * @param messages     how many messages after the one retrieved are read ahead; 0 turns read-ahead off
     * @param sessionBytes the most one session holds read ahead (and the largest message that is read ahead)
     * @param memoryBudget the most all sessions together hold read ahead
     * @param threads      threads that read ahead (each waits on mailbox-api)
     */
    public ReadAhead(MessageSpool spool, int messages, long sessionBytes, long memoryBudget, int threads, MeterRegistry meters) {
        this.spool = spool;
        this.messages = messages;
        this.sessionBytes = sessionBytes;
        this.memoryAvailable = new AtomicLong(memoryBudget);
        AtomicInteger ids = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                runnable -> {
                    Thread thread = new Thread(runnable, "pop3-read-ahead-" + ids.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        pool.allowCoreThreadTimeOut(true);
        this.executor = pool;
        this.hits = Counter.builder("pop3.read.ahead").tag("outcome", "hit")
                .description("RETRs answered with a message read ahead").register(meters);
        this.misses = Counter.builder("pop3.read.ahead").tag("outcome", "miss")
                .description("RETRs whose message had not been read ahead (or whose read ahead failed)").register(meters);
        this.wasted = Counter.builder("pop3.read.ahead").tag("outcome", "wasted")
                .description("messages read ahead and dropped unused").register(meters);
    }

    /** Bytes of the read-ahead budget not in use now. */
    public long memoryAvailable() {
        return memoryAvailable.get();
    }

    /**
     * The message for RETR of {@code uid} (at {@code index}, 0-based in the session's listing): the one read ahead,
     * waiting for it up to {@code wait} if it is still on its way; if none was, it is fetched now together with the
     * messages after it, in one call. Null when it is not read ahead and cannot be (too large, no room) or its read
     * failed: the caller then reads the message itself.
     *
     * @param afterClose runs with the message once it is closed (written out or dropped)
     */
    SpooledMessage take(POP3Session session, int index, String uid, Duration wait, Consumer<SpooledMessage> afterClose) {
        Session state = session.getAttachment(KEY, State.Connection).orElse(null);
        Entry entry = state == null ? null : state.remove(uid);
        if (entry != null) {
            return await(entry, wait, afterClose, true);
        }
        if (messages <= 0) {
            return null;
        }
        misses.increment();
        entry = startAt(session, index, uid);
        return entry == null ? null : await(entry, wait, afterClose, false);
    }

    /**
     * True when the message {@code uid} has been read ahead for this session and is ready, so that {@link #take} hands
     * it over without waiting. Does not wait itself (it runs on the I/O thread: {@link RetrAtOnce}).
     */
    boolean ready(POP3Session session, String uid) {
        Session state = session.getAttachment(KEY, State.Connection).orElse(null);
        if (state == null) {
            return false;
        }
        Entry entry;
        synchronized (state) {
            entry = state.closed ? null : state.entries.get(uid);
        }
        return entry != null && entry.future.isDone() && !entry.future.isCompletedExceptionally();
    }

    private SpooledMessage await(Entry entry, Duration wait, Consumer<SpooledMessage> afterClose, boolean readAhead) {
        SpooledMessage message;
        try {
            message = entry.future.get(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            entry.discard();
            return null;
        } catch (ExecutionException | TimeoutException e) {
            entry.discard();
            if (readAhead) {
                misses.increment();
            }
            return null;
        }
        entry.handOver(message, afterClose);
        if (readAhead) {
            hits.increment();
        }
        return message;
    }

    /**
     * After RETR of the message at {@code index} (0-based in the session's listing): starts reading ahead the next
     * ones, and drops what the client has moved past or marked deleted.
     */
    void after(POP3Session session, int index) {
        if (messages <= 0) {
            return;
        }
        List<MessageMetaData> listing = session.getAttachment(POP3Session.UID_LIST, State.Transaction).orElse(List.of());
        List<String> deleted = session.getAttachment(POP3Session.DELETED_UID_LIST, State.Transaction).orElse(List.of());
        Mailbox mailbox = session.getUserMailbox();
        if (mailbox == null || index + 1 >= listing.size() && !hasState(session)) {
            return;
        }
        Session state = state(session);
        Map<String, String> mdc = MDC.getCopyOfContextMap();
        List<Entry> batch;
        synchronized (state) {
            if (state.closed) {
                return;
            }
            state.dropUnwanted(index, deleted);
            // refilled once half the window is used, so that a refill asks for several messages at once
            int ready = 0;
            int ahead = 0;
            for (int i = index + 1; i < listing.size() && ahead < messages; i++) {
                String uid = listing.get(i).getUid();
                if (!deleted.contains(uid)) {
                    ahead++;
                    ready += state.entries.containsKey(uid) ? 1 : 0;
                }
            }
            if (ready > messages / 2) {
                return;
            }
            batch = reserve(state, listing, deleted, index + 1, messages);
        }
        submit(mailbox, state, batch, mdc);
    }

    /**
     * RETR of the message at {@code index} found nothing read ahead: reads it, and the next {@code messages} with it,
     * in one batch. Null when the message itself is not to be read ahead (too large, no room, session closed).
     */
    private Entry startAt(POP3Session session, int index, String uid) {
        List<MessageMetaData> listing = session.getAttachment(POP3Session.UID_LIST, State.Transaction).orElse(List.of());
        List<String> deleted = session.getAttachment(POP3Session.DELETED_UID_LIST, State.Transaction).orElse(List.of());
        Mailbox mailbox = session.getUserMailbox();
        if (mailbox == null || index < 0 || index >= listing.size() || !listing.get(index).getUid().equals(uid)) {
            return null;
        }
        Session state = state(session);
        Map<String, String> mdc = MDC.getCopyOfContextMap();
        List<Entry> batch;
        Entry first;
        synchronized (state) {
            if (state.closed) {
                return null;
            }
            batch = reserve(state, listing, deleted, index, firstFetch());
            if (batch.isEmpty() || batch.get(0).index != index) {
                batch.forEach(entry -> state.entries.remove(entry.uid));
                batch.forEach(Entry::release);
                return null;
            }
            // handed to RETR straight away: not among the messages waiting to be asked for
            first = state.entries.remove(uid);
        }
        submit(mailbox, state, batch, mdc);
        return first;
    }

    /**
     * How many messages a RETR that found nothing read ahead fetches, its own included: it and the next
     * {@code messages}, cut down to whole requests when that is more than one (65 would be requests of 32, 32 and 1).
     */
    private int firstFetch() {
        int count = messages + 1;
        return count > MailboxApiClient.MAX_READ_BATCH ? count - count % MailboxApiClient.MAX_READ_BATCH : count;
    }

    /**
     * Reserves room for, and registers, the messages from {@code from} on (up to {@code count}, not counting those
     * marked deleted) that are not read ahead yet; stops at the first that does not fit. Holds the session's lock.
     */
    private List<Entry> reserve(Session state, List<MessageMetaData> listing, List<String> deleted, int from, int count) {
        List<Entry> batch = new ArrayList<>();
        int ahead = 0;
        for (int i = from; i < listing.size() && ahead < count; i++) {
            MessageMetaData message = listing.get(i);
            if (deleted.contains(message.getUid())) {
                continue;
            }
            ahead++;
            if (state.entries.containsKey(message.getUid())) {
                continue;
            }
            long need = message.getSize() + message.getSize() / STUFFING_HEADROOM_DIVISOR + TERMINATOR_BYTES;
            if (state.bytes + need > sessionBytes || !reserve(need)) {
                break;
            }
            Entry entry = new Entry(state, i, message.getUid(), message.getSize(), need);
            state.bytes += need;
            state.entries.put(message.getUid(), entry);
            batch.add(entry);
        }
        return batch;
    }

    /** Fetches the entries on the read-ahead threads, {@value MailboxApiClient#MAX_READ_BATCH} per call. */
    private void submit(Mailbox mailbox, Session state, List<Entry> entries, Map<String, String> mdc) {
        for (int start = 0; start < entries.size(); start += MailboxApiClient.MAX_READ_BATCH) {
            List<Entry> batch = List.copyOf(entries.subList(start, Math.min(entries.size(), start + MailboxApiClient.MAX_READ_BATCH)));
            try {
                executor.execute(() -> fetch(mailbox, batch, mdc));
            } catch (RejectedExecutionException e) {
                for (Entry entry : entries.subList(start, entries.size())) {
                    state.remove(entry.uid);
                    entry.fail(e);
                }
                return;
            }
        }
    }

    /** Drops everything the session read ahead and reads nothing more for it (QUIT, or the connection gone). */
    public static void closeSession(POP3Session session) {
        session.getAttachment(KEY, State.Connection).ifPresent(Session::close);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }

    /**
     * Reads a batch: in one mailbox-api call when the maildrop is mailbox-api's, else one message after the other.
     * Every entry ends staged or failed (a failed one is read by RETR itself): missing, deferred, or not reached
     * because the call failed.
     */
    private void fetch(Mailbox mailbox, List<Entry> batch, Map<String, String> mdc) {
        if (mdc != null) {
            MDC.setContextMap(mdc);
        }
        Map<Long, Entry> wanted = new LinkedHashMap<>();
        try {
            long bytes = 0;
            for (Entry entry : batch) {
                if (entry.dropped.get()) {
                    entry.fail(new IOException("dropped before it was read"));
                } else {
                    wanted.put(Long.parseLong(entry.uid), entry);
                    bytes += entry.size;
                }
            }
            if (wanted.isEmpty()) {
                return;
            }
            if (mailbox instanceof MailboxApiMaildrop maildrop) {
                maildrop.readMessages(List.copyOf(wanted.keySet()), bytes, new Sink(wanted));
            } else {
                for (Entry entry : wanted.values()) {
                    entry.stage(mailbox.getMessage(entry.uid));
                }
            }
        } catch (IOException | RuntimeException e) {
            wanted.values().forEach(entry -> entry.fail(e));
        } finally {
            for (Entry entry : wanted.values()) {
                if (!entry.future.isDone()) { // an exception's stack trace per staged message cost more than its copy
                    entry.fail(new IOException("mailbox-api did not send message " + entry.uid));
                }
            }
            MDC.clear();
        }
    }

    /** Stages each message of a batch as it arrives. */
    private static final class Sink implements RawMessageSink {

        private final Map<Long, Entry> entries;

        Sink(Map<Long, Entry> entries) {
            this.entries = entries;
        }

        @Override
        public void message(long uid, InputStream content) throws IOException {
            Entry entry = entries.get(uid);
            if (entry != null) {
                entry.stage(content);
            }
        }

        @Override
        public void missing(long uid) {
            fail(uid, new MessageGoneException("message " + uid + " is gone", null));
        }

        @Override
        public void deferred(long uid) {
            fail(uid, new IOException("message " + uid + " was deferred by mailbox-api"));
        }

        private void fail(long uid, Exception cause) {
            Entry entry = entries.get(uid);
            if (entry != null) {
                entry.fail(cause);
            }
        }
    }

    private boolean hasState(POP3Session session) {
        return session.getAttachment(KEY, State.Connection).isPresent();
    }

    private Session state(POP3Session session) {
        synchronized (session) {
            return session.getAttachment(KEY, State.Connection).orElseGet(() -> {
                Session state = new Session();
                session.setAttachment(KEY, state, State.Connection);
                return state;
            });
        }
    }

    private boolean reserve(long bytes) {
        while (true) {
            long available = memoryAvailable.get();
            if (available < bytes) {
                return false;
            }
            if (memoryAvailable.compareAndSet(available, available - bytes)) {
                return true;
            }
        }
    }

    /** One session's messages read ahead, by UID, in listing order. */
    private final class Session {

        final Map<String, Entry> entries = new LinkedHashMap<>();
        long bytes;
        boolean closed;

        synchronized Entry remove(String uid) {
            return entries.remove(uid);
        }

        /** Drops what lies at or before {@code index} (the client moved past it) or is marked deleted. */
        void dropUnwanted(int index, List<String> deleted) {
            for (Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<String, Entry> next = it.next();
                if (next.getValue().index <= index || deleted.contains(next.getKey())) {
                    it.remove();
                    next.getValue().discard();
                }
            }
        }

        void close() {
            List<Entry> dropped;
            synchronized (this) {
                closed = true;
                dropped = new ArrayList<>(entries.values());
                entries.clear();
            }
            dropped.forEach(Entry::discard);
        }

        synchronized void released(long reservation) {
            bytes -= reservation;
        }
    }

    /** One message read ahead (or on its way). */
    private final class Entry {

        private final Session session;
        private final int index;
        private final String uid;
        private final long size;
        private final long reservation;
        private final AtomicBoolean released = new AtomicBoolean();
        private final AtomicBoolean dropped = new AtomicBoolean();
        private final CompletableFuture<SpooledMessage> future = new CompletableFuture<>();
        private volatile Consumer<SpooledMessage> afterClose;
        private volatile SpooledMessage handedOver;

        Entry(Session session, int index, String uid, long size, long reservation) {
            this.session = session;
            this.index = index;
            this.uid = uid;
            this.size = size;
            this.reservation = reservation;
        }

        /** Stages the message from {@code content} (closing it) and makes it ready; a failure is this entry's alone. */
        void stage(InputStream content) {
            try {
                future.complete(spool.spool(content, size, MessageSpool.WHOLE_MESSAGE, this::closed));
            } catch (IOException | RuntimeException e) {
                fail(e);
            }
        }

        /** Not read: RETR will read the message itself. Nothing happens to an entry that is staged already. */
        void fail(Throwable cause) {
            if (future.completeExceptionally(cause)) {
                release();
            }
        }

        void handOver(SpooledMessage message, Consumer<SpooledMessage> action) {
            handedOver = message;
            afterClose = action;
        }

        /** The staged message was closed: written out (after hand-over) or dropped. */
        void closed() {
            release();
            Consumer<SpooledMessage> action = afterClose;
            if (action != null) {
                action.accept(handedOver);
            }
        }

        /** Not wanted any more: the message is closed as soon as it is (or if it was) read. */
        void discard() {
            dropped.set(true);
            future.whenComplete((message, failure) -> {
                if (message != null) {
                    wasted.increment();
                    try {
                        message.close();
                    } catch (IOException ignored) {
                        // a staged file that could not be removed: nothing more to do
                    }
                }
            });
        }

        void release() {
            if (released.compareAndSet(false, true)) {
                memoryAvailable.addAndGet(reservation);
                session.released(reservation);
            }
        }
    }
}
