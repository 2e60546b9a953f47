package io.mailroom.pop3.login;

import java.net.InetSocketAddress;

import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.ProtocolSessionImpl;

/**
 * Whether a password may be sent on a session (USER/PASS, AUTH PLAIN/LOGIN). RFC 2595 §2.2 asks servers
 * not to take passwords over an unencrypted connection, so by default only a session with TLS may log in.
 *
 * <p>{@code mailroom.pop3.allow-plaintext-auth} lifts that for every connection (a trusted network);
 * {@code mailroom.pop3.allow-plaintext-auth-on-loopback} only for connections from this machine, which never
 * cross a network. Behind a load balancer (PROXY protocol) both the balancer's connection and the client it
 * names must be local. A service mesh whose sidecar connects over loopback makes every client look local:
 * there, leave the loopback switch off.
 */
public record PlaintextAuthPolicy(boolean anywhere, boolean onLoopback) {

    public boolean allows(ProtocolSession session) {
        if (anywhere || session.isTLSStarted()) {
            return true;
        }
        return onLoopback && fromLoopback(session);
    }

    static boolean fromLoopback(ProtocolSession session) {
        boolean peerLocal = !(session instanceof ProtocolSessionImpl impl)
                || isLoopback(impl.getProtocolTransport().getRemoteAddress());
        return peerLocal && isLoopback(session.getRemoteAddress());
    }

    private static boolean isLoopback(InetSocketAddress address) {
        return address != null && address.getAddress() != null && address.getAddress().isLoopbackAddress();
    }
}
