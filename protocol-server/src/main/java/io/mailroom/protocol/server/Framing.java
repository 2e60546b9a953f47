package io.mailroom.protocol.server;

import java.time.Duration;

import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.ProtocolSessionImpl;

/** What a protocol handler may ask of its connection beyond writing replies. */
public final class Framing {

    private Framing() {
    }

    /**
     * While the handler processes a line after which framing paused ({@link ProtocolServer.Builder#pauseFramingAfter}):
     * the next {@code count} bytes the client sends are data, not lines. They reach the handler's line handler as
     * they are, in frames of up to 64 KiB that add up to exactly {@code count}; lines are framed again after them.
     *
     * @throws IllegalStateException when the session does not run on a {@link ProtocolServer}
     */
    public static void rawBytesFollow(ProtocolSession session, long count) {
        if (count < 0) {
            throw new IllegalArgumentException("count must not be negative");
        }
        transport(session).channel().attr(LineFramer.RAW_BYTES_NEXT).set(count);
    }

    /**
     * Holds back the replies written from now on until {@code delay} has passed (a failed login's answer), in
     * order and without holding the handler thread meanwhile.
     */
    public static void delayReplies(ProtocolSession session, Duration delay) {
        transport(session).delayReplies(delay);
    }

    private static StartTlsSafeTransport transport(ProtocolSession session) {
        if (session instanceof ProtocolSessionImpl impl && impl.getProtocolTransport() instanceof StartTlsSafeTransport transport) {
            return transport;
        }
        throw new IllegalStateException("the session does not run on a Mailroom protocol server");
    }
}
