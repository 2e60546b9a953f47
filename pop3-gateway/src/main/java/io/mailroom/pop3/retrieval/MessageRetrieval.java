package io.mailroom.pop3.retrieval;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;

import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.pop3.POP3Response;
import org.apache.james.protocols.pop3.POP3Session;
import org.apache.james.protocols.pop3.mailbox.MessageMetaData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mailroom.mailbox.client.MailboxApiException;
import io.mailroom.mailbox.client.MailboxApiUnavailableException;
import io.mailroom.pop3.Pop3Replies;
import io.mailroom.pop3.maildrop.MessageGoneException;
import io.mailroom.protocol.server.InlineCommands;

/**
 * What RETR and TOP share (RFC 1939 §7): the message number checked against the session's listing, the
 * message staged by {@link MessageSpool}, and the answers for what can go wrong. mailbox-api unreachable is
 * {@code [SYS/TEMP]}, never "no such message", which would make some clients forget the message.
 */
public final class MessageRetrieval {

    private static final Logger LOGGER = LoggerFactory.getLogger(MessageRetrieval.class);
    private static final int MAX_DIGITS = 9;

    static final Response RETR_USAGE = Pop3Replies.err("Usage: RETR message-number").immutable();
    static final Response TOP_USAGE = Pop3Replies.err("Usage: TOP message-number lines").immutable();
    static final Response CLIENT_NOT_READING;

    static {
        POP3Response response = Pop3Replies.err(Pop3Replies.SYS_TEMP + " The previous answers were not read in time");
        response.setEndSession(true);
        CLIENT_NOT_READING = response.immutable();
    }

    private final MessageSpool spool;
    private final ReadAhead readAhead;
    private final Duration clientReadLimit;
    private final Duration readAheadWait;

    /**
     * @param readAhead       the messages read ahead for RETR; null for none
     * @param clientReadLimit how long a command may wait for the client to read earlier answers (the idle timeout)
     * @param readAheadWait   how long RETR waits for a message still being read ahead before it reads it itself
     */
    public MessageRetrieval(MessageSpool spool, ReadAhead readAhead, Duration clientReadLimit, Duration readAheadWait) {
        this.spool = spool;
        this.readAhead = readAhead;
        this.clientReadLimit = clientReadLimit;
        this.readAheadWait = readAheadWait;
    }

    Response retr(POP3Session session, String argument) {
        String[] words = words(argument);
        if (words.length != 1 || !isNumber(words[0])) {
            return session.getHandlerState() == POP3Session.TRANSACTION ? RETR_USAGE : Pop3Replies.NOT_IN_TRANSACTION;
        }
        Response response = retrieve(session, Long.parseLong(words[0]), MessageSpool.WHOLE_MESSAGE);
        if (readAhead != null && response instanceof MessageResponse) {
            // the client reads this message while the next ones are fetched
            readAhead.after(session, Integer.parseInt(words[0]) - 1);
        }
        return response;
    }

    Response top(POP3Session session, String argument) {
        String[] words = words(argument);
        if (words.length != 2 || !isNumber(words[0]) || !isNumber(words[1])) {
            return session.getHandlerState() == POP3Session.TRANSACTION ? TOP_USAGE : Pop3Replies.NOT_IN_TRANSACTION;
        }
        return retrieve(session, Long.parseLong(words[0]), Integer.parseInt(words[1]));
    }

    private Response retrieve(POP3Session session, long number, int bodyLines) {
        if (session.getHandlerState() != POP3Session.TRANSACTION) {
            return Pop3Replies.NOT_IN_TRANSACTION;
        }
        List<MessageMetaData> listing = session.getAttachment(POP3Session.UID_LIST, State.Transaction).orElse(List.of());
        if (number < 1 || number > listing.size()) {
            return Pop3Replies.NO_SUCH_MESSAGE;
        }
        MessageMetaData message = listing.get((int) number - 1);
        List<String> deleted = session.getAttachment(POP3Session.DELETED_UID_LIST, State.Transaction).orElse(List.of());
        if (deleted.contains(message.getUid())) {
            return Pop3Replies.err("Message " + number + " is deleted");
        }
        SessionSpools spools = SessionSpools.of(session);
        // on the I/O thread (RetrAtOnce saw the message ready): nothing here may wait
        boolean inline = InlineCommands.runningInline();
        try {
            if (!spools.awaitRoom(inline ? Duration.ZERO : clientReadLimit)) {
                if (inline) {
                    return notAtOnce(number);
                }
                LOGGER.info("POP3 client did not read its answers for {}: closing the session", clientReadLimit);
                return CLIENT_NOT_READING;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Pop3Replies.MAILBOX_UNAVAILABLE;
        }
        SpooledMessage[] staged = new SpooledMessage[1];
        if (readAhead != null && bodyLines == MessageSpool.WHOLE_MESSAGE) {
            staged[0] = readAhead.take(session, (int) number - 1, message.getUid(), inline ? Duration.ZERO : readAheadWait,
                    spools::closed);
        }
        if (staged[0] == null && inline) {
            spools.giveBack();
            return notAtOnce(number);
        }
        try {
            if (staged[0] == null) {
                InputStream source = session.getUserMailbox().getMessage(message.getUid());
                staged[0] = spool.spool(source, message.getSize(), bodyLines, () -> spools.closed(staged[0]));
            }
        } catch (MessageGoneException e) {
            spools.giveBack();
            return Pop3Replies.err("Message " + number + " no longer exists");
        } catch (MailboxApiUnavailableException | MailboxApiException | IOException e) {
            spools.giveBack();
            LOGGER.warn("POP3 {} of message {} failed: {}", bodyLines == MessageSpool.WHOLE_MESSAGE ? "RETR" : "TOP",
                    message.getUid(), e.toString());
            return Pop3Replies.MAILBOX_UNAVAILABLE;
        } catch (RuntimeException | Error e) {
            spools.giveBack();
            throw e;
        }
        spools.track(staged[0]);
        String text = bodyLines == MessageSpool.WHOLE_MESSAGE ? message.getSize() + " octets" : "Top of message follows";
        return new MessageResponse(text, staged[0]);
    }

    /**
     * RETR was run on the I/O thread because its message was ready, and now it is not (the session is closing under
     * it): a temporary failure rather than a wait there.
     */
    private static Response notAtOnce(long number) {
        LOGGER.warn("POP3 RETR of message {} found it no longer ready on the I/O thread: answered [SYS/TEMP]", number);
        return Pop3Replies.MAILBOX_UNAVAILABLE;
    }

    private static String[] words(String argument) {
        return argument == null || argument.isBlank() ? new String[0] : argument.strip().split(" +");
    }

    private static boolean isNumber(String word) {
        if (word.isEmpty() || word.length() > MAX_DIGITS) {
            return false;
        }
        for (int i = 0; i < word.length(); i++) {
            if (word.charAt(i) < '0' || word.charAt(i) > '9') {
                return false;
            }
        }
        return true;
    }
}
