package io.mailroom.imap.store;

import java.time.Clock;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.Map;

import javax.mail.Flags;

import org.apache.james.core.quota.QuotaCountLimit;
import org.apache.james.core.quota.QuotaCountUsage;
import org.apache.james.core.quota.QuotaSizeLimit;
import org.apache.james.core.quota.QuotaSizeUsage;
import org.apache.james.events.EventBus;
import org.apache.james.mailbox.MailboxPathLocker;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.SessionProvider;
import org.apache.james.mailbox.events.MailboxIdRegistrationKey;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.exception.ReadOnlyException;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.Quota;
import org.apache.james.mailbox.model.QuotaRoot;
import org.apache.james.mailbox.quota.QuotaManager;
import org.apache.james.mailbox.quota.QuotaRootResolver;
import org.apache.james.mailbox.store.BatchSizes;
import org.apache.james.mailbox.store.MailboxManagerConfiguration;
import org.apache.james.mailbox.store.MailboxReactorUtils;
import org.apache.james.mailbox.store.MailboxSessionMapperFactory;
import org.apache.james.mailbox.store.MessageFactory;
import org.apache.james.mailbox.store.MessageStorer;
import org.apache.james.mailbox.store.NoMailboxPathLocker;
import org.apache.james.mailbox.store.PreDeletionHooks;
import org.apache.james.mailbox.store.StoreMailboxAnnotationManager;
import org.apache.james.mailbox.store.StoreMailboxManager;
import org.apache.james.mailbox.store.StoreMessageManager;
import org.apache.james.mailbox.store.StoreRightManager;
import org.apache.james.mailbox.store.event.EventFactory;
import org.apache.james.mailbox.store.mail.NaiveThreadIdGuessingAlgorithm;
import org.apache.james.mailbox.store.mail.model.impl.MessageParser;
import org.apache.james.mailbox.store.quota.QuotaComponents;
import org.apache.james.mailbox.store.search.MessageSearchIndex;
import org.reactivestreams.Publisher;

import com.google.common.collect.ImmutableSortedMap;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

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
                getLocker(), mailbox, CHECKED_BY_MAILBOX_API, quotas.getQuotaRootResolver(),
                configuration.getBatchSizes(), getStoreRightManager(), getPreDeletionHooks(),
                new MessageStorer.WithoutAttachment(getMapperFactory(), getMessageIdFactory(),
                        new MessageFactory.StoreMessageFactory(), getThreadIdGuessingAlgorithm(), getClock()));
    }

    /**
     * The quotas James checks before an APPEND or COPY: none. mailbox-api refuses a write that would pass the account's
     * quota itself, in the write's transaction ({@code quota-exceeded}, answered {@code NO [OVERQUOTA]} through
     * {@link StoreFailures}), so James's check would cost one more mailbox-api call per APPEND and could still be
     * passed by a concurrent writer. QUOTA and GETQUOTAROOT read the real figures ({@link MailboxApiQuotaManager}).
     */
    static final QuotaManager CHECKED_BY_MAILBOX_API = new QuotaManager() {

        private static final Quotas UNLIMITED = new Quotas(
                Quota.<QuotaCountLimit, QuotaCountUsage>builder().used(QuotaCountUsage.count(0))
                        .computedLimit(QuotaCountLimit.unlimited()).build(),
                Quota.<QuotaSizeLimit, QuotaSizeUsage>builder().used(QuotaSizeUsage.size(0))
                        .computedLimit(QuotaSizeLimit.unlimited()).build());

        @Override
        public Quota<QuotaCountLimit, QuotaCountUsage> getMessageQuota(QuotaRoot quotaRoot) {
            return UNLIMITED.getMessageQuota();
        }

        @Override
        public Quota<QuotaSizeLimit, QuotaSizeUsage> getStorageQuota(QuotaRoot quotaRoot) {
            return UNLIMITED.getStorageQuota();
        }

        @Override
        public Quotas getQuotas(QuotaRoot quotaRoot) {
            return UNLIMITED;
        }

        @Override
        public Publisher<Quotas> getQuotasReactive(QuotaRoot quotaRoot) {
            return Mono.just(UNLIMITED);
        }
    };

    /**
     * A mailbox: keywords are permanent ({@code \*} in PERMANENTFLAGS, RFC 9051 §7.1): mailbox-api keeps any. EXPUNGE
     * is one mailbox-api call ({@link #expungeReactive}).
     */
    static final class MailroomMessageManager extends StoreMessageManager {

        private final MailboxSessionMapperFactory mappers;
        private final EventBus eventBus;

        MailroomMessageManager(EnumSet<MessageCapabilities> capabilities, MailboxSessionMapperFactory mappers,
                               MessageSearchIndex index, EventBus eventBus, MailboxPathLocker locker, Mailbox mailbox,
                               QuotaManager quotaManager, QuotaRootResolver quotaRootResolver, BatchSizes batchSizes,
                               StoreRightManager rightManager, PreDeletionHooks hooks, MessageStorer storer) {
            super(capabilities, mappers, index, eventBus, locker, mailbox, quotaManager, quotaRootResolver, batchSizes,
                    rightManager, hooks, storer);
            this.mappers = mappers;
            this.eventBus = eventBus;
        }

        /**
         * EXPUNGE, CLOSE and UID EXPUNGE (RFC 9051 §6.4.3, RFC 4315 §2.1) in one call: mailbox-api removes the messages
         * of the range that are marked {@code \Deleted} when it runs, under the mailbox's lock, and answers with what it
         * removed. James would search for the marked messages, read their metadata for its pre-deletion hooks (there
         * are none here) range by range, then delete them: three calls or more.
         */
        @Override
        public Flux<MessageUid> expungeReactive(MessageRange set, MailboxSession session) {
            if (!isWriteable(session)) {
                return Flux.error(new ReadOnlyException(getMailboxPath()));
            }
            MailboxApiMessageMapper mapper = (MailboxApiMessageMapper) mappers.getMessageMapper(session);
            Mailbox mailbox = getMailboxEntity();
            return StoreFailures.mono("expunge", () -> mapper.expungeMarked(mailbox, set))
                    .flatMap(removed -> removed.isEmpty() ? Mono.just(removed) : eventBus.dispatch(EventFactory.expunged()
                                    .randomEventId()
                                    .mailboxSession(session)
                                    .mailbox(mailbox)
                                    .metaData(ImmutableSortedMap.copyOf(removed))
                                    .build(), new MailboxIdRegistrationKey(mailbox.getMailboxId()))
                            .thenReturn(removed))
                    .flatMapIterable(Map::keySet);
        }

        @Override
        public Iterator<MessageUid> expunge(MessageRange set, MailboxSession session) throws MailboxException {
            return MailboxReactorUtils.block(expungeReactive(set, session).collectList()).iterator();
        }

        @Override
        public Flags getPermanentFlags(MailboxSession session) {
            Flags flags = super.getPermanentFlags(session);
            flags.add(Flags.Flag.USER);
            return flags;
        }
    }
}
