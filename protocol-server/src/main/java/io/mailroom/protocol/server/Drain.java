package io.mailroom.protocol.server;

import org.apache.james.protocols.api.ProtocolSession;

/**
 * How a listener lets its connections go when it stops (a rollout, a scale-down, SIGTERM): a connection in the
 * middle of something the client cannot resume elsewhere (an SMTP transaction) is left to finish it, up to the
 * listener's shutdown timeout; every other connection gets the protocol's goodbye line and is closed after the
 * command it is processing, so that its client reconnects (to another replica) at once instead of timing out.
 *
 * <p>Both methods run on the connection's protocol handler thread, in order with its commands, so they see the
 * session as the last command left it.
 */
public interface Drain {

    /** Closes every connection after its current command, without a word: what a protocol with no goodbye gets. */
    Drain SILENT = new Drain() {
        @Override
        public boolean busy(ProtocolSession session) {
            return false;
        }

        @Override
        public String goodbye(ProtocolSession session) {
            return null;
        }
    };

    /** True while the session is in the middle of something it should be let finish (it is asked again shortly). */
    boolean busy(ProtocolSession session);

    /** The line (without CRLF) to send before closing, or null to close without one. */
    String goodbye(ProtocolSession session);
}
