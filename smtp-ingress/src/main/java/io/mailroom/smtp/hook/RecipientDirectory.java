package io.mailroom.smtp.hook;

import java.time.Duration;
import java.util.Locale;

import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.LoadingCache;
import com.github.benmanes.caffeine.cache.Ticker;
import io.mailroom.mailbox.client.MailboxApiClient;
import io.mailroom.mailbox.client.RecipientResolution;

/**
 * mailbox-api's answers about recipient addresses, kept for a short while: an MTA delivering a mailing list
 * asks about the same addresses over and over, and each RCPT would otherwise be an HTTP round trip.
 *
 * <p>An answer older than {@code timeToLive} is still given while a fresh one is fetched in the background
 * (refresh-ahead), so a busy mailbox-api (filing a message for 100 recipients, say) does not stall RCPTs. When that
 * refresh fails the old answer stays in use for at most {@code staleFor} more; after that, or for an address never
 * asked about before, the failure reaches the client as {@code 451 4.4.3}. Failures themselves are never kept.
 */
public final class RecipientDirectory {

    private final MailboxApiClient mailboxApi;
    private final LoadingCache<String, RecipientResolution> answers;
    private final boolean caching;

    public RecipientDirectory(MailboxApiClient mailboxApi, Duration timeToLive, int maxEntries) {
        this(mailboxApi, timeToLive, Duration.ZERO, maxEntries, Ticker.systemTicker(), Runnable::run);
    }

    /**
     * @param timeToLive how long an answer is used before it is refreshed; zero asks mailbox-api every time
     * @param staleFor   how much longer an answer may be used while refreshing it fails
     * @param executor   where refreshes run
     */
    public RecipientDirectory(MailboxApiClient mailboxApi, Duration timeToLive, Duration staleFor, int maxEntries,
                              Ticker ticker, java.util.concurrent.Executor executor) {
        this.mailboxApi = mailboxApi;
        this.caching = !timeToLive.isZero() && maxEntries > 0;
        Caffeine<Object, Object> builder = Caffeine.newBuilder().ticker(ticker).executor(executor)
                .maximumSize(caching ? maxEntries : 0);
        if (caching) {
            builder.refreshAfterWrite(timeToLive).expireAfterWrite(timeToLive.plus(staleFor));
        }
        this.answers = builder.build(mailboxApi::resolveRecipient);
    }

    /**
     * @throws io.mailroom.mailbox.client.MailboxApiUnavailableException when mailbox-api cannot answer now
     */
    public RecipientResolution resolve(String address) {
        // The domain is case-insensitive; the local part is mailbox-api's business, which folds case too.
        String key = address.toLowerCase(Locale.ROOT);
        return caching ? answers.get(key) : mailboxApi.resolveRecipient(key);
    }
}
