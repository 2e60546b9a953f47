package io.mailroom.mailbox.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;

import org.slf4j.MDC;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.http.client.JdkClientHttpRequestFactory;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;
import org.springframework.web.util.DefaultUriBuilderFactory;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@link MailboxApiClient} over HTTP: Spring's {@link RestClient} on the JDK {@link HttpClient}. The wire format is
 * described in {@code docs/rest-api.md} ("Gateway API").
 *
 * <p>Every JSON call is bounded by {@code read-timeout} from start to end. {@link #openMessage} streams, so a
 * whole-exchange limit would cut off a slow reader; there the limit applies to the response headers and then to
 * every single read of the body, which still turns a stalled mailbox-api into an error instead of a hung thread.
 */
public class HttpMailboxApiClient implements MailboxApiClient, AutoCloseable {

    /** The header that carries a request's trace id from service to service. */
    public static final String TRACE_ID_HEADER = "X-Trace-Id";
    /** The MDC key every Mailroom service logs the trace id under. */
    public static final String TRACE_ID_MDC_KEY = "traceId";

    static final MediaType MESSAGE_RFC822 = MediaType.parseMediaType("message/rfc822");
    private static final int MAX_ERROR_BODY = 64 * 1024;
    private static final String AUTH_FAILED = "auth-failed";
    private static final String AUTH_LOCKED = "auth-locked";

    private final MailboxApiProperties properties;
    private final String authorization;
    private final HttpClient httpClient;
    private final RestClient restClient;
    private final DefaultUriBuilderFactory uris;
    private final ScheduledExecutorService readWatchdog;
    private final JsonMapper json = JsonMapper.builder().build();

    public HttpMailboxApiClient(MailboxApiProperties properties, String internalToken, RestClient.Builder builder) {
        this.properties = Objects.requireNonNull(properties, "properties");
        if (internalToken == null || internalToken.isBlank()) {
            throw new IllegalArgumentException("mailroom.internal.token must be set to call mailbox-api");
        }
        this.authorization = "Bearer " + internalToken;
        this.httpClient = HttpClient.newBuilder()
                .connectTimeout(properties.connectTimeout())
                // plain HTTP/1.1: no h2c upgrade round trip, and the behaviour tests see is the behaviour production sees
                .version(HttpClient.Version.HTTP_1_1)
                .build();
        JdkClientHttpRequestFactory requestFactory = new JdkClientHttpRequestFactory(httpClient);
        requestFactory.setReadTimeout(properties.readTimeout());
        this.uris = new DefaultUriBuilderFactory(properties.baseUrl().toString());
        // values are encoded strictly: '+', '@', ':' and friends in addresses and delivery ids survive the trip
        this.uris.setEncodingMode(DefaultUriBuilderFactory.EncodingMode.TEMPLATE_AND_VALUES);
        this.restClient = builder.clone()
                .requestFactory(requestFactory)
                .uriBuilderFactory(uris)
                .defaultHeader(HttpHeaders.AUTHORIZATION, authorization)
                .requestInterceptor((request, body, execution) -> {
                    String traceId = MDC.get(TRACE_ID_MDC_KEY);
                    if (traceId != null && !request.getHeaders().containsHeader(TRACE_ID_HEADER)) {
                        request.getHeaders().set(TRACE_ID_HEADER, traceId);
                    }
                    return execution.execute(request, body);
                })
                .defaultStatusHandler(HttpStatusCode::isError, (request, response) -> {
                    throw failure(response.getStatusCode().value(), readErrorBody(response));
                })
                .build();
        ScheduledThreadPoolExecutor watchdog = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "mailbox-api-read-watchdog");
            thread.setDaemon(true);
            return thread;
        });
        watchdog.setRemoveOnCancelPolicy(true);
        this.readWatchdog = watchdog;
    }

    /** A client without Spring Boot around it: for tests and tools. */
    public static HttpMailboxApiClient create(MailboxApiProperties properties, String internalToken) {
        return new HttpMailboxApiClient(properties, internalToken, RestClient.builder());
    }

    @Override
    public AuthenticatedAccount authenticate(String username, String password, String protocol, String remoteIp) {
        return call(() -> restClient.post()
                .uri("/internal/v1/authentications")
                .contentType(MediaType.APPLICATION_JSON)
                .body(new AuthenticationRequest(username, password, protocol, remoteIp))
                .retrieve()
                .onStatus(status -> status.value() == 401, (request, response) -> {
                    Map<String, Object> problem = readErrorBody(response);
                    Object code = problem.get("code");
                    if (AUTH_FAILED.equals(code) || AUTH_LOCKED.equals(code)) {
                        boolean temporary = AUTH_LOCKED.equals(code) || Boolean.TRUE.equals(problem.get("temporary"));
                        throw new AuthenticationFailedException(401, (String) code, detail(problem, 401), temporary);
                    }
                    // any other 401 means mailbox-api refused *our* token: a configuration fault, not bad user credentials
                    throw failure(401, problem);
                })
                .body(AuthenticatedAccount.class));
    }

    @Override
    public RecipientResolution resolveRecipient(String address) {
        return call(() -> restClient.get()
                .uri(uri -> uri.path("/internal/v1/recipients").queryParam("address", "{address}").build(address))
                .retrieve()
                .body(RecipientResolution.class));
    }

    @Override
    public FiledMessage fileMessage(String account, String deliveryId, byte[] content, String traceId) {
        if (deliveryId == null || deliveryId.isBlank() || deliveryId.length() > 255
                || deliveryId.indexOf('/') >= 0 || deliveryId.indexOf('\\') >= 0) {
            // mailbox-api's web server refuses encoded slashes in a path, so say so here rather than get an HTML 400
            throw new MailboxApiException(400, "validation",
                    "delivery id must be 1 to 255 characters without '/' or '\\': " + deliveryId);
        }
        return call(() -> restClient.put()
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
        return call(() -> restClient.get()
                .uri("/internal/v1/accounts/{address}/maildrop", account)
                .retrieve()
                .body(Maildrop.class));
    }

    @Override
    public InputStream openMessage(String account, long mailboxId, long uid) {
        URI uri = uris.expand("/internal/v1/accounts/{address}/mailboxes/{mailboxId}/messages/{uid}/raw",
                account, mailboxId, uid);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(properties.readTimeout()) // until the response headers arrive
                .header(HttpHeaders.AUTHORIZATION, authorization)
                .header(HttpHeaders.ACCEPT, MESSAGE_RFC822.toString() + ", application/problem+json")
                .GET();
        String traceId = MDC.get(TRACE_ID_MDC_KEY);
        if (traceId != null) {
            request.header(TRACE_ID_HEADER, traceId);
        }
        HttpResponse<InputStream> response;
        try {
            response = httpClient.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw unavailable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MailboxApiUnavailableException("interrupted while waiting for mailbox-api", e);
        }
        if (response.statusCode() >= 400) {
            Map<String, Object> problem;
            try (InputStream body = response.body()) {
                problem = parseProblem(body.readNBytes(MAX_ERROR_BODY));
            } catch (IOException e) {
                problem = Map.of();
            }
            throw failure(response.statusCode(), problem);
        }
        return new ReadTimeoutInputStream(response.body(), properties.readTimeout(), readWatchdog);
    }

    @Override
    public void expunge(String account, long mailboxId, Collection<Long> uids) {
        if (uids.isEmpty()) {
            return;
        }
        call(() -> restClient.post()
                .uri("/internal/v1/accounts/{address}/mailboxes/{mailboxId}/expunge", account, mailboxId)
                .contentType(MediaType.APPLICATION_JSON)
                .body(new ExpungeRequest(List.copyOf(uids)))
                .retrieve()
                .toBodilessEntity());
    }

    @Override
    public void close() {
        readWatchdog.shutdownNow();
        httpClient.close();
    }

    private <T> T call(java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (MailboxApiException | MailboxApiUnavailableException e) {
            throw e;
        } catch (ResourceAccessException e) {
            throw unavailable(e.getCause() != null ? e.getCause() : e);
        } catch (RestClientException | UncheckedIOException e) {
            // an answer we cannot read is no better than none: the caller should try again later
            throw new MailboxApiUnavailableException("unreadable answer from mailbox-api: " + e.getMessage(), e);
        }
    }

    private MailboxApiUnavailableException unavailable(Throwable cause) {
        return new MailboxApiUnavailableException("mailbox-api at " + properties.baseUrl() + " is unavailable: " + cause, cause);
    }

    private RuntimeException failure(int status, Map<String, Object> problem) {
        if (status >= 500) {
            return new MailboxApiUnavailableException("mailbox-api failed with " + status + ": " + detail(problem, status), null);
        }
        Object code = problem.get("code");
        return new MailboxApiException(status, code instanceof String s ? s : "http-" + status, detail(problem, status));
    }

    private static String detail(Map<String, Object> problem, int status) {
        Object detail = problem.get("detail");
        if (detail instanceof String s) {
            return s;
        }
        Object title = problem.get("title");
        return title instanceof String s ? s : "HTTP " + status;
    }

    private Map<String, Object> readErrorBody(ClientHttpResponse response) {
        try (InputStream body = response.getBody()) {
            return parseProblem(body.readNBytes(MAX_ERROR_BODY));
        } catch (IOException e) {
            return Map.of();
        }
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> parseProblem(byte[] body) {
        if (body.length == 0) {
            return Map.of();
        }
        try {
            Object parsed = json.readValue(body, Object.class);
            return parsed instanceof Map<?, ?> map ? (Map<String, Object>) map : Map.of();
        } catch (JacksonException e) {
            return Map.of(); // not a problem document (a proxy's HTML page, say)
        }
    }

    record AuthenticationRequest(String username, String password, String protocol, String remoteIp) {
        @Override
        public String toString() {
            return "AuthenticationRequest[username=" + username + ", protocol=" + protocol + ", remoteIp=" + remoteIp + "]";
        }
    }

    record ExpungeRequest(List<Long> uids) {
    }
}
