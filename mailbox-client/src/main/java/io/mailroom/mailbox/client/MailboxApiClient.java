package io.mailroom.mailbox.client;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The typed client every other tier uses to reach mailbox-api's gateway API ({@code /internal/v1}).
 * mailbox-api is the only service that touches PostgreSQL; smtp-ingress, delivery-service and the
 * gateways see mail only through this interface.
 *
 * <p>Every call has a bounded timeout. When mailbox-api cannot be reached, times out, or answers 5xx,
 * the call throws {@link MailboxApiUnavailableException} so that the caller can answer with a
 * temporary failure (SMTP 451, POP3 {@code -ERR [SYS/TEMP]}, IMAP NO). A 4xx answer that the
 * method does not turn into a result throws {@link MailboxApiException} with the problem's code.
 */
public interface MailboxApiClient {

    /**
     * Checks a mail client's credentials (full address as user name; account password or app password).
     *
     * @param protocol which tier asks (smtp, pop3, imap), for logs, metrics and lockout policy
     * @param remoteIp the client's address, for per-IP lockout
     * @throws AuthenticationFailedException when the credentials are wrong, the account is disabled,
     *                                       or the account or IP is temporarily locked out
     */
    AuthenticatedAccount authenticate(String username, String password, String protocol, String remoteIp);

    /** What a recipient address means here: an account (or several, for an alias), an unknown local user, or a domain that is not ours. */
    RecipientResolution resolveRecipient(String address);

    /**
     * {@link #resolveRecipient} for several addresses in one call; the resolutions in the order of {@code addresses}.
     * This default asks for one address after the other; the HTTP client asks for all at once.
     */
    default List<RecipientResolution> resolveRecipients(List<String> addresses) {
        List<RecipientResolution> resolutions = new ArrayList<>(addresses.size());
        for (String address : addresses) {
            resolutions.add(resolveRecipient(address));
        }
        return resolutions;
    }

    /**
     * Files one message into one account's INBOX, idempotently: calling again with the same
     * {@code deliveryId} changes nothing and returns the first result with {@code duplicate = true}.
     *
     * @param account    the account's address
     * @param deliveryId stable for this message and this recipient (queue message id + recipient)
     * @param content    the raw RFC 5322 bytes, stored unchanged
     * @param traceId    carried into mailbox-api's logs
     */
    FiledMessage fileMessage(String account, String deliveryId, byte[] content, String traceId);

    /**
     * Files many messages, each for its own recipient and delivery id, each idempotently like {@link #fileMessage}, with
     * one outcome per message in the order of {@code deliveries} and the same rules as {@link #fileMessages}: a refused
     * message does not keep the others out; when mailbox-api cannot be reached, those not known to be filed get
     * {@link FilingOutcome#UNAVAILABLE}. This default files one message after the other; the HTTP client sends many in
     * one request, filed in few transactions.
     */
    default List<FilingOutcome> fileEach(List<MessageDelivery> deliveries, String traceId) {
        return fileOneByOne(deliveries.stream().map(MessageDelivery::recipient).toList(),
                i -> deliveries.get(i).content(), traceId);
    }

    /**
     * Files one message for several recipients, each idempotently per its delivery id like {@link #fileMessage}, with
     * one outcome per recipient in the order of {@code recipients}. A recipient mailbox-api refuses (no such account,
     * quota used up) gets its problem code and does not keep the others from being filed. When mailbox-api cannot be
     * reached, the recipients not known to be filed get {@link FilingOutcome#UNAVAILABLE} (nothing is thrown), and no
     * further request is made; repeating the call (same delivery ids) files them, or answers duplicates. This default
     * files one recipient after the other; the HTTP client sends the message once for all of them.
     */
    default List<FilingOutcome> fileMessages(List<FilingRecipient> recipients, byte[] content, String traceId) {
        return fileOneByOne(recipients, i -> content, traceId);
    }

    /**
     * The defaults of {@link #fileMessages} and {@link #fileEach}: {@link #fileMessage} per recipient, in order, the
     * {@code i}-th with {@code contents.apply(i)}; once mailbox-api cannot be reached, no further call.
     */
    private List<FilingOutcome> fileOneByOne(List<FilingRecipient> recipients, java.util.function.IntFunction<byte[]> contents,
                                             String traceId) {
        List<FilingOutcome> outcomes = new ArrayList<>(recipients.size());
        String unavailable = null;
        for (int i = 0; i < recipients.size(); i++) {
            FilingRecipient recipient = recipients.get(i);
            if (unavailable != null) {
                outcomes.add(FilingOutcome.unavailable(recipient, unavailable));
                continue;
            }
            try {
                outcomes.add(FilingOutcome.filed(recipient,
                        fileMessage(recipient.account(), recipient.deliveryId(), contents.apply(i), traceId)));
            } catch (MailboxApiUnavailableException e) {
                unavailable = e.getMessage();
                outcomes.add(FilingOutcome.unavailable(recipient, unavailable));
            } catch (MailboxApiException e) {
                outcomes.add(FilingOutcome.refused(recipient, e.code(), e.getMessage()));
            }
        }
        return outcomes;
    }

    /**
     * Delivers one message to its recipient addresses: resolves them as {@link #resolveRecipients} does and files a
     * copy for every account they reach (each account once; none for those in {@code skip}) as {@link #fileMessages}
     * does, under the delivery id {@code deliveryIdPrefix + account} ({@link DeliveryReport#deliveryId}), so that
     * calling again for the same message files nothing twice. Addresses that reach no account, or also external ones,
     * come back in their resolutions for the caller to bounce or relay. This default resolves, then files (two calls);
     * the HTTP client does both in one request to mailbox-api, and falls back to this against an older one.
     *
     * @param skip accounts (any case) that already have a final outcome for this message: not filed again
     * @throws MailboxApiUnavailableException when mailbox-api cannot be reached to resolve the addresses (nothing is
     *                                        known to be filed; calling again is safe)
     * @throws MailboxApiException            when mailbox-api refuses to resolve an address ({@code invalid-address})
     */
    default DeliveryReport deliver(List<String> addresses, String deliveryIdPrefix, Collection<String> skip,
                                   byte[] content, String traceId) {
        List<RecipientResolution> resolutions = resolveRecipients(addresses);
        Set<String> done = new HashSet<>();
        skip.forEach(account -> done.add(account.toLowerCase(Locale.ROOT)));
        Set<String> reached = new LinkedHashSet<>();
        for (RecipientResolution resolution : resolutions) {
            for (String account : resolution.accounts()) {
                String key = account.toLowerCase(Locale.ROOT);
                if (!done.contains(key)) {
                    reached.add(key);
                }
            }
        }
        List<FilingRecipient> recipients = reached.stream()
                .map(account -> new FilingRecipient(account, DeliveryReport.deliveryId(deliveryIdPrefix, account)))
                .toList();
        return new DeliveryReport(resolutions, fileMessages(recipients, content, traceId));
    }

    /** The INBOX as POP3 sees it: every message's UID and size, in UID order. */
    Maildrop maildrop(String account);

    /**
     * Streams one message's raw bytes. The caller closes the stream.
     *
     * @throws MailboxApiException with code {@code message-not-found} when it is gone
     */
    InputStream openMessage(String account, long mailboxId, long uid);

    /**
     * Reads several messages of one mailbox in one call (POP3's read-ahead): hands each UID of {@code uids} to
     * {@code sink}, in that order, as a message, as {@linkplain RawMessageSink#missing missing}, or as
     * {@linkplain RawMessageSink#deferred deferred} when its bytes would take the answer past {@code maxBytes} (read
     * it with {@link #openMessage}, which streams any size). Meant for small messages: what one call carries is held
     * in memory on both sides. This default opens one message after the other and defers none; the HTTP client asks
     * for up to {@value #MAX_READ_BATCH} at once.
     *
     * @throws MailboxApiException          {@code mailbox-not-found}, {@code account-not-found}
     * @throws MailboxApiUnavailableException mailbox-api cannot be reached (or answers 5xx)
     * @throws IOException                  the answer broke off or was not what was asked; the UIDs not yet handed to
     *                                      {@code sink} are not known
     */
    default void readMessages(String account, long mailboxId, List<Long> uids, long maxBytes, RawMessageSink sink)
            throws IOException {
        for (long uid : uids) {
            InputStream content;
            try {
                content = openMessage(account, mailboxId, uid);
            } catch (MailboxApiException e) {
                if (MESSAGE_NOT_FOUND.equals(e.code())) {
                    sink.missing(uid);
                    continue;
                }
                throw e;
            }
            try (content) {
                sink.message(uid, content);
            }
        }
    }

    /** The most UIDs the HTTP client asks mailbox-api for in one request of {@link #readMessages}. */
    int MAX_READ_BATCH = 32;

    /** The problem code of a message that is not there. */
    String MESSAGE_NOT_FOUND = "message-not-found";

    /** Removes these messages from the mailbox (expunge). UIDs that are already gone are ignored. */
    void expunge(String account, long mailboxId, Collection<Long> uids);
}
