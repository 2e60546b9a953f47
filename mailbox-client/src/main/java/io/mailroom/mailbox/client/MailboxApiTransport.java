package io.mailroom.mailbox.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.slf4j.MDC;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.client.ClientHttpResponse;
import org.springframework.web.client.ResourceAccessException;
import org.springframework.web.client.RestClient;
import org.springframework.web.client.RestClientException;
import org.springframework.web.util.DefaultUriBuilderFactory;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The HTTP plumbing every mailbox-api client shares: Spring's {@link RestClient} on the JDK {@link HttpClient} with
 * the internal token, the caller's trace id, bounded timeouts, strict URI encoding, and one mapping of failures to
 * {@link MailboxApiUnavailableException} (unreachable, timed out, 5xx, unreadable) and {@link MailboxApiException}
 * (any other 4xx, with its problem code). Streamed bodies are bounded per read ({@link #stream}).
 */
public final class MailboxApiTransport implements AutoCloseable {

    /** The header that carries a request's trace id from service to service. */
    public static final String TRACE_ID_HEADER = "X-Trace-Id";
    /** The MDC key every Mailroom service logs the trace id under. */
    public static final String TRACE_ID_MDC_KEY = "traceId";
    public static final MediaType MESSAGE_RFC822 = MediaType.parseMediaType("message/rfc822");

    private static final int MAX_ERROR_BODY = 64 * 1024;

    private final MailboxApiProperties properties;
    private final String authorization;
    private final HttpClient httpClient;
    private final RestClient restClient;
    private final DefaultUriBuilderFactory uris;
    private final ScheduledExecutorService readWatchdog;
    private final JsonMapper json = JsonMapper.builder().build();

    public MailboxApiTransport(MailboxApiProperties properties, String internalToken, RestClient.Builder builder) {
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
        ScheduledThreadPoolExecutor watchdog = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "mailbox-api-read-watchdog");
            thread.setDaemon(true);
            return thread;
        });
        watchdog.setRemoveOnCancelPolicy(true);
        this.readWatchdog = watchdog;
        this.uris = new DefaultUriBuilderFactory(properties.baseUrl().toString());
        // values are encoded strictly: '+', '@', ':', '/' and friends in addresses and names survive the trip
        this.uris.setEncodingMode(DefaultUriBuilderFactory.EncodingMode.TEMPLATE_AND_VALUES);
        this.restClient = builder.clone()
                // bodies written on the calling thread, one deadline per call, the trace id added: no interceptor,
                // which would make RestClient buffer every body in full
                .requestFactory(new MailboxApiRequestFactory(httpClient, properties.readTimeout(), readWatchdog))
                .uriBuilderFactory(uris)
                .defaultHeader(HttpHeaders.AUTHORIZATION, authorization)
                .defaultStatusHandler(HttpStatusCode::isError, (request, response) -> {
                    throw failure(response.getStatusCode().value(), readErrorBody(response));
                })
                .build();
    }

    public MailboxApiProperties properties() {
        return properties;
    }

    public RestClient rest() {
        return restClient;
    }

    public JsonMapper json() {
        return json;
    }

    /** Runs a call, turning transport failures into the documented exceptions. */
    public <T> T call(Supplier<T> call) {
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

    /**
     * A GET whose body is streamed to the caller: the timeout applies to the response headers and then to each read
     * of the body, so a slow reader is fine and a stalled server becomes an {@link IOException}.
     *
     * @param headers extra request headers (e.g. {@code Range})
     */
    public InputStream stream(String uriTemplate, Consumer<HttpRequest.Builder> headers, Object... variables) {
        URI uri = uris.expand(uriTemplate, variables);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .header(HttpHeaders.ACCEPT, MESSAGE_RFC822.toString() + ", application/problem+json")
                .GET();
        headers.accept(request);
        return send(request);
    }

    /**
     * A POST of a JSON body whose answer is streamed to the caller, bounded like {@link #stream}.
     *
     * @param accept the media type of the answer the caller reads
     */
    public InputStream streamPost(String uriTemplate, Object jsonBody, MediaType accept, Object... variables) {
        URI uri = uris.expand(uriTemplate, variables);
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .header(HttpHeaders.ACCEPT, accept.toString() + ", application/problem+json")
                .header(HttpHeaders.CONTENT_TYPE, MediaType.APPLICATION_JSON_VALUE)
                .POST(HttpRequest.BodyPublishers.ofByteArray(json.writeValueAsBytes(jsonBody)));
        return send(request);
    }

    private InputStream send(HttpRequest.Builder request) {
        request.timeout(properties.readTimeout()) // until the response headers arrive
                .header(HttpHeaders.AUTHORIZATION, authorization);
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

    public MailboxApiUnavailableException unavailable(Throwable cause) {
        return new MailboxApiUnavailableException("mailbox-api at " + properties.baseUrl() + " is unavailable: " + cause, cause);
    }

    public RuntimeException failure(int status, Map<String, Object> problem) {
        if (status >= 500) {
            return new MailboxApiUnavailableException("mailbox-api failed with " + status + ": " + detail(problem, status), null);
        }
        Object code = problem.get("code");
        return new MailboxApiException(status, code instanceof String s ? s : "http-" + status, detail(problem, status));
    }

    public static String detail(Map<String, Object> problem, int status) {
        Object detail = problem.get("detail");
        if (detail instanceof String s) {
            return s;
        }
        Object title = problem.get("title");
        return title instanceof String s ? s : "HTTP " + status;
    }

    public Map<String, Object> readErrorBody(ClientHttpResponse response) {
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

    @Override
    public void close() {
        readWatchdog.shutdownNow();
        httpClient.close();
    }
}
