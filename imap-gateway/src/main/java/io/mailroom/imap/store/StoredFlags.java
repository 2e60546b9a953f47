package io.mailroom.imap.store;

import java.util.List;

import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.model.UpdatedFlags;

/**
 * What one STORE did ({@link MailboxApiMapperFactory#storeFlags}).
 *
 * @param updated       every message of the set that exists and passed the UNCHANGEDSINCE test, in UID order, with
 *                      its flags before and after and its MODSEQ afterwards (James's {@link UpdatedFlags})
 * @param modified      the UIDs that failed the UNCHANGEDSINCE test and were left alone: IMAP's {@code [MODIFIED …]}
 * @param highestModSeq the mailbox's HIGHESTMODSEQ after the STORE
 */
public record StoredFlags(List<UpdatedFlags> updated, List<MessageUid> modified, ModSeq highestModSeq) {

    public StoredFlags {
        updated = List.copyOf(updated);
        modified = List.copyOf(modified);
    }
}
