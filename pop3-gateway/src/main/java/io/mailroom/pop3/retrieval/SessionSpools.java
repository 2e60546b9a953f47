package io.mailroom.pop3.retrieval;

import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.ProtocolSession.AttachmentKey;
import org.apache.james.protocols.api.ProtocolSession.State;

/**
 * The messages one session has staged and not yet written out, at most {@value #MAX_PENDING} at once: one
 * being written while the next is read. A client that pipelines RETR after RETR without reading the answers
 * (RFC 2449 PIPELINING allows the sending, not the not-reading) therefore cannot make the gateway stage its
 * whole maildrop: the handler waits for it to read, as TCP would make any server wait.
 */
public final class SessionSpools {

    static final int MAX_PENDING = 2;
    private static final AttachmentKey<SessionSpools> KEY = AttachmentKey.of("mailroom.pop3.spools", SessionSpools.class);

    private final Semaphore room = new Semaphore(MAX_PENDING);
    private final Set<SpooledMessage> open = ConcurrentHashMap.newKeySet();

    static SessionSpools of(ProtocolSession session) {
        synchronized (session) {
            return session.getAttachment(KEY, State.Connection).orElseGet(() -> {
                SessionSpools spools = new SessionSpools();
                session.setAttachment(KEY, spools, State.Connection);
                return spools;
            });
        }
    }

    /** Drops whatever the session staged and never wrote (its connection is gone). */
    public static void closeAll(ProtocolSession session) {
        session.getAttachment(KEY, State.Connection).ifPresent(spools -> {
            for (SpooledMessage message : List.copyOf(spools.open)) {
                try {
                    message.close();
                } catch (IOException ignored) {
                    // a temporary file that could not be removed: nothing more to do
                }
            }
        });
    }

    /** True when the session may stage one more message now (or has staged none yet). Does not wait. */
    static boolean hasRoom(ProtocolSession session) {
        return session.getAttachment(KEY, State.Connection).map(spools -> spools.room.availablePermits() > 0).orElse(true);
    }

    /** Waits until the session may stage one more message; false when the client read nothing for {@code limit}. */
    boolean awaitRoom(Duration limit) throws InterruptedException {
        return room.tryAcquire(limit.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Gives back room taken by {@link #awaitRoom} that no staged message holds. */
    void giveBack() {
        room.release();
    }

    /** A staged message holds the room until it is closed. */
    void track(SpooledMessage message) {
        open.add(message);
        if (message.isClosed()) {
            open.remove(message);
        }
    }

    /** The close action of a staged message; {@code message} is null when it closed before it was tracked. */
    void closed(SpooledMessage message) {
        if (message != null) {
            open.remove(message);
        }
        room.release();
    }
}
