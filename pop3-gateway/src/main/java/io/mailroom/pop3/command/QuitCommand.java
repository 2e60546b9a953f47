package io.mailroom.pop3.command;

import java.io.IOException;
import java.util.Collection;
import java.util.List;
import java.util.Set;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.pop3.POP3Response;
import org.apache.james.protocols.pop3.POP3Session;
import org.apache.james.protocols.pop3.core.AbstractPOP3CommandHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mailroom.pop3.Pop3Replies;
import io.mailroom.pop3.maildrop.MaildropLeases;

/**
 * QUIT (RFC 1939 §6): in the TRANSACTION state the session enters UPDATE, the messages marked by DELE are
 * removed (one expunge call to mailbox-api), and only then is the maildrop lock given back. This is the
 * only place anything is deleted: a connection that ends without QUIT deletes nothing.
 *
 * <p>A session whose lock was lost (its replica could not renew it in time, and another session may hold
 * the maildrop now) deletes nothing either, and says so.
 */
public class QuitCommand extends AbstractPOP3CommandHandler {

    private static final Logger LOGGER = LoggerFactory.getLogger(QuitCommand.class);
    private static final Set<String> COMMANDS = Set.of("QUIT");
    static final Response SIGN_OFF = endSession(new POP3Response(POP3Response.OK_RESPONSE, "Logging out"));
    static final Response SIGN_OFF_DELETED = endSession(new POP3Response(POP3Response.OK_RESPONSE, "Logging out, messages deleted"));
    static final Response NOT_REMOVED = endSession(Pop3Replies.err(Pop3Replies.SYS_TEMP + " Some deleted messages were not removed, try again later"));
    static final Response LOCK_LOST = endSession(Pop3Replies.err(Pop3Replies.SYS_TEMP
            + " The mailbox lock was lost during the session: no message was removed"));

    private final MetricFactory metricFactory;

    public QuitCommand(MetricFactory metricFactory) {
        this.metricFactory = metricFactory;
    }

    @Override
    public Response onCommand(POP3Session session, Request request) {
        return metricFactory.decorateSupplierWithTimerMetric("pop3-quit", () -> quit(session));
    }

    private Response quit(POP3Session session) {
        if (session.getHandlerState() != POP3Session.TRANSACTION) {
            return SIGN_OFF;
        }
        MaildropLeases.Held lease = session.getAttachment(MaildropLeases.LEASE, State.Connection).orElse(null);
        List<String> marked = session.getAttachment(POP3Session.DELETED_UID_LIST, State.Transaction).orElse(List.of());
        try {
            if (lease != null && lease.lost()) {
                return LOCK_LOST;
            }
            if (marked.isEmpty()) {
                return SIGN_OFF;
            }
            session.getUserMailbox().remove(marked.toArray(String[]::new));
            return SIGN_OFF_DELETED;
        } catch (IOException | RuntimeException e) {
            LOGGER.warn("POP3 QUIT of {}: {} marked messages were not removed: {}",
                    session.getUsername() == null ? "?" : session.getUsername().asString(), marked.size(), e.toString());
            return NOT_REMOVED;
        } finally {
            SessionCleanup.endTransaction(session);
        }
    }

    @Override
    public Collection<String> getImplCommands() {
        return COMMANDS;
    }

    private static Response endSession(POP3Response response) {
        response.setEndSession(true);
        return response.immutable();
    }
}
