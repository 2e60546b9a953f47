package io.mailroom.imap.conformance;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.james.core.Username;
import org.apache.james.core.quota.QuotaCountLimit;
import org.apache.james.core.quota.QuotaSizeLimit;
import org.apache.james.events.EventBus;
import org.apache.james.events.InVMEventBus;
import org.apache.james.events.MemoryEventDeadLetters;
import org.apache.james.events.RetryBackoffConfiguration;
import org.apache.james.events.delivery.InVmEventDelivery;
import org.apache.james.imap.encode.main.DefaultImapEncoderFactory;
import org.apache.james.imap.main.DefaultImapDecoderFactory;
import org.apache.james.imap.processor.main.DefaultImapProcessorFactory;
import org.apache.james.mailbox.Authenticator;
import org.apache.james.mailbox.Authorizator;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.acl.UnionMailboxACLResolver;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.store.SessionProviderImpl;
import org.apache.james.mailbox.store.StoreRightManager;
import org.apache.james.mailbox.store.StoreSubscriptionManager;
import org.apache.james.mailbox.store.quota.DefaultUserQuotaRootResolver;
import org.apache.james.mailbox.store.quota.NoMaxQuotaManager;
import org.apache.james.mailbox.store.quota.QuotaComponents;
import org.apache.james.metrics.logger.DefaultMetricFactory;
import org.apache.james.mpt.api.ImapFeatures;
import org.apache.james.mpt.api.ImapFeatures.Feature;
import org.apache.james.mpt.host.JamesImapHostSystem;

import io.mailroom.imap.auth.MailboxApiAuthenticator;
import io.mailroom.imap.auth.SelfOnlyAuthorizator;
import io.mailroom.imap.server.ExpungeRecords;
import io.mailroom.imap.server.OffloadingImapProcessor;
import io.mailroom.imap.store.AccountResolver;
import io.mailroom.imap.store.LocalChanges;
import io.mailroom.imap.store.MailboxApiMapperFactory;
import io.mailroom.imap.store.MailboxApiQuotaManager;
import io.mailroom.imap.store.MailboxApiSearchIndex;
import io.mailroom.imap.store.MailboxDirectory;
import io.mailroom.imap.store.MailroomMailboxManager;
import io.mailroom.imap.store.RoleMailboxTyper;
import io.mailroom.imap.support.RealMailboxApi;

import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * James's IMAP engine as imap-gateway assembles it (the store SPI over mailbox-api, the processor chain run on a
 * bounded pool), against the real mailbox-api on PostgreSQL, for James's IMAP protocol scripts.
 *
 * <p>Each test gets its own domain, so the scripts' user {@code imapuser} is a fresh account every time: logins map
 * {@code imapuser} to {@code imapuser@<domain>} ({@link AccountResolver}'s default domain). mailbox-api refuses the
 * scripts' password ("password") as too weak, so the account gets a strong one, which the host hands to mailbox-api in
 * its place: LOGIN still goes to mailbox-api. The default mailboxes mailbox-api makes with each account (all but INBOX)
 * are removed, since the scripts expect none.
 *
 * <p>Like James's own test host (whose user repository names {@code imapuser} its administrator), {@code imapuser} may
 * act as another user (AUTHENTICATE PLAIN with an authorization identity); the gateway itself allows no delegation.
 */
public class MailroomImapHostSystem extends JamesImapHostSystem {

    static final ImapFeatures FEATURES = ImapFeatures.of(Feature.NAMESPACE_SUPPORT, Feature.MOVE_SUPPORT,
            Feature.USER_FLAGS_SUPPORT, Feature.ANNOTATION_SUPPORT, Feature.MOD_SEQ_SEARCH, Feature.QUOTA_SUPPORT);

    private static final Username ADMINISTRATOR = Username.of("imapuser");
    private static final Scheduler COMMANDS = Schedulers.newBoundedElastic(16, 10_000, "imap-command-test", 60, true);

    private final RealMailboxApi mailboxApi = RealMailboxApi.shared();
    private final String domain = RealMailboxApi.uniqueDomain("mpt");
    private final Map<String, String> strongPasswords = new ConcurrentHashMap<>();
    private final Set<Username> users = ConcurrentHashMap.newKeySet();
    private MailroomMailboxManager mailboxManager;
    /** The limits {@link #setQuotaLimits} asked for: storage in bytes, messages; applied to every account made. */
    private volatile long[] quotaLimits;

    /** A host ready for a test: James's suites never call {@link #beforeTest} themselves. */
    static MailroomImapHostSystem started() {
        MailroomImapHostSystem system = new MailroomImapHostSystem();
        try {
            system.beforeTest();
        } catch (Exception e) {
            throw new IllegalStateException("cannot set up the IMAP host", e);
        }
        return system;
    }

    @Override
    public void beforeTest() throws Exception {
        super.beforeTest();
        AccountResolver accounts = new AccountResolver(domain);
        MailboxDirectory directory = new MailboxDirectory();
        MailboxApiAuthenticator checker = new MailboxApiAuthenticator(mailboxApi.api(), accounts, directory);
        Authenticator authenticator = (user, password) -> checker.isAuthentic(user,
                strongPasswords.getOrDefault(user.asString() + "\u0000" + password, password.toString()));
        SelfOnlyAuthorizator selfOnly = new SelfOnlyAuthorizator();
        Authorizator administrator = (user, other) -> user.equals(ADMINISTRATOR)
                ? Authorizator.AuthorizationState.ALLOWED
                : selfOnly.canLoginAsOtherUser(user, other);
        SessionProviderImpl sessions = new SessionProviderImpl(authenticator, administrator);
        MailboxApiMapperFactory mappers = new MailboxApiMapperFactory(mailboxApi.store(), accounts, directory, new LocalChanges());
        DefaultMetricFactory metrics = new DefaultMetricFactory();
        EventBus eventBus = new InVMEventBus(new InVmEventDelivery(metrics), RetryBackoffConfiguration.DEFAULT,
                new MemoryEventDeadLetters());
        StoreRightManager rights = new StoreRightManager(mappers, new UnionMailboxACLResolver(), eventBus);
        DefaultUserQuotaRootResolver roots = new DefaultUserQuotaRootResolver(sessions, mappers);
        QuotaComponents quotas = new QuotaComponents(new NoMaxQuotaManager(),
                new MailboxApiQuotaManager(mailboxApi.store(), accounts, roots), roots);
        mailboxManager = new MailroomMailboxManager(mappers, sessions, eventBus, rights, quotas, new MailboxApiSearchIndex(mappers));
        StoreSubscriptionManager subscriptions = new StoreSubscriptionManager(mappers, mappers, eventBus);

        configure(new DefaultImapDecoderFactory().buildImapDecoder(),
                new DefaultImapEncoderFactory().buildImapEncoder(),
                new OffloadingImapProcessor(DefaultImapProcessorFactory.createXListSupportingProcessor(mailboxManager,
                        eventBus, subscriptions, new RoleMailboxTyper(mappers), quotas.getQuotaManager(),
                        quotas.getQuotaRootResolver(), metrics), COMMANDS, mailboxManager, false, mailboxManager, eventBus,
                metrics, new ExpungeRecords(mailboxApi.store(), accounts), null));
    }

    @Override
    public boolean addUser(Username user, String password) {
        String strong = RealMailboxApi.strongPassword();
        mailboxApi.createAccount(user.asString() + "@" + domain, strong, true);
        users.add(user);
        long[] limits = quotaLimits;
        if (limits != null) {
            mailboxApi.setQuota(user.asString() + "@" + domain, limits[0], limits[1]);
        }
        strongPasswords.put(user.asString() + "\u0000" + password, strong);
        return true;
    }

    /** Some suites give another user a mailbox: that user needs an account first. */
    @Override
    public void createMailbox(MailboxPath mailboxPath) throws Exception {
        if (!users.contains(mailboxPath.getUser())) {
            addUser(mailboxPath.getUser(), RealMailboxApi.strongPassword());
        }
        super.createMailbox(mailboxPath);
    }

    @Override
    protected MailboxManager getMailboxManager() {
        return mailboxManager;
    }

    @Override
    public boolean supports(Feature... features) {
        return FEATURES.supports(features);
    }

    @Override
    public void setQuotaLimits(QuotaCountLimit maxMessageQuota, QuotaSizeLimit maxStorageQuota) {
        // the suites set limits before their user logs in, which is when the account is made
        quotaLimits = new long[] {maxStorageQuota.asLong(), maxMessageQuota.asLong()};
        users.forEach(user -> mailboxApi.setQuota(user.asString() + "@" + domain, maxStorageQuota.asLong(),
                maxMessageQuota.asLong()));
    }

    @Override
    protected void await() {
        // James's in-VM event bus delivers synchronously: nothing to wait for
    }
}
