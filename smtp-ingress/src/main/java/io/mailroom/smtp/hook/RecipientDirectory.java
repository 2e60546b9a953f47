package io.mailroom.smtp.hook;

import java.time.Duration;
import java.util.Locale;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.mailroom.mailbox.client.MailboxApiClient;
import io.mailroom.mailbox.client.RecipientResolution;

/**
 * mailbox-api's answers about recipient addresses, kept for a short while: an MTA delivering a mailing list
 * asks about the same addresses over and over, and each RCPT would otherwise be an HTTP round trip. Failures
 * are never kept, so a mailbox-api outage ends for SMTP as soon as it ends.
 */
public final class RecipientDirectory {

    private final MailboxApiClient mailboxApi;
    private final Cache<String, RecipientResolution> answers;

    public RecipientDirectory(MailboxApiClient mailboxApi, Duration timeToLive, int maxEntries) {
        this.mailboxApi = mailboxApi;
        this.answers = Caffeine.newBuilder()
                .expireAfterWrite(timeToLive)
                .maximumSize(timeToLive.isZero() ? 0 : maxEntries)
                .build();
    }

    /**
     * @throws io.mailroom.mailbox.client.MailboxApiUnavailableException when mailbox-api cannot answer now
     */
    public RecipientResolution resolve(String address) {
        // The domain is case-insensitive; the local part is mailbox-api's business, which folds case too.
        return answers.get(address.toLowerCase(Locale.ROOT), mailboxApi::resolveRecipient);
    }
}
