package io.mailroom.mailbox.message;

import java.time.Instant;
import java.util.List;

/**
 * One message's metadata. The bytes themselves are at {@code …/raw}.
 *
 * @param flags      system flags (IMAP spelling) and keywords
 * @param messageId  the Message-ID header
 * @param headerSize bytes of the header block, blank line included
 * @param bodyLines  lines in the body
 */
public record MessageResponse(long id, long mailboxId, long uid, long modSeq, long size, Instant internalDate,
                              Instant saveDate, List<String> flags, String subject, String from, String fromName,
                              String messageId, int headerSize, int bodyLines) {

    static MessageResponse of(Message message) {
        return new MessageResponse(message.id(), message.mailboxId(), message.uid(), message.modseq(), message.size(),
                message.internalDate(), message.saveDate(), MessageFlags.names(message.flags(), message.keywords()),
                message.subject(), message.fromAddress(), message.fromName(), message.messageIdHeader(),
                message.headerSize(), message.bodyLines());
    }
}
