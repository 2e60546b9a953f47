package io.mailroom.imap.store;

import java.time.Clock;
import java.util.EnumSet;

import javax.mail.Flags;

import org.apache.james.events.EventBus;
import org.apache.james.mailbox.MailboxPathLocker;
import org.apache.james.mailbox.quota.QuotaManager;
import org.apache.james.mailbox.quota.QuotaRootResolver;
import org.apache.james.mailbox.store.BatchSizes;
import org.apache.james.mailbox.store.MailboxSessionMapperFactory;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.SessionProvider;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.store.MailboxManagerConfiguration;
import org.apache.james.mailbox.store.MessageFactory;
import org.apache.james.mailbox.store.MessageStorer;
import org.apache.james.mailbox.store.NoMailboxPathLocker;
import org.apache.james.mailbox.store.PreDeletionHooks;
import org.apache.james.mailbox.store.StoreMailboxAnnotationManager;
import org.apache.james.mailbox.store.StoreMailboxManager;
import org.apache.james.mailbox.store.StoreMessageManager;
import org.apache.james.mailbox.store.StoreRightManager;
import org.apache.james.mailbox.store.mail.NaiveThreadIdGuessingAlgorithm;
import org.apache.james.mailbox.store.mail.model.impl.MessageParser;
import org.apache.james.mailbox.store.quota.QuotaComponents;
import org.apache.james.mailbox.store.search.MessageSearchIndex;

/**
 * James's store over mailbox-api, with what it offers declared: MOVE in one call, NAMESPACE, keywords, METADATA and
 * QUOTA on mailbox-api, and stable message ids (OBJECTID). ACL is not offered: mailbox-api has no shared mailboxes.
 *
 * <p>No path locking: a JVM lock would not be seen by other replicas or by delivery-service; mailbox-api serialises
 * writes to a mailbox itself. Threads are never guessed here: mailbox-api assigns them at filing.
 */
public class MailroomMailboxManager extends StoreMailboxManager {

    private static final EnumSet<MailboxCapabilities> MAILBOX_CAPABILITIES = EnumSet.of(MailboxCapabilities.Move,
            MailboxCapabilities.Namespace, MailboxCapabilities.UserFlag, MailboxCapabilities.Annotation,
            MailboxCapabilities.Quota);
    private static final EnumSet<MessageCapabilities> MESSAGE_CAPABILITIES = EnumSet.of(MessageCapabilities.UniqueID);

    private final QuotaComponents quotas;

    public MailroomMailboxManager(MailboxApiMapperFactory mappers, SessionProvider sessionProvider, EventBus eventBus,
                                  StoreRightManager rightManager, QuotaComponents quotas, MessageSearchIndex searchIndex) {
        super(mappers, sessionProvider, new NoMailboxPathLocker(), new MessageParser(), new ApiMessageId.Factory(),
                new StoreMailboxAnnotationManager(mappers, rightManager), eventBus, rightManager, quotas, searchIndex,
                MailboxManagerConfiguration.DEFAULT, PreDeletionHooks.NO_PRE_DELETION_HOOK,
                new NaiveThreadIdGuessingAlgorithm(), Clock.systemUTC());
        this.quotas = quotas;
    }

    @Override
    public EnumSet<MailboxCapabilities> getSupportedMailboxCapabilities() {
        return MAILBOX_CAPABILITIES;
    }

    @Override
    public EnumSet<MessageCapabilities> getSupportedMessageCapabilities() {
        return MESSAGE_CAPABILITIES;
    }

    @Override
    protected StoreMessageManager createMessageManager(Mailbox mailbox, MailboxSession session) {
        return new MailroomMessageManager(MESSAGE_CAPABILITIES, getMapperFactory(), getMessageSearchIndex(), getEventBus(),
                getLocker(), mailbox, quotas.getQuotaManager(), quotas.getQuotaRootResolver(),
                configuration.getBatchSizes(), getStoreRightManager(), getPreDeletionHooks(),
                new MessageStorer.WithoutAttachment(getMapperFactory(), getMessageIdFactory(),
                        new MessageFactory.StoreMessageFactory(), getThreadIdGuessingAlgorithm(), getClock()));
    }

    /** A mailbox: keywords are permanent ({@code \*} in PERMANENTFLAGS, RFC 9051 §7.1): mailbox-api keeps any. */
    static final class MailroomMessageManager extends StoreMessageManager {

        MailroomMessageManager(EnumSet<MessageCapabilities> capabilities, MailboxSessionMapperFactory mappers,
                               MessageSearchIndex index, EventBus eventBus, MailboxPathLocker locker, Mailbox mailbox,
                               QuotaManager quotaManager, QuotaRootResolver quotaRootResolver, BatchSizes batchSizes,
                               StoreRightManager rightManager, PreDeletionHooks hooks, MessageStorer storer) {
            super(capabilities, mappers, index, eventBus, locker, mailbox, quotaManager, quotaRootResolver, batchSizes,
                    rightManager, hooks, storer);
        }

        @Override
        public Flags getPermanentFlags(MailboxSession session) {
            Flags flags = super.getPermanentFlags(session);
            flags.add(Flags.Flag.USER);
            return flags;
        }
    }
}
