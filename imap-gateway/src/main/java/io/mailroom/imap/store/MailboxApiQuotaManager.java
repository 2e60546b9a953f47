package io.mailroom.imap.store;

import org.apache.james.core.Username;
import org.apache.james.core.quota.QuotaCountLimit;
import org.apache.james.core.quota.QuotaCountUsage;
import org.apache.james.core.quota.QuotaSizeLimit;
import org.apache.james.core.quota.QuotaSizeUsage;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.Quota;
import org.apache.james.mailbox.model.QuotaRoot;
import org.apache.james.mailbox.quota.QuotaManager;
import org.apache.james.mailbox.quota.QuotaRootResolver;
import org.reactivestreams.Publisher;

import io.mailroom.mailbox.client.store.MailboxStoreClient;
import io.mailroom.mailbox.client.store.QuotaUsage;

import reactor.core.publisher.Mono;

/**
 * The account's quota (RFC 9208: one root per account, STORAGE and MESSAGE), read from mailbox-api, which counts usage
 * exactly in the transaction of each write. The check James makes before an APPEND or COPY is advisory; mailbox-api
 * makes the binding one and refuses with {@code quota-exceeded} ({@code NO [OVERQUOTA]}).
 */
public class MailboxApiQuotaManager implements QuotaManager {

    private final MailboxStoreClient client;
    private final AccountResolver accounts;
    private final QuotaRootResolver roots;

    public MailboxApiQuotaManager(MailboxStoreClient client, AccountResolver accounts, QuotaRootResolver roots) {
        this.client = client;
        this.accounts = accounts;
        this.roots = roots;
    }

    @Override
    public Quota<QuotaCountLimit, QuotaCountUsage> getMessageQuota(QuotaRoot quotaRoot) throws MailboxException {
        return getQuotas(quotaRoot).getMessageQuota();
    }

    @Override
    public Quota<QuotaSizeLimit, QuotaSizeUsage> getStorageQuota(QuotaRoot quotaRoot) throws MailboxException {
        return getQuotas(quotaRoot).getStorageQuota();
    }

    @Override
    public Quotas getQuotas(QuotaRoot quotaRoot) throws MailboxException {
        Username user = roots.associatedUsername(quotaRoot);
        QuotaUsage usage = StoreFailures.call("read quota", () -> client.quota(accounts.account(user)));
        return toQuotas(usage);
    }

    @Override
    public Publisher<Quotas> getQuotasReactive(QuotaRoot quotaRoot) {
        return StoreFailures.mono("read quota", () -> getQuotas(quotaRoot));
    }

    static Quotas toQuotas(QuotaUsage usage) {
        Quota<QuotaCountLimit, QuotaCountUsage> messages = Quota.<QuotaCountLimit, QuotaCountUsage>builder()
                .used(QuotaCountUsage.count(usage.messagesUsed()))
                .computedLimit(usage.messagesLimit() == null ? QuotaCountLimit.unlimited() : QuotaCountLimit.count(usage.messagesLimit()))
                .build();
        Quota<QuotaSizeLimit, QuotaSizeUsage> storage = Quota.<QuotaSizeLimit, QuotaSizeUsage>builder()
                .used(QuotaSizeUsage.size(usage.storageUsed()))
                .computedLimit(usage.storageLimit() == null ? QuotaSizeLimit.unlimited() : QuotaSizeLimit.size(usage.storageLimit()))
                .build();
        return new Quotas(messages, storage);
    }
}
