package io.mailroom.mailbox.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.jspecify.annotations.Nullable;
import org.slf4j.MDC;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.client.AbstractStreamingClientHttpRequest;
import org.springframework.http.client.ClientHttpRequest;
import org.springframework.http.client.ClientHttpRequestFactory;
import org.springframework.http.client.ClientHttpResponse;

/**
 * The requests {@link MailboxApiTransport}'s {@code RestClient} makes, on the JDK {@link HttpClient}, without the
 * per-call costs of Spring's {@code JdkClientHttpRequestFactory}:
 * <ul>
 *   <li>a request body is written by the calling thread, not handed to another thread through a publisher; up to
 *       {@link #BUFFERED_BODY_LIMIT} bytes it is sent as one array, beyond that it is streamed through a small bounded
 *       pipe while the caller goes on writing, so a large APPEND never sits in the heap whole;</li>
 *   <li>the time limit is the JDK's own ({@link HttpRequest.Builder#timeout}: until the response headers) plus one
 *       deadline for reading the rest of the answer, armed once per call. Spring's read timeout instead chains a
 *       future per call and cancels it when the response closes: three exceptions thrown and caught per call;</li>
 *   <li>the caller's trace id travels as {@value MailboxApiTransport#TRACE_ID_HEADER} without a request interceptor
 *       (with one, {@code RestClient} buffers every body in full before the request starts).</li>
 * </ul>
 * {@code readTimeout} bounds one call: the response headers must arrive within it, and the body must be read within
 * it, counted from the start of the call.
 */
final class MailboxApiRequestFactory implements ClientHttpRequestFactory {

    /** Request bodies up to this size go out as one array; larger ones are streamed. */
    static final int BUFFERED_BODY_LIMIT = 256 * 1024;
    /** How much of an unread answer is drained on close to keep the connection; beyond it the connection is dropped. */
    private static final int DRAIN_LIMIT = 64 * 1024;
    /** Headers the JDK client sets itself and refuses from callers. */
    private static final Set<String> RESTRICTED_HEADERS = Set.of("connection", "content-length", "expect", "host", "upgrade");

    private final HttpClient client;
    private final Duration timeout;
    private final ScheduledExecutorService watchdog;

    MailboxApiRequestFactory(HttpClient client, Duration timeout, ScheduledExecutorService watchdog) {
        this.client = client;
        this.timeout = timeout;
        this.watchdog = watchdog;
    }

    @Override
    public ClientHttpRequest createRequest(URI uri, HttpMethod method) {
        return new Request(uri, method);
    }

    private final class Request extends AbstractStreamingClientHttpRequest {

        private final URI uri;
        private final HttpMethod method;

        Request(URI uri, HttpMethod method) {
            this.uri = uri;
            this.method = method;
        }

        @Override
        public HttpMethod getMethod() {
            return method;
        }

        @Override
        public URI getURI() {
            return uri;
        }

        @Override
        protected ClientHttpResponse executeInternal(HttpHeaders headers, @Nullable Body body) throws IOException {
            long deadline = System.nanoTime() + timeout.toNanos();
            HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout);
            headers.forEach((name, values) -> {
                if (!RESTRICTED_HEADERS.contains(name.toLowerCase(Locale.ROOT))) {
                    values.forEach(value -> request.header(name, value));
                }
            });
            if (!headers.containsHeader(MailboxApiTransport.TRACE_ID_HEADER)) {
                String traceId = MDC.get(MailboxApiTransport.TRACE_ID_MDC_KEY);
                if (traceId != null) {
                    request.header(MailboxApiTransport.TRACE_ID_HEADER, traceId);
                }
            }
            if (body == null) {
                return send(request.method(method.name(), HttpRequest.BodyPublishers.noBody()), deadline);
            }
            RequestBody out = new RequestBody(request, method.name(), deadline);
            try {
                body.writeTo(out);
                return out.finish();
            } catch (IOException | RuntimeException e) {
                return out.failed(e);
            }
        }
    }

    private ClientHttpResponse send(HttpRequest.Builder request, long deadline) throws IOException {
        try {
            return new Response(client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream()), deadline);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for mailbox-api");
        }
    }

    private ClientHttpResponse await(CompletableFuture<HttpResponse<InputStream>> exchange, long deadline) throws IOException {
        try {
            // the JDK's own timeout ends the exchange first; this bound only guards against it not doing so
            long wait = Math.max(0, deadline - System.nanoTime()) + TimeUnit.SECONDS.toNanos(1);
            return new Response(exchange.get(wait, TimeUnit.NANOSECONDS), deadline);
        } catch (InterruptedException e) {
            exchange.cancel(true);
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for mailbox-api");
        } catch (TimeoutException e) {
            exchange.cancel(true);
            throw new java.net.http.HttpTimeoutException("mailbox-api did not answer within " + timeout);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw cause instanceof IOException io ? io : new IOException(String.valueOf(cause), cause);
        }
    }

    /**
     * Collects a request body on the writing thread; past {@link #BUFFERED_BODY_LIMIT} it starts the exchange and
     * streams the rest through a {@link Pipe}.
     */
    private final class RequestBody extends OutputStream {

        private final HttpRequest.Builder request;
        private final String method;
        private final long deadline;
        private byte[] buffer = new byte[1024];
        private int count;
        private @Nullable Pipe pipe;
        private @Nullable CompletableFuture<HttpResponse<InputStream>> exchange;

        RequestBody(HttpRequest.Builder request, String method, long deadline) {
            this.request = request;
            this.method = method;
            this.deadline = deadline;
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            if (pipe != null) {
                pipe.write(bytes, offset, length);
                return;
            }
            if (count + length <= BUFFERED_BODY_LIMIT) {
                if (count + length > buffer.length) {
                    buffer = Arrays.copyOf(buffer, Math.min(BUFFERED_BODY_LIMIT, Math.max(count + length, buffer.length * 2)));
                }
                System.arraycopy(bytes, offset, buffer, count, length);
                count += length;
                return;
            }
            Pipe started = new Pipe(deadline);
            pipe = started;
            exchange = client.sendAsync(request.method(method, HttpRequest.BodyPublishers.ofInputStream(started::source)).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            // an answer before the whole body went out (a refusal, a failure): stop writing what nobody reads
            exchange.whenComplete((response, failure) -> started.readerGone());
            started.write(buffer, 0, count);
            buffer = null;
            started.write(bytes, offset, length);
        }

        ClientHttpResponse finish() throws IOException {
            if (pipe == null) {
                return send(request.method(method, HttpRequest.BodyPublishers.ofByteArray(buffer, 0, count)), deadline);
            }
            pipe.close();
            return await(exchange, deadline);
        }

        ClientHttpResponse failed(Exception e) throws IOException {
            if (pipe == null) {
                throw e instanceof IOException io ? io : new IOException("could not write the request body", e);
            }
            pipe.fail(e);
            if (exchange.isDone() && !exchange.isCompletedExceptionally()) {
                return await(exchange, deadline); // mailbox-api answered early (e.g. 413): that answer is the result
            }
            exchange.cancel(true);
            throw e instanceof IOException io ? io : new IOException("could not write the request body", e);
        }
    }

    /**
     * A bounded hand-over of body chunks from the writing thread to the HTTP client's sending thread: at most
     * {@code CHUNKS} chunks of {@code CHUNK} bytes wait, so a large body costs a fixed amount of memory.
     */
    static final class Pipe {

        private static final int CHUNK = 64 * 1024;
        private static final int CHUNKS = 4;
        private static final byte[] END = new byte[0];

        private final ArrayBlockingQueue<byte[]> chunks = new ArrayBlockingQueue<>(CHUNKS + 1);
        private final long deadline;
        private volatile boolean readerGone;
        private volatile @Nullable Exception writerFailure;
        private byte @Nullable [] filling;
        private int filled;

        Pipe(long deadline) {
            this.deadline = deadline;
        }

        void write(byte[] bytes, int offset, int length) throws IOException {
            while (length > 0) {
                if (filling == null) {
                    filling = new byte[CHUNK];
                    filled = 0;
                }
                int n = Math.min(length, CHUNK - filled);
                System.arraycopy(bytes, offset, filling, filled, n);
                filled += n;
                offset += n;
                length -= n;
                if (filled == CHUNK) {
                    hand(filling);
                    filling = null;
                }
            }
        }

        void close() throws IOException {
            if (filling != null) {
                hand(Arrays.copyOf(filling, filled));
                filling = null;
            }
            hand(END);
        }

        void fail(Exception e) {
            writerFailure = e;
            chunks.clear();
            chunks.offer(END); // wakes the reader, which sees the failure
        }

        void readerGone() {
            readerGone = true;
        }

        private void hand(byte[] chunk) throws IOException {
            try {
                while (!chunks.offer(chunk, 50, TimeUnit.MILLISECONDS)) {
                    if (readerGone) {
                        throw new IOException("mailbox-api stopped reading the request body");
                    }
                    if (System.nanoTime() - deadline > 0) {
                        throw new java.net.http.HttpTimeoutException("mailbox-api did not take the request body in time");
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while sending to mailbox-api");
            }
        }

        InputStream source() {
            return new InputStream() {
                private byte @Nullable [] chunk;
                private int position;

                @Override
                public int read() throws IOException {
                    byte[] one = new byte[1];
                    return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
                }

                @Override
                public int read(byte[] into, int offset, int length) throws IOException {
                    if (length == 0) {
                        return 0;
                    }
                    while (chunk == null || position == chunk.length) {
                        if (chunk == END) {
                            return -1;
                        }
                        chunk = next();
                        position = 0;
                        if (chunk == END) {
                            Exception failure = writerFailure;
                            if (failure != null) {
                                throw new IOException("the request body could not be written", failure);
                            }
                            return -1;
                        }
                    }
                    int n = Math.min(length, chunk.length - position);
                    System.arraycopy(chunk, position, into, offset, n);
                    position += n;
                    return n;
                }

                private byte[] next() throws IOException {
                    try {
                        long wait = Math.max(1, deadline - System.nanoTime());
                        byte[] next = chunks.poll(wait, TimeUnit.NANOSECONDS);
                        if (next == null) {
                            throw new IOException("the request body was not written in time");
                        }
                        return next;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("interrupted while reading the request body");
                    }
                }
            };
        }
    }

    /** An answer whose body must be read by the call's deadline; reading past it fails instead of hanging. */
    private final class Response implements ClientHttpResponse {

        private final HttpResponse<InputStream> response;
        private final InputStream body;
        private final ScheduledFuture<?> alarm;
        private @Nullable HttpHeaders headers;

        Response(HttpResponse<InputStream> response, long deadline) {
            this.response = response;
            this.body = response.body();
            this.alarm = watchdog.schedule(this::closeQuietly, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        }

        @Override
        public HttpStatusCode getStatusCode() {
            return HttpStatusCode.valueOf(response.statusCode());
        }

        @Override
        public String getStatusText() {
            HttpStatus status = HttpStatus.resolve(response.statusCode());
            return status != null ? status.getReasonPhrase() : "";
        }

        @Override
        public HttpHeaders getHeaders() {
            if (headers == null) {
                HttpHeaders copy = new HttpHeaders();
                response.headers().map().forEach((name, values) -> {
                    if (!name.startsWith(":")) {
                        copy.addAll(name, values);
                    }
                });
                headers = HttpHeaders.readOnlyHttpHeaders(copy);
            }
            return headers;
        }

        @Override
        public InputStream getBody() {
            return body;
        }

        @Override
        public void close() {
            alarm.cancel(false);
            try {
                byte[] sink = new byte[8192];
                int drained = 0;
                int n;
                while (drained < DRAIN_LIMIT && (n = body.read(sink)) >= 0) {
                    drained += n;
                }
            } catch (IOException ignored) {
                // closed below either way
            }
            closeQuietly();
        }

        private void closeQuietly() {
            try {
                body.close();
            } catch (IOException ignored) {
                // nothing to do: the connection is dropped
            }
        }
    }
}
