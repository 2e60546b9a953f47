package io.mailroom.delivery;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import io.mailroom.mailbox.client.FiledMessage;
import io.mailroom.mailbox.client.MailboxApiClient;
import io.mailroom.mailbox.client.MailboxApiException;
import io.mailroom.mailbox.client.MailboxApiUnavailableException;
import io.mailroom.mailbox.client.RecipientResolution;
import io.mailroom.queue.Disposition;
import io.mailroom.queue.MailProcessor;
import io.mailroom.queue.QueuedMail;

/**
 * Files one copy of a queued message per local account that its recipients resolve to (an alias
 * resolves to several), through mailbox-api.
 *
 * <p>Filing is idempotent: the delivery id is the queue message id plus the account's address, so
 * processing the same message again (a retry, or a redelivery after a crash) files nothing twice, and
 * a retry can simply go through every recipient again. A recipient that mailbox-api no longer knows is
 * a permanent failure for that recipient only; anything else that goes wrong makes the whole message
 * come back later, with exponential back-off, until it is too old and goes to the dead-letter queue.
 * The message is done only when every recipient has a final outcome.
 */
public class DeliveryProcessor implements MailProcessor {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryProcessor.class);

    static final String TRACE_ID = "traceId";

    /** mailbox-api's problem code when the account was removed between resolving and filing. */
    static final String ACCOUNT_NOT_FOUND = "account-not-found";

    private final MailboxApiClient mailboxApi;
    private final PermanentFailureHandler permanentFailures;
    private final DeliveryProperties.Retry retry;
    private final DeliveryMetrics metrics;
    private final Clock clock;

    DeliveryProcessor(MailboxApiClient mailboxApi, PermanentFailureHandler permanentFailures,
                      DeliveryProperties.Retry retry, DeliveryMetrics metrics, Clock clock) {
        this.mailboxApi = mailboxApi;
        this.permanentFailures = permanentFailures;
        this.retry = retry;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** The delivery id of one copy: stable across retries and redeliveries of the same queued message (no "/": it travels in a URL path). */
    static String deliveryId(QueuedMail mail, String account) {
        return mail.id() + ":" + account;
    }

    @Override
    public Disposition process(QueuedMail mail, int attempt) {
        String previousTraceId = MDC.get(TRACE_ID);
        MDC.put(TRACE_ID, mail.traceId());
        try {
            return deliver(mail, attempt);
        } finally {
            if (previousTraceId == null) {
                MDC.remove(TRACE_ID);
            } else {
                MDC.put(TRACE_ID, previousTraceId);
            }
        }
    }

    private Disposition deliver(QueuedMail mail, int attempt) {
        List<PermanentFailure> failures = new ArrayList<>();
        Set<String> accountsDone = new HashSet<>();
        String temporaryFailure = null;
        for (String recipient : mail.recipients()) {
            try {
                deliverTo(mail, recipient, accountsDone, failures);
            } catch (MailboxApiUnavailableException e) {
                // mailbox-api is away: asking again for the next recipient would only wait out another timeout
                temporaryFailure = "mailbox-api unavailable: " + e.getMessage();
                break;
            } catch (RuntimeException e) {
                // a problem with this recipient's copy: the others may still go through now
                LOG.warn("Filing message {} for <{}> failed (attempt {})", mail.id(), recipient, attempt, e);
                temporaryFailure = "filing for <" + recipient + "> failed: " + e;
            }
        }
        if (temporaryFailure == null && !failures.isEmpty()) {
            try {
                permanentFailures.recipientsFailed(mail, failures);
                failures.forEach(failure -> metrics.permanentFailure(failure.reason()));
            } catch (RuntimeException e) {
                LOG.warn("Recording the permanent failures of message {} failed (attempt {})", mail.id(), attempt, e);
                temporaryFailure = "recording permanent failures failed: " + e;
            }
        }
        if (temporaryFailure != null) {
            return retryOrGiveUp(mail, attempt, temporaryFailure);
        }
        return Disposition.done();
    }

    private void deliverTo(QueuedMail mail, String recipient, Set<String> accountsDone, List<PermanentFailure> failures) {
        RecipientResolution resolution = mailboxApi.resolveRecipient(recipient);
        switch (resolution.status()) {
            case DELIVERABLE -> {
                if (resolution.accounts().isEmpty()) {
                    failures.add(new PermanentFailure(recipient, PermanentFailure.Reason.UNKNOWN_USER,
                            "the address resolves to no account"));
                }
                for (String account : resolution.accounts()) {
                    // two recipients (an alias and its member, say) may name one account: one copy each
                    if (accountsDone.add(account.toLowerCase(Locale.ROOT))) {
                        file(mail, recipient, account, failures);
                    }
                }
            }
            case UNKNOWN_USER -> failures.add(new PermanentFailure(recipient, PermanentFailure.Reason.UNKNOWN_USER,
                    "no account or alias has this address any more"));
            case NON_LOCAL_DOMAIN -> failures.add(new PermanentFailure(recipient, PermanentFailure.Reason.NON_LOCAL_DOMAIN,
                    "the domain is not one of ours any more"));
        }
    }

    private void file(QueuedMail mail, String recipient, String account, List<PermanentFailure> failures) {
        FiledMessage filed;
        try {
            filed = mailboxApi.fileMessage(account, deliveryId(mail, account), mail.content(), mail.traceId());
        } catch (MailboxApiException e) {
            if (ACCOUNT_NOT_FOUND.equals(e.code())) {
                failures.add(new PermanentFailure(recipient, PermanentFailure.Reason.UNKNOWN_USER,
                        "account " + account + " was removed before the message was filed"));
                return;
            }
            throw e;
        }
        metrics.filed(Duration.between(mail.receivedAt(), clock.instant()), filed.duplicate());
        if (filed.duplicate()) {
            LOG.info("Message {} was already filed for {} (uid {} in mailbox {})", mail.id(), account, filed.uid(),
                    filed.mailboxId());
        } else {
            LOG.info("Filed message {} for {} (uid {} in mailbox {})", mail.id(), account, filed.uid(), filed.mailboxId());
        }
    }

    private Disposition retryOrGiveUp(QueuedMail mail, int attempt, String reason) {
        Duration age = Duration.between(mail.receivedAt(), clock.instant());
        if (age.compareTo(retry.giveUpAfter()) >= 0) {
            metrics.gaveUp();
            LOG.error("Giving up on message {} after {} attempts over {}: {}", mail.id(), attempt, age, reason);
            return Disposition.dead("gave up after " + attempt + " attempts over " + age + ": " + reason);
        }
        Duration delay = retry.delayAfter(attempt);
        metrics.retry();
        LOG.warn("Delivery of message {} failed for now (attempt {}); next attempt in {}: {}", mail.id(), attempt,
                delay, reason);
        return Disposition.retry(delay, reason);
    }
}
