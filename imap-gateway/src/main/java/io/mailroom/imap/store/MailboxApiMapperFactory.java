package io.mailroom.imap.store;

import java.util.ArrayList;
import java.util.List;

import javax.mail.Flags;

import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.store.MailboxSessionMapperFactory;
import org.apache.james.mailbox.store.mail.AnnotationMapper;
import org.apache.james.mailbox.store.mail.MailboxMapper;
import org.apache.james.mailbox.store.mail.MessageIdMapper;
import org.apache.james.mailbox.store.mail.MessageMapper;
import org.apache.james.mailbox.store.mail.ModSeqProvider;
import org.apache.james.mailbox.store.mail.UidProvider;
import org.apache.james.mailbox.store.user.SubscriptionMapper;

import io.mailroom.mailbox.client.store.MailboxStoreClient;
import io.mailroom.mailbox.client.store.UidSet;

/**
 * James's store SPI over mailbox-api: the one place where the IMAP engine's reads and writes turn into calls to
 * mailbox-api, one call per IMAP command whatever the number of messages it names, each with a bounded timeout.
 *
 * <p>UIDs and MODSEQs are assigned by mailbox-api, never here, because delivery-service and other replicas write to the
 * same mailboxes: {@link ReadOnlyCounters} only reads them.
 *
 * <p>The mappers of a session share a {@link SessionStore}, which caches what mailbox-api said for the length of one
 * command; {@link #endProcessingRequest} ends the command.
 *
 * <p>Threads: the mappers block on HTTP. They run on the gateway's bounded command pool, never on a Netty I/O thread
 * ({@code io.mailroom.imap.server.OffloadingImapProcessor}).
 */
public class MailboxApiMapperFactory extends MailboxSessionMapperFactory {

    private static final String SESSION_STORE = "MAILROOM_SESSION_STORE";

    private final MailboxStoreClient client;
    private final AccountResolver accounts;
    private final MailboxDirectory directory;
    private final LocalChanges localChanges;
    private final ReadOnlyCounters counters;

    public MailboxApiMapperFactory(MailboxStoreClient client, AccountResolver accounts, MailboxDirectory directory,
                                   LocalChanges localChanges) {
        this.client = client;
        this.accounts = accounts;
        this.directory = directory;
        this.localChanges = localChanges;
        this.counters = new ReadOnlyCounters(client, directory);
    }

    SessionStore store(MailboxSession session) {
        return (SessionStore) session.getAttributes().computeIfAbsent(SESSION_STORE,
                key -> new SessionStore(client, session, accounts, directory, localChanges));
    }

    @Override
    public MailboxMapper createMailboxMapper(MailboxSession session) {
        return new MailboxApiMailboxMapper(session, store(session));
    }

    @Override
    public MessageMapper createMessageMapper(MailboxSession session) {
        return new MailboxApiMessageMapper(store(session));
    }

    @Override
    public MessageIdMapper createMessageIdMapper(MailboxSession session) {
        return new MailboxApiMessageIdMapper(store(session), (MailboxApiMessageMapper) getMessageMapper(session));
    }

    @Override
    public SubscriptionMapper createSubscriptionMapper(MailboxSession session) {
        return new MailboxApiSubscriptionMapper(store(session));
    }

    @Override
    public AnnotationMapper createAnnotationMapper(MailboxSession session) {
        return new MailboxApiAnnotationMapper(store(session));
    }

    @Override
    public UidProvider getUidProvider() {
        return counters;
    }

    @Override
    public ModSeqProvider getModSeqProvider() {
        return counters;
    }

    /**
     * STORE (RFC 9051 §6.4.6) of a whole sequence set in one mailbox-api call, however many ranges it has; with
     * {@code unchangedSince} (RFC 7162 §3.1.3) the test and the change are one atomic step in mailbox-api. James's
     * own path makes one call per range and, for UNCHANGEDSINCE, reads the MODSEQs first and writes after, which lets
     * a concurrent writer (another session, another replica) slip in between.
     *
     * @param ranges         the UIDs, as James's ranges (already translated from sequence numbers)
     * @param unchangedSince the MODSEQ the client holds, or null for an unconditional STORE
     */
    public StoredFlags storeFlags(MailboxSession session, Mailbox mailbox, Flags flags,
                                  MessageManager.FlagsUpdateMode mode, List<MessageRange> ranges, Long unchangedSince)
            throws MailboxException {
        List<UidSet.Range> uids = new ArrayList<>();
        for (MessageRange range : ranges) {
            UidSets.of(range).ifPresent(set -> uids.addAll(set.ranges()));
        }
        if (uids.isEmpty()) {
            return new StoredFlags(List.of(), List.of(), ModSeq.first());
        }
        MailboxApiMessageMapper mapper = (MailboxApiMessageMapper) getMessageMapper(session);
        return mapper.storeFlags(mailbox, FlagsUpdates.toApi(flags, mode), new UidSet(uids), unchangedSince);
    }

    /**
     * The current command of the session will read these UID ranges of the mailbox one after the other (a FETCH of a
     * sequence set of several ranges: James asks the store range by range): the store reads them all in one call.
     */
    public void announceReads(MailboxSession session, MailboxId mailboxId, List<MessageRange> ranges) {
        List<UidSet.Range> uids = new ArrayList<>();
        for (MessageRange range : ranges) {
            UidSets.of(range).ifPresent(set -> uids.addAll(set.ranges()));
        }
        if (uids.size() > 1) {
            store(session).announceReads(ApiMailboxId.value(mailboxId), uids);
        }
    }

    /**
     * The current command of the session reads whole messages and nothing else of them (no ENVELOPE, BODYSTRUCTURE or
     * section other than the whole message): its reads need neither the header block nor the MIME tree. Set at the
     * start of such a FETCH, cleared at its end (and at the end of every command).
     */
    public void wholeMessageReads(MailboxSession session, boolean only) {
        store(session).wholeMessageReads(only);
    }

    /** The end of an IMAP command: nothing read during it is trusted in the next. */
    @Override
    public void endProcessingRequest(MailboxSession session) {
        if (session != null && session.getAttributes().get(SESSION_STORE) instanceof SessionStore store) {
            store.endCommand();
        }
        super.endProcessingRequest(session);
    }
}
