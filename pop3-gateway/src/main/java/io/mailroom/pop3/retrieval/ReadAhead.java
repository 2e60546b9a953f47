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
import java.util.concurrent.CompletionException;
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

/**
 * Reads the next messages of the maildrop while the client reads the one it asked for: after RETR n, messages
 * n+1, n+2, … (up to {@code messages}, skipping those marked by DELE) are fetched from mailbox-api and staged in
 * memory on the read-ahead threads, so that the RETR that follows finds its message ready instead of waiting a
 * round trip to mailbox-api. Clients that read a maildrop in order (every POP3 client downloading new mail) see
 * RETR answered from memory.
 *
 * <p>Bounded: only messages up to {@code sessionBytes} are read ahead, at most {@code sessionBytes} per session
 * and {@code memoryBudget} in all (what does not fit is simply not read ahead), so a large message is never held
 * for a client that may not ask for it. A message read ahead is handed to RETR as it is; a read ahead that failed
 * (the message expunged meanwhile, mailbox-api unreachable) is forgotten and RETR reads the message itself, so that
 * the client gets the same answers as without read-ahead. TOP never uses or starts a read ahead. Everything not
 * handed over is dropped at the end of the session (QUIT or the connection gone), at DELE, or once RETR has moved past
 * it.
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
     * The message read ahead for RETR of {@code uid}, waiting for it up to {@code wait} if it is still on its way;
     * null when there is none (or it failed): the caller then reads the message itself.
     *
     * @param afterClose runs with the message once it is closed (written out or dropped)
     */
    SpooledMessage take(POP3Session session, String uid, Duration wait, Consumer<SpooledMessage> afterClose) {
        Session state = session.getAttachment(KEY, State.Connection).orElse(null);
        Entry entry = state == null ? null : state.remove(uid);
        if (entry == null) {
            if (messages > 0) {
                misses.increment();
            }
            return null;
        }
        SpooledMessage message;
        try {
            message = entry.future.get(wait.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            entry.discard();
            return null;
        } catch (ExecutionException | TimeoutException e) {
            entry.discard();
            misses.increment();
            return null;
        }
        entry.handOver(message, afterClose);
        hits.increment();
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
        synchronized (state) {
            if (state.closed) {
                return;
            }
            state.dropUnwanted(index, deleted);
            int ahead = 0;
            for (int i = index + 1; i < listing.size() && ahead < messages; i++) {
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
                Entry entry = new Entry(state, i, need);
                state.bytes += need;
                state.entries.put(message.getUid(), entry);
                try {
                    entry.future = CompletableFuture.supplyAsync(() -> fetch(mailbox, message, entry, mdc), executor);
                } catch (RejectedExecutionException e) {
                    state.entries.remove(message.getUid());
                    entry.release();
                    break;
                }
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

    private SpooledMessage fetch(Mailbox mailbox, MessageMetaData message, Entry entry, Map<String, String> mdc) {
        if (mdc != null) {
            MDC.setContextMap(mdc);
        }
        try {
            if (entry.dropped.get()) {
                throw new CompletionException(new IOException("dropped before it was read"));
            }
            InputStream source = mailbox.getMessage(message.getUid());
            return spool.spool(source, message.getSize(), MessageSpool.WHOLE_MESSAGE, entry::closed);
        } catch (IOException | RuntimeException e) {
            entry.release();
            throw e instanceof CompletionException c ? c : new CompletionException(e);
        } finally {
            MDC.clear();
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
        private final long reservation;
        private final AtomicBoolean released = new AtomicBoolean();
        private final AtomicBoolean dropped = new AtomicBoolean();
        private volatile CompletableFuture<SpooledMessage> future;
        private volatile Consumer<SpooledMessage> afterClose;
        private volatile SpooledMessage handedOver;

        Entry(Session session, int index, long reservation) {
            this.session = session;
            this.index = index;
            this.reservation = reservation;
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
            CompletableFuture<SpooledMessage> pending = future;
            if (pending == null) {
                release();
                return;
            }
            pending.whenComplete((message, failure) -> {
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
