package io.mailroom.protocol.server;

import io.netty.buffer.ByteBuf;
import org.apache.james.protocols.api.ProtocolSession;

/**
 * Says which command lines the protocol handler may answer on the connection's I/O thread instead of a handler
 * thread ({@link ProtocolServer}): those whose handling waits for nothing (no mailbox-api call, no lock held by
 * another thread, no sleep), such as POP3's RETR of a message already read ahead. Each hand-off to a handler thread
 * and back costs two thread wake-ups per command, which on a busy machine is most of a short command's latency.
 *
 * <p>A line is only ever answered inline when no earlier line of the connection is still with the handler threads, so
 * the order of answers is kept. While it runs inline, {@link #runningInline()} is true on that thread: code that could
 * wait checks it and answers without waiting instead (a "try again" rather than a blocked I/O thread) should what the
 * test saw have changed since.
 */
@FunctionalInterface
public interface InlineCommands {

    /**
     * True when the handler can answer {@code line} (one command line with its line ending; not to be consumed) of
     * this session at once without waiting for anything. Runs on the I/O thread: must itself be quick and non-blocking.
     */
    boolean answersAtOnce(ProtocolSession session, ByteBuf line);

    /** True on the I/O thread while it runs a line's handler inline. */
    static boolean runningInline() {
        return InlineDispatch.RUNNING.get() != null;
    }
}
