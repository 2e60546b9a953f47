package io.mailroom.smtp.server;

import java.io.IOException;
import java.io.OutputStream;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import io.mailroom.protocol.server.Framing;
import io.mailroom.smtp.SmtpReply;
import io.mailroom.smtp.session.TransactionOptions;
import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.CommandHandler;
import org.apache.james.protocols.api.handler.LineHandler;
import org.apache.james.protocols.smtp.MailEnvelope;
import org.apache.james.protocols.smtp.SMTPSession;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * BDAT (RFC 3030 CHUNKING): {@code BDAT <size> [LAST]} followed by exactly {@code size} bytes of the message,
 * taken as they are: no dot-stuffing, no end marker, so no line ending can end the message early. The reply
 * comes after the chunk: {@code 250 2.0.0 <size> octets received}, and after the LAST chunk what the message
 * hooks answer (queued, or why not). A refused BDAT's chunk is read and dropped all the same (RFC 3030 2),
 * so that the client's next command is read as one.
 */
final class BdatCmdHandler implements CommandHandler<SMTPSession> {

    private static final Logger log = LoggerFactory.getLogger(BdatCmdHandler.class);
    /** The message of a transaction that BDAT is taking in; not James's DATA envelope, which means "in DATA". */
    static final ProtocolSession.AttachmentKey<MailEnvelope> ENVELOPE =
            ProtocolSession.AttachmentKey.of("mailroom.bdatEnvelope", MailEnvelope.class);

    private final MessageBuffer buffer;
    private final DataEndHandler delivery;
    private final long maxMessageSize;

    BdatCmdHandler(MessageBuffer buffer, DataEndHandler delivery, long maxMessageSize) {
        this.buffer = buffer;
        this.delivery = delivery;
        this.maxMessageSize = maxMessageSize;
    }

    @Override
    public Collection<String> getImplCommands() {
        return Set.of("BDAT");
    }

    @Override
    public Response onCommand(SMTPSession session, Request request) {
        String[] arguments = request.getArgument() == null ? new String[0] : request.getArgument().trim().split("\\s+");
        long size;
        try {
            size = Long.parseLong(arguments[0]);
        } catch (RuntimeException e) {
            return SmtpReply.BDAT_SYNTAX.response();
        }
        boolean last = arguments.length == 2 && arguments[1].toUpperCase(Locale.ROOT).equals("LAST");
        if (size < 0 || arguments.length > 2 || (arguments.length == 2 && !last)) {
            return SmtpReply.BDAT_SYNTAX.response();
        }
        Framing.rawBytesFollow(session, size);

        Response refusal = refusal(session);
        if (refusal != null) {
            return afterChunk(session, size, null, () -> refusal);
        }
        TransactionOptions.of(session).chunking(true);
        MailEnvelope envelope = session.getAttachment(ENVELOPE, ProtocolSession.State.Transaction).orElseGet(() -> {
            MailEnvelope created = buffer.newEnvelope(
                    session.getAttachment(SMTPSession.SENDER, ProtocolSession.State.Transaction).orElse(MaybeSender.nullSender()),
                    session.getAttachment(SMTPSession.RCPT_LIST, ProtocolSession.State.Transaction).orElse(List.<MailAddress>of()));
            session.setAttachment(ENVELOPE, created, ProtocolSession.State.Transaction);
            MessageBuffer.track(session, created);
            return created;
        });
        if (envelope.getSize() + size > maxMessageSize) {
            return afterChunk(session, size, null, () -> fail(session, envelope, SmtpReply.MESSAGE_TOO_BIG.response()));
        }
        OutputStream out;
        try {
            out = envelope.getMessageOutputStream();
        } catch (IOException e) {
            log.error("Cannot buffer a BDAT chunk", e);
            return afterChunk(session, size, null, () -> fail(session, envelope, SmtpReply.LOCAL_ERROR.response()));
        }
        return afterChunk(session, size, out, () -> {
            if (!last) {
                return SmtpReply.chunkReceived(size).response();
            }
            try {
                out.close();
            } catch (IOException e) {
                return fail(session, envelope, SmtpReply.LOCAL_ERROR.response());
            }
            Response response = delivery.deliver(session, envelope);
            session.resetState();
            return response;
        });
    }

    private static Response refusal(SMTPSession session) {
        if (session.getAttachment(SMTPSession.SENDER, ProtocolSession.State.Transaction).isEmpty()) {
            return SmtpReply.MAIL_FIRST.response();
        }
        if (session.getAttachment(SMTPSession.RCPT_LIST, ProtocolSession.State.Transaction).map(List::isEmpty).orElse(true)) {
            return SmtpReply.RCPT_FIRST.response();
        }
        return null;
    }

    /** RFC 3030 2: after an error the whole transaction is void. */
    private static Response fail(SMTPSession session, MailEnvelope envelope, Response response) {
        MessageBuffer.release(envelope);
        session.resetState();
        return response;
    }

    /**
     * Takes in the chunk's {@code size} bytes (written to {@code out} when there is one, else dropped), then
     * answers with what {@code reply} says.
     */
    private static Response afterChunk(SMTPSession session, long size, OutputStream out, java.util.function.Supplier<Response> reply) {
        if (size == 0) {
            return reply.get();
        }
        long[] remaining = {size};
        boolean[] failed = {false};
        session.pushLineHandler((LineHandler<SMTPSession>) (s, chunk) -> {
            remaining[0] -= chunk.length;
            if (out != null && !failed[0]) {
                try {
                    out.write(chunk);
                } catch (IOException e) {
                    log.error("Cannot buffer a BDAT chunk", e);
                    failed[0] = true;
                }
            }
            if (remaining[0] > 0) {
                return null;
            }
            s.popLineHandler();
            if (failed[0]) {
                s.getAttachment(ENVELOPE, ProtocolSession.State.Transaction).ifPresent(MessageBuffer::release);
                s.resetState();
                return SmtpReply.LOCAL_ERROR.response();
            }
            return reply.get();
        });
        return null;
    }
}
