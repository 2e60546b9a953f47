package io.mailroom.mailbox.message;

import java.time.Instant;
import java.util.List;

/** A message in a listing. {@code from} is the sender's address. */
public record MessageSummaryResponse(long id, long mailboxId, long uid, long modSeq, long size, Instant internalDate,
                                     List<String> flags, String subject, String from) {
}
