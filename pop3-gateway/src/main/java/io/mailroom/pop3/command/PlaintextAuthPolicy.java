package io.mailroom.pop3.command;

import org.apache.james.protocols.pop3.POP3Session;

/**
 * Whether USER/PASS may be used on a session. RFC 2595 §2.2 asks servers not to take passwords over
 * an unencrypted connection; {@code mailroom.pop3.allow-plaintext-auth} lifts that, server-wide, for
 * set-ups where the path is trusted (the single-machine default, on loopback).
 */
public record PlaintextAuthPolicy(boolean allowPlaintextAuth) {

    public boolean allows(POP3Session session) {
        return allowPlaintextAuth || session.isTLSStarted();
    }
}
