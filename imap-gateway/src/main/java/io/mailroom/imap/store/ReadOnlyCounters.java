package io.mailroom.imap.store;

import java.util.Optional;

import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.exception.MailboxNotFoundException;
import org.apache.james.mailbox.exception.UnsupportedOperationException;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.store.mail.ModSeqProvider;
import org.apache.james.mailbox.store.mail.UidProvider;

import io.mailroom.mailbox.client.store.MailboxInfo;
import io.mailroom.mailbox.client.store.MailboxStoreClient;

/**
 * UIDs and MODSEQs as mailbox-api assigned them (DESIGN.md "Mailbox semantics"): readable here, never allocated. An
 * allocation would have to happen in mailbox-api's transaction, under its lock, since delivery-service writes to the
 * same mailboxes; every write call of the store answers with the UID and MODSEQ it took, so nothing here asks for one.
 */
final class ReadOnlyCounters implements UidProvider, ModSeqProvider {

    private final MailboxStoreClient client;
    private final MailboxDirectory directory;

    ReadOnlyCounters(MailboxStoreClient client, MailboxDirectory directory) {
        this.client = client;
        this.directory = directory;
    }

    @Override
    public MessageUid nextUid(Mailbox mailbox) throws MailboxException {
        throw refused("UID");
    }

    @Override
    public MessageUid nextUid(MailboxId mailboxId) throws MailboxException {
        throw refused("UID");
    }

    @Override
    public Optional<MessageUid> lastUid(Mailbox mailbox) throws MailboxException {
        long uidNext = info(mailbox.getMailboxId()).uidNext();
        return uidNext > 1 ? Optional.of(MessageUid.of(uidNext - 1)) : Optional.empty();
    }

    @Override
    public ModSeq nextModSeq(Mailbox mailbox) throws MailboxException {
        throw refused("MODSEQ");
    }

    @Override
    public ModSeq nextModSeq(MailboxId mailboxId) throws MailboxException {
        throw refused("MODSEQ");
    }

    @Override
    public ModSeq highestModSeq(Mailbox mailbox) throws MailboxException {
        return highestModSeq(mailbox.getMailboxId());
    }

    @Override
    public ModSeq highestModSeq(MailboxId mailboxId) throws MailboxException {
        return ModSeq.of(info(mailboxId).highestModSeq());
    }

    private MailboxInfo info(MailboxId mailboxId) throws MailboxException {
        long id = ApiMailboxId.value(mailboxId);
        String account = directory.accountOf(id).orElseThrow(() -> new MailboxNotFoundException(mailboxId));
        return StoreFailures.call("read mailbox", () -> client.mailbox(account, id))
                .orElseThrow(() -> new MailboxNotFoundException(mailboxId));
    }

    private static UnsupportedOperationException refused(String what) {
        return new UnsupportedOperationException("mailbox-api assigns every " + what + "; imap-gateway never allocates one");
    }
}
