package io.mailroom.mailbox.client;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.springframework.http.HttpEntity;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.client.RestClient;

/**
 * {@link MailboxApiClient} over HTTP ({@link MailboxApiTransport}: Spring's {@link RestClient} on the JDK HTTP client).
 * The wire format is described in {@code docs/rest-api.md} ("Gateway API").
 *
 * <p>Every JSON call is bounded by {@code read-timeout} from start to end. {@link #openMessage} streams, so a
 * whole-exchange limit would cut off a slow reader; there the limit applies to the response headers and then to
 * every single read of the body, which still turns a stalled mailbox-api into an error instead of a hung thread.
 */
public class HttpMailboxApiClient implements MailboxApiClient, MaildropLeaseClient, AutoCloseable {

    /** The header that carries a request's trace id from service to service. */
    public static final String TRACE_ID_HEADER = MailboxApiTransport.TRACE_ID_HEADER;
    /** The MDC key every Mailroom service logs the trace id under. */
    public static final String TRACE_ID_MDC_KEY = MailboxApiTransport.TRACE_ID_MDC_KEY;

    static final MediaType MESSAGE_RFC822 = MailboxApiTransport.MESSAGE_RFC822;
    /** The framed answer of {@link #readMessages} (docs/rest-api.md, "Read several messages"). */
    static final MediaType RAW_BATCH = MediaType.parseMediaType("application/vnd.mailroom.raw-batch");
    private static final String AUTH_FAILED = "auth-failed";
    private static final String AUTH_LOCKED = "auth-locked";
    private static final String MAILDROP_IN_USE = "maildrop-in-use";
    private static final String LOGIN_DELAY = "login-delay";

    /** Recipients or addresses per batch request (mailbox-api takes at most 1,000). */
    static final int MAX_BATCH = 500;
    /** mailbox-api's limit ({@code MessageBatchRequest.MAX_MESSAGES}). */
    static final int MAX_MESSAGES_PER_REQUEST = 64;

    private final MailboxApiTransport transport;
    private final RestClient restClient;
    /** Cleared when mailbox-api turns out not to know the batch calls (an older version during a rolling upgrade). */
    private volatile boolean batchResolution = true;
    private volatile boolean batchFiling = true;
    private volatile boolean addressedFiling = true;
    private volatile boolean messageBatches = true;
    private volatile boolean batchReads = true;

    public HttpMailboxApiClient(MailboxApiProperties properties, String internalToken, RestClient.Builder builder) {
        this.transport = new MailboxApiTransport(properties, internalToken, builder);
        this.restClient = transport.rest();
    }

    /** A client without Spring Boot around it: for tests and tools. */
    public static HttpMailboxApiClient create(MailboxApiProperties properties, String internalToken) {
        return new HttpMailboxApiClient(properties, internalToken, RestClient.builder());
    }

    @Override
    public AuthenticatedAccount authenticate(String username, String password, String protocol, String remoteIp) {
        return transport.call(() -> restClient.post()
                .uri("/internal/v1/authentications")
                .contentType(MediaType.APPLICATION_JSON)
                .body(new AuthenticationRequest(username, password, protocol, remoteIp))
                .retrieve()
                .onStatus(status -> status.value() == 401, (request, response) -> {
                    Map<String, Object> problem = transport.readErrorBody(response);
                    Object code = problem.get("code");
                    if (AUTH_FAILED.equals(code) || AUTH_LOCKED.equals(code)) {
                        boolean temporary = AUTH_LOCKED.equals(code) || Boolean.TRUE.equals(problem.get("temporary"));
                        throw new AuthenticationFailedException(401, (String) code,
                                MailboxApiTransport.detail(problem, 401), temporary);
                    }
                    // any other 401 means mailbox-api refused *our* token: a configuration fault, not bad user credentials
                    throw transport.failure(401, problem);
                })
                .body(AuthenticatedAccount.class));
    }

    @Override
    public RecipientResolution resolveRecipient(String address) {
        return transport.call(() -> restClient.get()
                .uri(uri -> uri.path("/internal/v1/recipients").queryParam("address", "{address}").build(address))
                .retrieve()
                .body(RecipientResolution.class));
    }

    @Override
    public List<RecipientResolution> resolveRecipients(List<String> addresses) {
        if (addresses.isEmpty()) {
            return List.of();
        }
        if (addresses.size() == 1 || !batchResolution) {
            return MailboxApiClient.super.resolveRecipients(addresses);
        }
        List<RecipientResolution> resolutions = new ArrayList<>(addresses.size());
        for (int start = 0; start < addresses.size(); start += MAX_BATCH) {
            List<String> chunk = addresses.subList(start, Math.min(addresses.size(), start + MAX_BATCH));
            ResolutionsResponse answer;
            try {
                answer = transport.call(() -> restClient.post()
                        .uri("/internal/v1/recipients/resolutions")
                        .contentType(MediaType.APPLICATION_JSON)
                        .body(new ResolutionsRequest(List.copyOf(chunk)))
                        .retrieve()
                        .body(ResolutionsResponse.class));
            } catch (MailboxApiException e) {
                if (!isMissingRoute(e)) {
                    throw e;
                }
                batchResolution = false; // an older mailbox-api: one address per call from now on
                return MailboxApiClient.super.resolveRecipients(addresses);
            }
            if (answer == null || answer.resolutions() == null || answer.resolutions().size() != chunk.size()) {
                throw new MailboxApiUnavailableException("unreadable answer from mailbox-api to a batch resolution", null);
            }
            resolutions.addAll(answer.resolutions());
        }
        return resolutions;
    }

    @Override
    public List<FilingOutcome> fileMessages(List<FilingRecipient> recipients, byte[] content, String traceId) {
        if (recipients.isEmpty()) {
            return List.of();
        }
        if (recipients.size() == 1 || !batchFiling) {
            return MailboxApiClient.super.fileMessages(recipients, content, traceId);
        }
        // a delivery id the single call would refuse is refused here too, for that recipient alone
        FilingOutcome[] outcomes = new FilingOutcome[recipients.size()];
        List<Integer> valid = new ArrayList<>(recipients.size());
        for (int i = 0; i < recipients.size(); i++) {
            try {
                checkDeliveryId(recipients.get(i).deliveryId());
                valid.add(i);
            } catch (MailboxApiException e) {
                outcomes[i] = FilingOutcome.refused(recipients.get(i), e.code(), e.getMessage());
            }
        }
        for (int start = 0; start < valid.size(); start += MAX_BATCH) {
            List<Integer> indexes = valid.subList(start, Math.min(valid.size(), start + MAX_BATCH));
            List<FilingRecipient> chunk = indexes.stream().map(recipients::get).toList();
            MultiValueMap<String, HttpEntity<?>> parts = new LinkedMultiValueMap<>();
            parts.add("recipients", part(transport.json().writeValueAsBytes(new BatchFilingRequest(chunk)),
                    MediaType.APPLICATION_JSON));
            parts.add("message", part(content, MESSAGE_RFC822));
            BatchFilingResponse answer;
            try {
                answer = fileChunk(parts, traceId);
            } catch (MailboxApiUnavailableException e) {
                // this chunk and those after it: not known to be filed
                unavailableFrom(outcomes, valid, start, recipients::get, e.getMessage());
                break;
            } catch (MailboxApiException e) {
                if (isMissingRoute(e) && start == 0) {
                    batchFiling = false; // an older mailbox-api: one recipient per call from now on
                    return MailboxApiClient.super.fileMessages(recipients, content, traceId);
                }
                // refused as a whole (the message too large, say): what the single call would answer for each
                for (int i = 0; i < chunk.size(); i++) {
                    outcomes[indexes.get(i)] = FilingOutcome.refused(chunk.get(i), e.code(), e.getMessage());
                }
                continue;
            }
            if (answer == null || answer.results() == null || answer.results().size() != chunk.size()) {
                unavailableFrom(outcomes, valid, start, recipients::get, "unreadable answer from mailbox-api to a batch filing");
                break;
            }
            for (int i = 0; i < chunk.size(); i++) {
                outcomes[indexes.get(i)] = answer.results().get(i).outcome(chunk.get(i));
            }
        }
        return List.of(outcomes);
    }

    /**
     * Up to {@value #MAX_MESSAGES_PER_REQUEST} messages per request to mailbox-api ({@code POST
     * /internal/v1/deliveries/batch}); one message, or a mailbox-api that does not know the route, goes by the single
     * call. A request refused as a whole (a message too large, say) is sent again message by message, so each gets
     * the answer the single call gives it.
     */
    @Override
    public List<FilingOutcome> fileEach(List<MessageDelivery> deliveries, String traceId) {
        if (deliveries.size() <= 1 || !messageBatches) {
            return MailboxApiClient.super.fileEach(deliveries, traceId);
        }
        FilingOutcome[] outcomes = new FilingOutcome[deliveries.size()];
        List<Integer> valid = new ArrayList<>(deliveries.size());
        for (int i = 0; i < deliveries.size(); i++) {
            try {
                checkDeliveryId(deliveries.get(i).recipient().deliveryId());
                valid.add(i);
            } catch (MailboxApiException e) {
                outcomes[i] = FilingOutcome.refused(deliveries.get(i).recipient(), e.code(), e.getMessage());
            }
        }
        for (int start = 0; start < valid.size(); start += MAX_MESSAGES_PER_REQUEST) {
            List<Integer> indexes = valid.subList(start, Math.min(valid.size(), start + MAX_MESSAGES_PER_REQUEST));
            List<MessageDelivery> chunk = indexes.stream().map(deliveries::get).toList();
            MultiValueMap<String, HttpEntity<?>> parts = new LinkedMultiValueMap<>();
            parts.add("deliveries", part(transport.json().writeValueAsBytes(
                    new MessageBatchRequest(chunk.stream().map(MessageDelivery::recipient).toList())), MediaType.APPLICATION_JSON));
            chunk.forEach(delivery -> parts.add("message", part(delivery.content(), MESSAGE_RFC822)));
            BatchFilingResponse answer;
            try {
                answer = postMultipart("/internal/v1/deliveries/batch", parts, traceId, BatchFilingResponse.class);
            } catch (MailboxApiUnavailableException e) {
                unavailableFrom(outcomes, valid, start, i -> deliveries.get(i).recipient(), e.getMessage());
                break;
            } catch (MailboxApiException e) {
                if (isMissingRoute(e) && start == 0) {
                    messageBatches = false; // an older mailbox-api: one message per call from now on
                    return MailboxApiClient.super.fileEach(deliveries, traceId);
                }
                List<FilingOutcome> alone = MailboxApiClient.super.fileEach(chunk, traceId);
                for (int i = 0; i < chunk.size(); i++) {
                    outcomes[indexes.get(i)] = alone.get(i);
                }
                continue;
            }
            if (answer == null || answer.results() == null || answer.results().size() != chunk.size()) {
                unavailableFrom(outcomes, valid, start, i -> deliveries.get(i).recipient(),
                        "unreadable answer from mailbox-api to a filing of many messages");
                break;
            }
            for (int i = 0; i < chunk.size(); i++) {
                outcomes[indexes.get(i)] = answer.results().get(i).outcome(chunk.get(i).recipient());
            }
        }
        return List.of(outcomes);
    }

    /**
     * One request to mailbox-api ({@code POST /internal/v1/deliveries/by-address}) resolves the addresses and files the
     * copies. Falls back to resolving, then filing (two requests, {@link MailboxApiClient#deliver}) for more addresses
     * than one request takes, when mailbox-api refuses the request as a whole (an address that is none, a message too
     * large: the separate calls answer those per address and per account), and from then on against a mailbox-api that
     * does not know the route.
     */
    @Override
    public DeliveryReport deliver(List<String> addresses, String deliveryIdPrefix, Collection<String> skip,
                                  byte[] content, String traceId) {
        if (addresses.isEmpty()) {
            return new DeliveryReport(List.of(), List.of());
        }
        if (!addressedFiling || addresses.size() > MAX_BATCH) {
            return MailboxApiClient.super.deliver(addresses, deliveryIdPrefix, skip, content, traceId);
        }
        MultiValueMap<String, HttpEntity<?>> parts = new LinkedMultiValueMap<>();
        parts.add("recipients", part(transport.json().writeValueAsBytes(
                new AddressedFilingRequest(List.copyOf(addresses), deliveryIdPrefix, List.copyOf(skip))),
                MediaType.APPLICATION_JSON));
        parts.add("message", part(content, MESSAGE_RFC822));
        AddressedFilingResponse answer;
        try {
            answer = postMultipart("/internal/v1/deliveries/by-address", parts, traceId, AddressedFilingResponse.class);
        } catch (MailboxApiException e) {
            if (isMissingRoute(e)) {
                addressedFiling = false; // an older mailbox-api: resolve, then file, from now on
            }
            return MailboxApiClient.super.deliver(addresses, deliveryIdPrefix, skip, content, traceId);
        }
        if (answer == null || answer.resolutions() == null || answer.resolutions().size() != addresses.size()
                || answer.results() == null) {
            throw new MailboxApiUnavailableException("unreadable answer from mailbox-api to a filing by address", null);
        }
        List<FilingOutcome> outcomes = new ArrayList<>(answer.results().size());
        for (BatchFilingResult result : answer.results()) {
            if (result == null || result.account() == null || result.deliveryId() == null) {
                throw new MailboxApiUnavailableException("unreadable answer from mailbox-api to a filing by address", null);
            }
            outcomes.add(result.outcome(new FilingRecipient(result.account(), result.deliveryId())));
        }
        return new DeliveryReport(answer.resolutions(), outcomes);
    }

    /**
     * A batch that stopped at {@code valid.get(from)}: that request's recipients and every later one's are not known to
     * be filed ({@code recipient} gives the recipient of a request index).
     */
    private static void unavailableFrom(FilingOutcome[] outcomes, List<Integer> valid, int from,
                                        java.util.function.IntFunction<FilingRecipient> recipient, String detail) {
        for (int i = from; i < valid.size(); i++) {
            outcomes[valid.get(i)] = FilingOutcome.unavailable(recipient.apply(valid.get(i)), detail);
        }
    }

    private static HttpEntity<byte[]> part(byte[] bytes, MediaType type) {
        HttpHeaders headers = new HttpHeaders();
        headers.setContentType(type);
        return new HttpEntity<>(bytes, headers);
    }

    private BatchFilingResponse fileChunk(MultiValueMap<String, HttpEntity<?>> parts, String traceId) {
        return postMultipart("/internal/v1/deliveries", parts, traceId, BatchFilingResponse.class);
    }

    /** One multipart filing request (the batch and the by-address routes), with the caller's trace id. */
    private <T> T postMultipart(String uri, MultiValueMap<String, HttpEntity<?>> parts, String traceId, Class<T> answer) {
        return transport.call(() -> restClient.post()
                .uri(uri)
                .contentType(MediaType.MULTIPART_FORM_DATA)
                .headers(headers -> {
                    if (traceId != null && !traceId.isBlank()) {
                        headers.set(TRACE_ID_HEADER, traceId);
                    }
                })
                .body(parts)
                .retrieve()
                .body(answer));
    }

    /** A 404 for the route itself (not for an account or mailbox): the mailbox-api answering predates the call. */
    private static boolean isMissingRoute(MailboxApiException e) {
        return e.status() == 404 && ("not-found".equals(e.code()) || "http-404".equals(e.code()));
    }

    private static void checkDeliveryId(String deliveryId) {
        if (deliveryId == null || deliveryId.isBlank() || deliveryId.length() > 255
                || deliveryId.indexOf('/') >= 0 || deliveryId.indexOf('\\') >= 0) {
            // mailbox-api's web server refuses encoded slashes in a path, so say so here rather than get an HTML 400
            throw new MailboxApiException(400, "validation",
                    "delivery id must be 1 to 255 characters without '/' or '\\': " + deliveryId);
        }
    }

    @Override
    public FiledMessage fileMessage(String account, String deliveryId, byte[] content, String traceId) {
        checkDeliveryId(deliveryId);
        return transport.call(() -> restClient.put()
                .uri("/internal/v1/accounts/{address}/deliveries/{deliveryId}", account, deliveryId)
                .contentType(MESSAGE_RFC822)
                .headers(headers -> {
                    if (traceId != null && !traceId.isBlank()) {
                        headers.set(TRACE_ID_HEADER, traceId);
                    }
                })
                .body(content)
                .retrieve()
                .body(FiledMessage.class));
    }

    @Override
    public Maildrop maildrop(String account) {
        return transport.call(() -> restClient.get()
                .uri("/internal/v1/accounts/{address}/maildrop", account)
                .retrieve()
                .body(Maildrop.class));
    }

    @Override
    public InputStream openMessage(String account, long mailboxId, long uid) {
        return transport.stream("/internal/v1/accounts/{address}/mailboxes/{mailboxId}/messages/{uid}/raw",
                request -> { }, account, mailboxId, uid);
    }

    /**
     * {@value #MAX_READ_BATCH} UIDs per request to {@code POST …/messages/raw}, whose answer is read as it arrives: each
     * message is handed to the sink as a stream over its own bytes of the answer. Against a mailbox-api that does not
     * know the route (404 for it), one {@link #openMessage} per UID from then on.
     */
    @Override
    public void readMessages(String account, long mailboxId, List<Long> uids, long maxBytes, RawMessageSink sink)
            throws IOException {
        long budget = maxBytes;
        for (int start = 0; start < uids.size(); start += MAX_READ_BATCH) {
            List<Long> chunk = List.copyOf(uids.subList(start, Math.min(uids.size(), start + MAX_READ_BATCH)));
            if (budget <= 0) {
                chunk.forEach(sink::deferred);
                continue;
            }
            if (!batchReads) {
                MailboxApiClient.super.readMessages(account, mailboxId, chunk, budget, sink);
                continue;
            }
            InputStream answer;
            try {
                answer = transport.streamPost("/internal/v1/accounts/{address}/mailboxes/{mailboxId}/messages/raw",
                        new ReadMessagesRequest(chunk, budget), RAW_BATCH, account, mailboxId);
            } catch (MailboxApiException e) {
                if (!isMissingRoute(e) && e.status() != 405) {
                    throw e;
                }
                batchReads = false; // an older mailbox-api: one message per call from now on
                MailboxApiClient.super.readMessages(account, mailboxId, chunk, budget, sink);
                continue;
            }
            try (RawBatchReader reader = new RawBatchReader(answer)) {
                budget -= reader.readAll(chunk, sink);
            }
        }
    }

    @Override
    public void expunge(String account, long mailboxId, Collection<Long> uids) {
        if (uids.isEmpty()) {
            return;
        }
        transport.call(() -> restClient.post()
                .uri("/internal/v1/accounts/{address}/mailboxes/{mailboxId}/expunge", account, mailboxId)
                .contentType(MediaType.APPLICATION_JSON)
                .body(new ExpungeRequest(List.copyOf(uids)))
                .retrieve()
                .toBodilessEntity());
    }

    @Override
    public Outcome acquireMaildropLease(String account, String owner, Duration ttl, Duration minInterval) {
        try {
            LeaseResponse lease = transport.call(() -> restClient.put()
                    .uri("/internal/v1/accounts/{address}/maildrop/lease", account)
                    .contentType(MediaType.APPLICATION_JSON)
                    .body(new AcquireLeaseRequest(owner, ttl.toMillis(), minInterval.toMillis()))
                    .retrieve()
                    .onStatus(status -> status.value() == 409 || status.value() == 429, (request, response) -> {
                        Map<String, Object> problem = transport.readErrorBody(response);
                        int status = response.getStatusCode().value();
                        Object code = problem.get("code");
                        if (MAILDROP_IN_USE.equals(code)) {
                            throw new LeaseRefused(new InUse(), status, problem);
                        }
                        if (LOGIN_DELAY.equals(code)) {
                            long millis = problem.get("retryAfterMillis") instanceof Number n ? n.longValue() : 1000;
                            throw new LeaseRefused(new TooSoon(Duration.ofMillis(Math.max(1, millis))), status, problem);
                        }
                        throw transport.failure(status, problem);
                    })
                    .body(LeaseResponse.class));
            if (lease == null || lease.expiresAt() == null) {
                throw new MailboxApiUnavailableException("unreadable answer from mailbox-api to a maildrop lease", null);
            }
            return new Acquired(lease.expiresAt());
        } catch (LeaseRefused refused) {
            return refused.outcome;
        }
    }

    @Override
    public Set<LeaseKey> renewMaildropLeases(Collection<LeaseKey> leases, Duration ttl) {
        if (leases.isEmpty()) {
            return Set.of();
        }
        RenewLeasesResponse renewed = transport.call(() -> restClient.post()
                .uri("/internal/v1/maildrop-leases/renewals")
                .contentType(MediaType.APPLICATION_JSON)
                .body(new RenewLeasesRequest(List.copyOf(leases), ttl.toMillis()))
                .retrieve()
                .body(RenewLeasesResponse.class));
        if (renewed == null || renewed.lost() == null) {
            throw new MailboxApiUnavailableException("unreadable answer from mailbox-api to a lease renewal", null);
        }
        return new HashSet<>(renewed.lost());
    }

    @Override
    public void releaseMaildropLease(String account, String owner) {
        transport.call(() -> restClient.delete()
                .uri(uri -> uri.path("/internal/v1/accounts/{address}/maildrop/lease").queryParam("owner", "{owner}")
                        .build(account, owner))
                .retrieve()
                .toBodilessEntity());
    }

    @Override
    public void close() {
        transport.close();
    }

    record AuthenticationRequest(String username, String password, String protocol, String remoteIp) {
        @Override
        public String toString() {
            return "AuthenticationRequest[username=" + username + ", protocol=" + protocol + ", remoteIp=" + remoteIp + "]";
        }
    }

    record ExpungeRequest(List<Long> uids) {
    }

    record ReadMessagesRequest(List<Long> uids, long maxBytes) {
    }

    record ResolutionsRequest(List<String> addresses) {
    }

    record ResolutionsResponse(List<RecipientResolution> resolutions) {
    }

    record BatchFilingRequest(List<FilingRecipient> recipients) {
    }

    /** The {@code deliveries} part of a filing of many messages: the recipients, one per message part, in order. */
    record MessageBatchRequest(List<FilingRecipient> deliveries) {
    }

    record BatchFilingResponse(List<BatchFilingResult> results) {
    }

    /** Mirrors mailbox-api's {@code AddressedFilingRequest}. */
    record AddressedFilingRequest(List<String> addresses, String deliveryIdPrefix, List<String> skip) {
    }

    /** Mirrors mailbox-api's {@code AddressedFilingResponse}. */
    record AddressedFilingResponse(List<RecipientResolution> resolutions, List<BatchFilingResult> results) {
    }

    /** Mirrors mailbox-api's {@code BatchFilingResponse.Result}. */
    record BatchFilingResult(String account, String deliveryId, String outcome, Long messageId, Long mailboxId, Long uid,
                             Long modSeq, String code, String detail) {

        FilingOutcome outcome(FilingRecipient recipient) {
            if ("FILED".equals(outcome) || "DUPLICATE".equals(outcome)) {
                if (messageId == null || mailboxId == null || uid == null || modSeq == null) {
                    return FilingOutcome.unavailable(recipient, "unreadable answer from mailbox-api to a batch filing: "
                            + "no location for " + recipient.account());
                }
                return FilingOutcome.filed(recipient, new FiledMessage(messageId, mailboxId, uid, modSeq,
                        "DUPLICATE".equals(outcome)));
            }
            return FilingOutcome.refused(recipient, code == null ? "http-422" : code, detail);
        }
    }

    record AcquireLeaseRequest(String owner, long ttlMillis, long minIntervalMillis) {
    }

    record LeaseResponse(String owner, Instant expiresAt, Instant acquiredAt) {
    }

    record RenewLeasesRequest(List<LeaseKey> leases, long ttlMillis) {
    }

    record RenewLeasesResponse(List<LeaseKey> lost) {
    }

    /** A refused lease, carried out of the status handler (a {@link MailboxApiException} so that it passes through). */
    private static final class LeaseRefused extends MailboxApiException {

        private final Outcome outcome;

        LeaseRefused(Outcome outcome, int status, Map<String, Object> problem) {
            super(status, (String) problem.get("code"), MailboxApiTransport.detail(problem, status));
            this.outcome = outcome;
        }
    }
}
