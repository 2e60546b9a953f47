package io.mailroom.pop3.command;

import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.api.handler.DisconnectHandler;
import org.apache.james.protocols.pop3.POP3Session;
import org.apache.james.protocols.pop3.mailbox.Mailbox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mailroom.pop3.maildrop.MaildropLeases;
import io.mailroom.pop3.retrieval.ReadAhead;
import io.mailroom.pop3.retrieval.SessionSpools;

/**
 * The end of a connection, however it ends (QUIT, the client gone, the idle timeout, shutdown): the maildrop
 * lock goes back at once rather than when its lease runs out, and messages staged or read ahead for the client but
 * never written are dropped. Nothing is deleted here: that is QUIT's alone (RFC 1939 §6).
 */
public class SessionCleanup implements DisconnectHandler<POP3Session> {

    private static final Logger LOGGER = LoggerFactory.getLogger(SessionCleanup.class);

    @Override
    public void onDisconnect(POP3Session session) {
        if (session == null) {
            return;
        }
        endTransaction(session);
        SessionSpools.closeAll(session);
    }

    /** Drops what was read ahead, gives back the maildrop lock and closes the maildrop; safe to call more than once. */
    static void endTransaction(POP3Session session) {
        ReadAhead.closeSession(session);
        session.removeAttachment(MaildropLeases.LEASE, State.Connection).ifPresent(lease -> {
            try {
                lease.release();
            } catch (RuntimeException e) {
                // Its lease runs out by itself.
                LOGGER.warn("Could not release a maildrop lock: {}", e.toString());
            }
        });
        Mailbox mailbox = session.getUserMailbox();
        if (mailbox != null) {
            try {
                mailbox.close();
            } catch (java.io.IOException | RuntimeException e) {
                LOGGER.debug("Closing the maildrop failed: {}", e.toString());
            }
        }
    }
}
