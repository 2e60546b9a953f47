package io.mailroom.pop3.retrieval;

import java.util.List;

import io.netty.buffer.ByteBuf;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.ProtocolSession.State;
import org.apache.james.protocols.pop3.POP3Session;
import org.apache.james.protocols.pop3.mailbox.MessageMetaData;

import io.mailroom.protocol.server.InlineCommands;

/**
 * POP3's lines that need no waiting: {@code RETR n} in the TRANSACTION state when message n has been read ahead
 * ({@link ReadAhead#ready}) and the session may stage one more message. Such a RETR runs on the I/O thread, which
 * spares the two thread hand-offs that were most of its latency (a client reading a maildrop sends one RETR after
 * another and waits for each). Anything else, a RETR whose message is still on its way included, goes to the
 * handler threads as every line did before. Only the plain form {@code RETR <digits>} is looked at: an unusual line
 * gets its answer (an error, most likely) from the handler threads.
 */
public final class RetrAtOnce implements InlineCommands {

    private static final int MAX_DIGITS = 9;

    private final ReadAhead readAhead;

    public RetrAtOnce(ReadAhead readAhead) {
        this.readAhead = readAhead;
    }

    @Override
    public boolean answersAtOnce(ProtocolSession session, ByteBuf line) {
        if (!(session instanceof POP3Session pop3) || pop3.getHandlerState() != POP3Session.TRANSACTION) {
            return false;
        }
        int number = retrNumber(line);
        if (number < 1) {
            return false;
        }
        List<MessageMetaData> listing = pop3.getAttachment(POP3Session.UID_LIST, State.Transaction).orElse(List.of());
        if (number > listing.size()) {
            return false;
        }
        String uid = listing.get(number - 1).getUid();
        List<String> deleted = pop3.getAttachment(POP3Session.DELETED_UID_LIST, State.Transaction).orElse(List.of());
        return !deleted.contains(uid) && SessionSpools.hasRoom(pop3) && readAhead.ready(pop3, uid);
    }

    /** n of a line {@code RETR n} (any case, one space, 1 to 9 digits, CRLF or LF); -1 for any other line. */
    static int retrNumber(ByteBuf line) {
        int start = line.readerIndex();
        int end = line.writerIndex();
        if (end > start && line.getByte(end - 1) == '\n') {
            end--;
        }
        if (end > start && line.getByte(end - 1) == '\r') {
            end--;
        }
        int digits = end - start - 5;
        if (digits < 1 || digits > MAX_DIGITS || (line.getByte(start) | 0x20) != 'r' || (line.getByte(start + 1) | 0x20) != 'e'
                || (line.getByte(start + 2) | 0x20) != 't' || (line.getByte(start + 3) | 0x20) != 'r'
                || line.getByte(start + 4) != ' ') {
            return -1;
        }
        int number = 0;
        for (int i = start + 5; i < end; i++) {
            byte b = line.getByte(i);
            if (b < '0' || b > '9') {
                return -1;
            }
            number = number * 10 + (b - '0');
        }
        return number;
    }
}
