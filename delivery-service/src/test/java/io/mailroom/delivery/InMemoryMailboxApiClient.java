package io.mailroom.delivery;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import org.slf4j.MDC;

import io.mailroom.mailbox.client.AuthenticatedAccount;
import io.mailroom.mailbox.client.DeliveryReport;
import io.mailroom.mailbox.client.FiledMessage;
import io.mailroom.mailbox.client.FilingOutcome;
import io.mailroom.mailbox.client.FilingRecipient;
import io.mailroom.mailbox.client.MailboxApiClient;
import io.mailroom.mailbox.client.MailboxApiException;
import io.mailroom.mailbox.client.MailboxApiUnavailableException;
import io.mailroom.mailbox.client.Maildrop;
import io.mailroom.mailbox.client.RecipientResolution;

/**
 * mailbox-api as delivery-service sees it, in memory: addresses resolve from a table, filing is
 * idempotent by delivery id like the real one, and a test can make it unavailable.
 */
class InMemoryMailboxApiClient implements MailboxApiClient {

    /** One call to {@link #fileMessage}, with the trace id that was in the MDC at the time. */
    record FileCall(String account, String deliveryId, byte[] content, String traceId, String mdcTraceId) {
    }

    /** One stored copy. */
    record DeliverCall(List<String> addresses, String deliveryIdPrefix, List<String> skip) {
    }

    record StoredCopy(String account, String deliveryId, byte[] content, FiledMessage filed) {
    }

    private final Map<String, RecipientResolution> addresses = new ConcurrentHashMap<>();
    private final Map<String, StoredCopy> copies = new ConcurrentHashMap<>();
    private final List<FileCall> fileCalls = new CopyOnWriteArrayList<>();
    private final List<List<String>> resolveBatches = new CopyOnWriteArrayList<>();
    private final List<List<FilingRecipient>> fileBatches = new CopyOnWriteArrayList<>();
    private final List<DeliverCall> deliverCalls = new CopyOnWriteArrayList<>();
    private volatile boolean refuseBatchResolution;
    private final AtomicLong nextUid = new AtomicLong(1);
    private final AtomicInteger failuresLeft = new AtomicInteger();
    private volatile Predicate<String> failFilingFor = account -> false;
    private volatile boolean unavailable;

    InMemoryMailboxApiClient account(String address) {
        addresses.put(address.toLowerCase(), new RecipientResolution(address, RecipientResolution.Status.DELIVERABLE,
                List.of(address)));
        return this;
    }

    InMemoryMailboxApiClient alias(String address, String... accounts) {
        addresses.put(address.toLowerCase(), new RecipientResolution(address, RecipientResolution.Status.DELIVERABLE,
                List.of(accounts)));
        return this;
    }

    InMemoryMailboxApiClient resolution(RecipientResolution resolution) {
        addresses.put(resolution.address().toLowerCase(), resolution);
        return this;
    }

    /** While set, every call fails as if mailbox-api were down. */
    void unavailable(boolean unavailable) {
        this.unavailable = unavailable;
    }

    /** The next {@code count} filings for accounts matching {@code which} fail as if mailbox-api timed out. */
    void failFilings(int count, Predicate<String> which) {
        failuresLeft.set(count);
        failFilingFor = which;
    }

    /** The batch resolution call answers 400 {@code invalid-address} (one of the addresses is none). */
    void refuseBatchResolution() {
        refuseBatchResolution = true;
    }

    /** The addresses of each {@link #resolveRecipients} call. */
    List<List<String>> resolveBatches() {
        return new ArrayList<>(resolveBatches);
    }

    /** The addresses and the accounts to skip of each {@link #deliver} call. */
    List<DeliverCall> deliverCalls() {
        return new ArrayList<>(deliverCalls);
    }

    /** The recipients of each {@link #fileMessages} call. */
    List<List<FilingRecipient>> fileBatches() {
        return new ArrayList<>(fileBatches);
    }

    @Override
    public List<RecipientResolution> resolveRecipients(List<String> addresses) {
        resolveBatches.add(List.copyOf(addresses));
        if (refuseBatchResolution) {
            checkAvailable();
            throw new MailboxApiException(400, "invalid-address", "not an address");
        }
        return MailboxApiClient.super.resolveRecipients(addresses);
    }

    @Override
    public List<FilingOutcome> fileMessages(List<FilingRecipient> recipients, byte[] content, String traceId) {
        fileBatches.add(List.copyOf(recipients));
        return MailboxApiClient.super.fileMessages(recipients, content, traceId);
    }

    @Override
    public DeliveryReport deliver(List<String> addresses, String deliveryIdPrefix, Collection<String> skip, byte[] content,
                                  String traceId) {
        deliverCalls.add(new DeliverCall(List.copyOf(addresses), deliveryIdPrefix, List.copyOf(skip)));
        return MailboxApiClient.super.deliver(addresses, deliveryIdPrefix, skip, content, traceId);
    }

    List<FileCall> fileCalls() {
        return new ArrayList<>(fileCalls);
    }

    Map<String, StoredCopy> copies() {
        return Map.copyOf(copies);
    }

    @Override
    public RecipientResolution resolveRecipient(String address) {
        checkAvailable();
        RecipientResolution known = addresses.get(address.toLowerCase());
        if (known != null) {
            return known;
        }
        boolean ourDomain = address.toLowerCase().endsWith("@example.com");
        return new RecipientResolution(address, ourDomain ? RecipientResolution.Status.UNKNOWN_USER
                : RecipientResolution.Status.NON_LOCAL_DOMAIN, List.of());
    }

    @Override
    public FiledMessage fileMessage(String account, String deliveryId, byte[] content, String traceId) {
        fileCalls.add(new FileCall(account, deliveryId, content, traceId, MDC.get("traceId")));
        // The same rule as the HTTP client: a delivery id travels in a URL path segment.
        if (deliveryId.isEmpty() || deliveryId.length() > 255 || deliveryId.contains("/") || deliveryId.contains("\\")) {
            throw new MailboxApiException(400, "invalid-delivery-id", "delivery id must be 1 to 255 characters without '/' or '\\'");
        }
        checkAvailable();
        if (failFilingFor.test(account) && failuresLeft.getAndDecrement() > 0) {
            throw new MailboxApiUnavailableException("read timed out", null);
        }
        StoredCopy stored = copies.get(deliveryId);
        if (stored != null) {
            FiledMessage first = stored.filed();
            return new FiledMessage(first.messageId(), first.mailboxId(), first.uid(), first.modSeq(), true);
        }
        long uid = nextUid.getAndIncrement();
        FiledMessage filed = new FiledMessage(uid, 1, uid, uid, false);
        copies.put(deliveryId, new StoredCopy(account, deliveryId, content.clone(), filed));
        return filed;
    }

    private void checkAvailable() {
        if (unavailable) {
            throw new MailboxApiUnavailableException("connection refused", null);
        }
    }

    @Override
    public AuthenticatedAccount authenticate(String username, String password, String protocol, String remoteIp) {
        throw new UnsupportedOperationException("delivery-service does not authenticate");
    }

    @Override
    public Maildrop maildrop(String account) {
        throw new UnsupportedOperationException("delivery-service does not read mailboxes");
    }

    @Override
    public InputStream openMessage(String account, long mailboxId, long uid) {
        throw new UnsupportedOperationException("delivery-service does not read mailboxes");
    }

    @Override
    public void expunge(String account, long mailboxId, Collection<Long> uids) {
        throw new UnsupportedOperationException("delivery-service does not expunge");
    }
}
