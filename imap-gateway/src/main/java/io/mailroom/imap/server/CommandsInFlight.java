package io.mailroom.imap.server;

import java.util.concurrent.atomic.AtomicInteger;

import org.apache.james.imap.api.process.ImapSession;

import reactor.core.publisher.Mono;

/**
 * How many commands of a session have been handed to the processor and not yet finished (queued behind one another by
 * James's per-connection linearizer, or running). A stopping listener lets them finish before it says BYE
 * ({@link MailroomImapServer#drain}).
 *
 * <p>Counted from the moment James hands the command over (on the connection's I/O thread) until its processing ends,
 * whatever the way (completed, failed, cancelled because the connection closed). IDLE counts only while it starts:
 * the idling itself is not a command in progress, and an idling client is told BYE at once.
 */
final class CommandsInFlight {

    private static final String ATTRIBUTE = "MAILROOM_COMMANDS_IN_FLIGHT";

    private CommandsInFlight() {
    }

    /** Counts {@code command} as in flight for {@code session} until it ends. */
    static <T> Mono<T> track(ImapSession session, Mono<T> command) {
        if (session == null) {
            return command;
        }
        AtomicInteger count = counter(session);
        count.incrementAndGet();
        return command.doFinally(signal -> count.decrementAndGet());
    }

    /** Whether a command of the session is queued or running. */
    static boolean any(ImapSession session) {
        return session != null && session.getAttribute(ATTRIBUTE) instanceof AtomicInteger count && count.get() > 0;
    }

    private static AtomicInteger counter(ImapSession session) {
        if (session.getAttribute(ATTRIBUTE) instanceof AtomicInteger count) {
            return count;
        }
        AtomicInteger count = new AtomicInteger();
        session.setAttribute(ATTRIBUTE, count);
        return count;
    }
}
