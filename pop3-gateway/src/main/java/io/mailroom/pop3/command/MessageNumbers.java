package io.mailroom.pop3.command;

import java.util.List;
import java.util.function.BiFunction;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.pop3.POP3Session;
import org.apache.james.protocols.pop3.core.DeleCmdHandler;
import org.apache.james.protocols.pop3.core.ListCmdHandler;
import org.apache.james.protocols.pop3.core.UidlCmdHandler;
import org.apache.james.protocols.pop3.mailbox.MessageMetaData;

import io.mailroom.pop3.Pop3Replies;

/**
 * James's DELE, LIST and UIDL, with a message number outside the session's listing answered {@code -ERR No such
 * message} (RFC 1939 §5: messages are numbered from 1) as RETR and TOP answer it. James 3.8.1 looks up message 0 or a
 * negative number as list index -1 or below, and the exception it gets ends in the log as a stack trace. The whole
 * listing of LIST and UIDL goes out as a {@link ListingResponse} (James's own takes quadratic time to write).
 */
final class MessageNumbers {

    private MessageNumbers() {
    }

    /** DELE (RFC 1939 §5). */
    static DeleCmdHandler dele(MetricFactory metricFactory) {
        return new DeleCmdHandler(metricFactory) {
            @Override
            public Response onCommand(POP3Session session, Request request) {
                return checked(session, request, super::onCommand);
            }
        };
    }

    /** LIST (RFC 1939 §5): without an argument the whole listing, which needs no check. */
    static ListCmdHandler list(MetricFactory metricFactory) {
        return new ListCmdHandler(metricFactory) {
            @Override
            public Response onCommand(POP3Session session, Request request) {
                return ListingResponse.of(checked(session, request, super::onCommand));
            }
        };
    }

    /** UIDL (RFC 1939 §7): without an argument the whole listing, which needs no check. */
    static UidlCmdHandler uidl(MetricFactory metricFactory) {
        return new UidlCmdHandler(metricFactory) {
            @Override
            public Response onCommand(POP3Session session, Request request) {
                return ListingResponse.of(checked(session, request, super::onCommand));
            }
        };
    }

    private static Response checked(POP3Session session, Request request,
                                    BiFunction<POP3Session, Request, Response> james) {
        Integer number = number(request.getArgument());
        if (number != null && session.getHandlerState() == POP3Session.TRANSACTION) {
            List<MessageMetaData> listing = session.getAttachment(POP3Session.UID_LIST, State.Transaction).orElse(List.of());
            if (number < 1 || number > listing.size()) {
                return Pop3Replies.NO_SUCH_MESSAGE;
            }
        }
        return james.apply(session, request);
    }

    /** The message number as James reads it (a lone integer), or null for none or anything else: James answers those. */
    private static Integer number(String argument) {
        if (argument == null || argument.isBlank()) {
            return null;
        }
        try {
            return Integer.valueOf(argument.strip());
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
