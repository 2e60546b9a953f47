package io.mailroom.imap.store;

import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.store.MailboxSessionMapperFactory;
import org.apache.james.mailbox.store.mail.AnnotationMapper;
import org.apache.james.mailbox.store.mail.MailboxMapper;
import org.apache.james.mailbox.store.mail.MessageIdMapper;
import org.apache.james.mailbox.store.mail.MessageMapper;
import org.apache.james.mailbox.store.mail.ModSeqProvider;
import org.apache.james.mailbox.store.mail.UidProvider;
import org.apache.james.mailbox.store.user.SubscriptionMapper;

import io.mailroom.mailbox.client.store.MailboxStoreClient;

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

    /** The end of an IMAP command: nothing read during it is trusted in the next. */
    @Override
    public void endProcessingRequest(MailboxSession session) {
        if (session != null && session.getAttributes().get(SESSION_STORE) instanceof SessionStore store) {
            store.endCommand();
        }
        super.endProcessingRequest(session);
    }
}
