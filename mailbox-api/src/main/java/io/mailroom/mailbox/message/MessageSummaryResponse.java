package io.mailroom.mailbox.message;

import java.time.Instant;
import java.util.List;

/** A message in a listing. {@code from} is the sender's address. */
public record MessageSummaryResponse(long id, long uid, long modSeq, long size, Instant internalDate,
                                     List<String> flags, String subject, String from) {

    static MessageSummaryResponse of(Message message) {
        return new MessageSummaryResponse(message.id(), message.uid(), message.modseq(), message.size(),
                message.internalDate(), MessageFlags.names(message.flags(), message.keywords()),
                message.subject(), message.fromAddress());
    }
}
