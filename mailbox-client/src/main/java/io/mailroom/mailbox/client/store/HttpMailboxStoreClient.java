package io.mailroom.mailbox.client.store;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

import org.springframework.core.ParameterizedTypeReference;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.web.client.RestClient;
import org.springframework.web.util.UriBuilder;

import io.mailroom.mailbox.client.MailboxApiException;
import io.mailroom.mailbox.client.MailboxApiProperties;
import io.mailroom.mailbox.client.MailboxApiTransport;
import io.mailroom.mailbox.client.MailboxApiUnavailableException;
import tools.jackson.core.JacksonException;
import tools.jackson.core.type.TypeReference;

/**
 * {@link MailboxStoreClient} over HTTP: the "Store API" of {@code docs/rest-api.md}, with the same timeouts, trace ids
 * and failure mapping as {@code HttpMailboxApiClient} ({@link MailboxApiTransport}).
 */
public class HttpMailboxStoreClient implements MailboxStoreClient, AutoCloseable {

    private static final String ACCOUNT = "/internal/v1/accounts/{address}";
    private static final String MAILBOX = ACCOUNT + "/mailboxes/{mailboxId}";
    private static final ParameterizedTypeReference<List<MailboxInfo>> MAILBOXES = new ParameterizedTypeReference<>() {
    };
    private static final ParameterizedTypeReference<List<String>> STRINGS = new ParameterizedTypeReference<>() {
    };
    private static final TypeReference<List<MessageMetadata>> MESSAGES = new TypeReference<>() {
    };
    private static final ParameterizedTypeReference<List<MailboxAnnotation>> ANNOTATIONS = new ParameterizedTypeReference<>() {
    };

    private final MailboxApiTransport transport;
    private final RestClient rest;
    private final StoreUris uris;

    public HttpMailboxStoreClient(MailboxApiProperties properties, String internalToken, RestClient.Builder builder) {
        this.transport = new MailboxApiTransport(properties, internalToken, builder);
        this.rest = transport.rest();
        this.uris = new StoreUris(properties.baseUrl());
    }

    /** A client without Spring Boot around it: for tests and tools. */
    public static HttpMailboxStoreClient create(MailboxApiProperties properties, String internalToken) {
        return new HttpMailboxStoreClient(properties, internalToken, RestClient.builder());
    }

    // ---- mailboxes ----

    @Override
    public List<MailboxInfo> listMailboxes(String account) {
        return call(() -> rest.get().uri(ACCOUNT + "/mailboxes", account).retrieve().body(MAILBOXES));
    }

    @Override
    public Optional<MailboxInfo> mailbox(String account, long mailboxId) {
        return optional(() -> rest.get().uri(uris.mailbox(account, mailboxId, "")).retrieve().body(MailboxInfo.class));
    }

    @Override
    public Optional<MailboxInfo> mailboxByName(String account, String name) {
        return optional(() -> rest.get()
                .uri(uris.account(account, "/mailboxes/by-name?name=" + StoreUris.encode(name)))
                .retrieve()
                .body(MailboxInfo.class));
    }

    @Override
    public MailboxInfo createMailbox(String account, String name, MailboxRole role) {
        return call(() -> rest.post().uri(ACCOUNT + "/mailboxes", account)
                .contentType(MediaType.APPLICATION_JSON)
                .body(new CreateMailbox(name, role))
                .retrieve()
                .body(MailboxInfo.class));
    }

    @Override
    public List<MailboxInfo> renameMailbox(String account, long mailboxId, String newName) {
        return call(() -> rest.patch().uri(MAILBOX, account, mailboxId)
                .contentType(MediaType.APPLICATION_JSON)
                .body(new Name(newName))
                .retrieve()
                .body(MAILBOXES));
    }

    @Override
    public void deleteMailbox(String account, long mailboxId) {
        call(() -> rest.delete().uri(MAILBOX, account, mailboxId).retrieve().toBodilessEntity());
    }

    // ---- subscriptions ----

    @Override
    public List<String> subscriptions(String account) {
        return call(() -> rest.get().uri(ACCOUNT + "/subscriptions", account).retrieve().body(STRINGS));
    }

    @Override
    public void subscribe(String account, String name) {
        call(() -> rest.post().uri(ACCOUNT + "/subscriptions", account)
                .contentType(MediaType.APPLICATION_JSON)
                .body(new Name(name))
                .retrieve()
                .toBodilessEntity());
    }

    @Override
    public void unsubscribe(String account, String name) {
        call(() -> rest.delete()
                .uri(uri -> expand(uri.path(ACCOUNT + "/subscriptions").queryParam("name", "{name}"), account, name))
                .retrieve()
                .toBodilessEntity());
    }

    // ---- messages ----

    @Override
    public MessagePage fetch(String account, long mailboxId, UidSet uids, FetchOptions options) {
        if (uids.isEmpty()) {
            return new MessagePage(List.of(), null);
        }
        return read(() -> rest.post().uri(uris.mailbox(account, mailboxId, "/messages/fetch"))
                .contentType(MediaType.APPLICATION_JSON)
                .body(json(new Fetch(uids.toString(), options.include(), options.changedSince(), options.limit())))
                .accept(MediaType.APPLICATION_JSON)
                .retrieve()
                .body(byte[].class), MessagePage.class);
    }

    @Override
    public List<MessageMetadata> findByEmailIds(String account, Collection<Long> emailIds, Set<MessagePart> include) {
        if (emailIds.isEmpty()) {
            return List.of();
        }
        return read(() -> rest.post().uri(ACCOUNT + "/messages/by-email-id", account)
                .contentType(MediaType.APPLICATION_JSON)
                .body(new ByEmailIds(List.copyOf(emailIds), include == null ? Set.of() : include))
                .accept(MediaType.APPLICATION_JSON)
                .retrieve()
                .body(byte[].class), MESSAGES);
    }

    @Override
    public InputStream openMessage(String account, long mailboxId, long uid) {
        return transport.stream(MAILBOX + "/messages/{uid}/raw", request -> { }, account, mailboxId, uid);
    }

    @Override
    public InputStream openMessage(String account, long mailboxId, long uid, long offset, long length) {
        if (offset < 0 || length < 0) {
            throw new IllegalArgumentException("offset and length must not be negative");
        }
        if (length == 0) {
            return InputStream.nullInputStream();
        }
        long last = length > Long.MAX_VALUE - offset ? Long.MAX_VALUE - 1 : offset + length - 1;
        try {
            return transport.stream(MAILBOX + "/messages/{uid}/raw",
                    request -> request.header(HttpHeaders.RANGE, "bytes=" + offset + "-" + last), account, mailboxId, uid);
        } catch (MailboxApiException e) {
            if (e.status() == 416) {
                return InputStream.nullInputStream(); // the range starts past the end: nothing there
            }
            throw e;
        }
    }

    @Override
    public MessageMetadata append(String account, long mailboxId, InputStream content, long size, Set<String> flags,
                                  Instant internalDate) {
        StringBuilder query = new StringBuilder();
        for (String flag : flags == null ? Set.<String>of() : flags) {
            query.append(query.isEmpty() ? '?' : '&').append("flags=").append(StoreUris.encode(flag));
        }
        if (internalDate != null) {
            query.append(query.isEmpty() ? '?' : '&').append("internalDate=")
                    .append(StoreUris.encode(internalDate.toString()));
        }
        return read(() -> rest.post()
                .uri(uris.mailbox(account, mailboxId, "/messages" + query))
                .contentType(MailboxApiTransport.MESSAGE_RFC822)
                .contentLength(size)
                .body(out -> {
                    try (content) {
                        content.transferTo(out);
                    } catch (IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                })
                .accept(MediaType.APPLICATION_JSON)
                .retrieve()
                .body(byte[].class), MessageMetadata.class);
    }

    @Override
    public FlagUpdateResult updateFlags(String account, long mailboxId, UidSet uids, FlagUpdate update, Long unchangedSince) {
        if (uids.isEmpty()) {
            return new FlagUpdateResult(List.of(), List.of(), mailbox(account, mailboxId)
                    .orElseThrow(() -> new MailboxApiException(404, "mailbox-not-found", "no mailbox " + mailboxId))
                    .highestModSeq());
        }
        return call(() -> rest.post().uri(uris.mailbox(account, mailboxId, "/flags"))
                .contentType(MediaType.APPLICATION_JSON)
                .body(json(new Flags(uids.toString(), update.mode(), update.flags(), unchangedSince)))
                .retrieve()
                .body(FlagUpdateResult.class));
    }

    @Override
    public TransferResult copy(String account, long fromMailboxId, UidSet uids, long toMailboxId) {
        return transfer("/copy", account, fromMailboxId, uids, toMailboxId);
    }

    @Override
    public TransferResult move(String account, long fromMailboxId, UidSet uids, long toMailboxId) {
        return transfer("/move", account, fromMailboxId, uids, toMailboxId);
    }

    private TransferResult transfer(String operation, String account, long from, UidSet uids, long to) {
        if (uids.isEmpty()) {
            throw new IllegalArgumentException("an empty UID set");
        }
        return call(() -> rest.post().uri(MAILBOX + operation, account, from)
                .contentType(MediaType.APPLICATION_JSON)
                .body(new Transfer(uids.toString(), to))
                .retrieve()
                .body(TransferResult.class));
    }

    @Override
    public ExpungeResult expunge(String account, long mailboxId, UidSet uids, boolean deletedOnly) {
        if (uids.isEmpty()) {
            throw new IllegalArgumentException("an empty UID set");
        }
        return call(() -> rest.post().uri(uris.mailbox(account, mailboxId, "/expunge"))
                .contentType(MediaType.APPLICATION_JSON)
                .body(json(new Expunge(uids.toString(), deletedOnly)))
                .retrieve()
                .body(ExpungeResult.class));
    }

    @Override
    public MailboxChanges changesSince(String account, long mailboxId, long sinceModSeq, int limit) {
        return call(() -> rest.get()
                .uri(uri -> expand(uri.path(MAILBOX + "/changes").queryParam("since", sinceModSeq).queryParam("limit", limit),
                        account, mailboxId))
                .retrieve()
                .body(MailboxChanges.class));
    }

    // ---- search, quota, METADATA ----

    @Override
    public List<Long> search(String account, long mailboxId, SearchCriterion criterion) {
        return call(() -> rest.post().uri(uris.mailbox(account, mailboxId, "/search"))
                .contentType(MediaType.APPLICATION_JSON)
                .body(json(new Search(criterion)))
                .retrieve()
                .body(SearchResult.class)).uids();
    }

    @Override
    public QuotaUsage quota(String account) {
        return call(() -> rest.get().uri(ACCOUNT + "/quota", account).retrieve().body(QuotaUsage.class));
    }

    @Override
    public List<MailboxAnnotation> annotations(String account, long mailboxId, Set<String> keys, MailboxAnnotation.Depth depth) {
        return call(() -> rest.get()
                .uri(uri -> {
                    uri.path(MAILBOX + "/annotations").queryParam("depth", depth == null ? MailboxAnnotation.Depth.ZERO : depth);
                    java.util.Map<String, Object> values = new java.util.HashMap<>();
                    values.put("address", account);
                    values.put("mailboxId", mailboxId);
                    int i = 0;
                    for (String key : keys == null ? Set.<String>of() : keys) {
                        uri.queryParam("key", "{k" + i + "}");
                        values.put("k" + i++, key);
                    }
                    return uri.build(values);
                })
                .retrieve()
                .body(ANNOTATIONS));
    }

    @Override
    public void setAnnotations(String account, long mailboxId, List<MailboxAnnotation> annotations) {
        call(() -> rest.put().uri(MAILBOX + "/annotations", account, mailboxId)
                .contentType(MediaType.APPLICATION_JSON)
                .body(annotations)
                .retrieve()
                .toBodilessEntity());
    }

    @Override
    public void close() {
        transport.close();
    }

    private <T> T call(Supplier<T> call) {
        return transport.call(call);
    }

    /**
     * A call whose JSON answer is read by {@link StoreJson}'s hand-written readers (metadata, pages: the answers a
     * gateway reads most) instead of the message converters' data binding. An answer it cannot read is an
     * unreadable answer, as the converters' failures are ({@link MailboxApiTransport#call}).
     */
    private <T> T read(Supplier<byte[]> call, Class<T> type) {
        byte[] body = call(call);
        return body == null || body.length == 0 ? null : decode(() -> StoreJson.MAPPER.readValue(body, type));
    }

    private <T> T read(Supplier<byte[]> call, TypeReference<T> type) {
        byte[] body = call(call);
        return body == null || body.length == 0 ? null : decode(() -> StoreJson.MAPPER.readValue(body, type));
    }

    /**
     * A request body of the frequent calls, written to bytes by the store's own mapper: the message converters would
     * look up a converter and build an {@code ObjectWriter} for it on every call.
     */
    private static byte[] json(Object body) {
        try {
            return StoreJson.MAPPER.writeValueAsBytes(body);
        } catch (JacksonException e) {
            // as the converters' failure to write would have ended (MailboxApiTransport#call)
            throw new MailboxApiUnavailableException("cannot write a request to mailbox-api: " + e.getOriginalMessage(), e);
        }
    }

    private static <T> T decode(Supplier<T> decode) {
        try {
            return decode.get();
        } catch (JacksonException e) {
            throw new MailboxApiUnavailableException("unreadable answer from mailbox-api: " + e.getOriginalMessage(), e);
        }
    }

    /** A 404 of the mailbox itself is "not there"; an unknown account stays an error. */
    private <T> Optional<T> optional(Supplier<T> call) {
        try {
            return Optional.ofNullable(call(call));
        } catch (MailboxApiException e) {
            if (e.status() == 404 && "mailbox-not-found".equals(e.code())) {
                return Optional.empty();
            }
            throw e;
        }
    }

    private static java.net.URI expand(UriBuilder uri, Object... values) {
        return uri.build(values);
    }

    record CreateMailbox(String name, MailboxRole role) {
    }

    record Name(String name) {
    }

    record Fetch(String uids, Set<MessagePart> include, Long changedSince, int limit) {
    }

    record ByEmailIds(List<Long> emailIds, Set<MessagePart> include) {
    }

    record Flags(String uids, FlagUpdate.Mode mode, Set<String> flags, Long unchangedSince) {
    }

    record Transfer(String uids, long to) {
    }

    record Expunge(String uidSet, boolean deletedOnly) {
    }

    record Search(SearchCriterion criterion) {
    }

    record SearchResult(List<Long> uids) {
    }
}
