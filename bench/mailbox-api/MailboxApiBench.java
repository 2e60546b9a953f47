import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * mailbox-api's benchmark (issue 3), run by run.sh against a running service: JDK only, so it runs as
 * {@code java MailboxApiBench.java <scenario> …} without a build.
 *
 * <ul>
 *   <li>{@code filing <base> <accounts> <messages> <concurrency>}: files distinct 10 KB messages through
 *   {@code PUT /internal/v1/accounts/{a}/deliveries/{id}} into that many accounts; prints msgs/s and latency
 *   percentiles.</li>
 *   <li>{@code filing-batch <base> <accounts> <copies> <concurrency> <recipients>}: files distinct 10 KB messages for
 *   {@code recipients} accounts each through {@code POST /internal/v1/deliveries} (what delivery-service does for a
 *   message with several local recipients) until {@code copies} copies are filed; prints copies/s and the latency
 *   percentiles of the requests.</li>
 *   <li>{@code metadata <base> <account> <mailboxId> <messages> <requests> <concurrency> [include]}: fetches the metadata
 *   of 500 consecutive UIDs at random places of a mailbox in one call each; prints latency percentiles.</li>
 *   <li>{@code large <base> <account> <megabytes>}: files one message of that size and reads it back, sampling the
 *   service's heap from /actuator/prometheus meanwhile; prints the largest heap seen.</li>
 * </ul>
 */
public class MailboxApiBench {

    static final String INTERNAL = "Bearer " + System.getenv().getOrDefault("MAILROOM_INTERNAL_TOKEN", "bench-internal-token");
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "warm-up" -> warmUp(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            case "filing" -> filing(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]), Integer.parseInt(args[4]));
            case "filing-batch" -> filingBatch(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]), Integer.parseInt(args[5]));
            case "filing-many" -> filingMany(args[1], Integer.parseInt(args[2]), Integer.parseInt(args[3]),
                    Integer.parseInt(args[4]), Integer.parseInt(args[5]));
            case "metadata" -> metadata(args[1], args[2], Long.parseLong(args[3]), Integer.parseInt(args[4]),
                    Integer.parseInt(args[5]), Integer.parseInt(args[6]), args.length > 7 ? args[7] : "");
            case "large" -> large(args[1], args[2], Integer.parseInt(args[3]));
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    /**
     * Brings the service to its steady state before anything is measured: {@code messages} filings through the single
     * call and as many again {@code 16} per request, none of them timed. The figures that follow are then those of a
     * service that has been running a while, not of its JIT compiling the filing path.
     */
    static void warmUp(String base, int accounts, int messages, int concurrency) throws Exception {
        String domain = System.getenv().getOrDefault("BENCH_DOMAIN", "bench.test");
        long started = System.nanoTime();
        run(concurrency, messages, i -> file(base, "user" + (i % accounts) + "@" + domain, "service-warm-" + i,
                message(i + 6_000_000_000L, 10 * 1024)));
        run(4, messages / 16, i -> fileMany(base, domain, accounts, 16, i, "service-warm-many-", 7_000_000_000L));
        System.out.printf("service warm-up: %d messages filed one per request and %d sixteen per request in %.1f s (not measured)%n",
                messages, messages / 16 * 16, (System.nanoTime() - started) / 1e9);
    }

    static void filing(String base, int accounts, int messages, int concurrency) throws Exception {
        String domain = System.getenv().getOrDefault("BENCH_DOMAIN", "bench.test");
        // a few warm-up filings so that the JIT and the connection pools are not what is measured
        run(concurrency, 500, i -> file(base, "user" + (i % accounts) + "@" + domain, "warm-" + i, message(i + 1_000_000_000L, 10 * 1024)));
        long[] latencies = new long[messages];
        long started = System.nanoTime();
        run(concurrency, messages, i -> {
            long t0 = System.nanoTime();
            file(base, "user" + (i % accounts) + "@" + domain, "bench-" + i, message(i, 10 * 1024));
            latencies[i] = System.nanoTime() - t0;
        });
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("filing: %d messages of 10 KB into %d accounts, %d concurrent requests: %.0f msgs/s; %s%n",
                messages, accounts, concurrency, messages / seconds, percentiles(latencies));
    }

    static void filingBatch(String base, int accounts, int copies, int concurrency, int recipients) throws Exception {
        String domain = System.getenv().getOrDefault("BENCH_DOMAIN", "bench.test");
        int requests = copies / recipients;
        run(concurrency, Math.max(50, 500 / recipients), i -> fileBatch(base, domain, accounts, recipients, i, "warm-batch-",
                message(i + 2_000_000_000L, 10 * 1024)));
        long[] latencies = new long[requests];
        long started = System.nanoTime();
        run(concurrency, requests, i -> {
            long t0 = System.nanoTime();
            fileBatch(base, domain, accounts, recipients, i, "batch-", message(i + 3_000_000_000L, 10 * 1024));
            latencies[i] = System.nanoTime() - t0;
        });
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("filing in batches: %d messages of 10 KB for %d recipients each (%d copies) into %d accounts, "
                        + "%d concurrent requests: %.0f copies/s (%.0f requests/s); per request %s%n",
                requests, recipients, requests * recipients, accounts, concurrency, requests * recipients / seconds,
                requests / seconds, percentiles(latencies));
    }

    /**
     * Distinct messages, {@code perRequest} in each request ({@code POST /internal/v1/deliveries/batch}, as delivery-service
     * files the messages it took off the queue together), each for its own account. A message's filing latency is its
     * request's.
     */
    static void filingMany(String base, int accounts, int messages, int concurrency, int perRequest) throws Exception {
        String domain = System.getenv().getOrDefault("BENCH_DOMAIN", "bench.test");
        int requests = messages / perRequest;
        run(concurrency, Math.max(20, 500 / perRequest), i -> fileMany(base, domain, accounts, perRequest, i, "warm-many-", 4_000_000_000L));
        long[] latencies = new long[requests];
        long started = System.nanoTime();
        run(concurrency, requests, i -> {
            long t0 = System.nanoTime();
            fileMany(base, domain, accounts, perRequest, i, "many-", 5_000_000_000L);
            latencies[i] = System.nanoTime() - t0;
        });
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf("filing many per request: %d messages of 10 KB, %d per request, into %d accounts, %d concurrent "
                        + "requests: %.0f msgs/s (%.0f requests/s); per message (its request) %s%n",
                requests * perRequest, perRequest, accounts, concurrency, requests * perRequest / seconds, requests / seconds,
                percentiles(latencies));
    }

    static void fileMany(String base, String domain, int accounts, int perRequest, int n, String prefix, long numbers)
            throws Exception {
        String boundary = "bench-" + n + "-" + System.nanoTime();
        StringBuilder json = new StringBuilder("{\"deliveries\":[");
        java.io.ByteArrayOutputStream messages = new java.io.ByteArrayOutputStream(perRequest * 11 * 1024);
        for (int m = 0; m < perRequest; m++) {
            long number = (long) n * perRequest + m;
            String account = "user" + (number % accounts) + "@" + domain;
            json.append(m == 0 ? "" : ",").append("{\"account\":\"").append(account).append("\",\"deliveryId\":\"")
                    .append(prefix).append(number).append("\"}");
            messages.writeBytes(("\r\n--" + boundary + "\r\nContent-Disposition: form-data; name=\"message\"; filename=\"m"
                    + m + ".eml\"\r\nContent-Type: message/rfc822\r\n\r\n").getBytes(StandardCharsets.UTF_8));
            messages.writeBytes(message(numbers + number, 10 * 1024));
        }
        json.append("]}");
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream(messages.size() + json.length() + 512);
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"deliveries\"\r\n"
                + "Content-Type: application/json\r\n\r\n" + json).getBytes(StandardCharsets.UTF_8));
        body.writeBytes(messages.toByteArray());
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/internal/v1/deliveries/batch"))
                        .header("Authorization", INTERNAL).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                        .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200 || response.body().contains("\"REFUSED\"")) {
            throw new IllegalStateException("filing many failed: " + response.statusCode() + " " + response.body());
        }
    }

    static void fileBatch(String base, String domain, int accounts, int recipients, int n, String prefix, byte[] content)
            throws Exception {
        StringBuilder json = new StringBuilder("{\"recipients\":[");
        for (int r = 0; r < recipients; r++) {
            String account = "user" + ((n * recipients + r) % accounts) + "@" + domain;
            json.append(r == 0 ? "" : ",").append("{\"account\":\"").append(account).append("\",\"deliveryId\":\"")
                    .append(prefix).append(n).append(':').append(account).append("\"}");
        }
        json.append("]}");
        String boundary = "bench-" + n + "-" + System.nanoTime();
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream(content.length + json.length() + 512);
        body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"recipients\"\r\n"
                + "Content-Type: application/json\r\n\r\n" + json + "\r\n--" + boundary
                + "\r\nContent-Disposition: form-data; name=\"message\"; filename=\"message.eml\"\r\n"
                + "Content-Type: message/rfc822\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.writeBytes(content);
        body.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/internal/v1/deliveries"))
                        .header("Authorization", INTERNAL).header("Content-Type", "multipart/form-data; boundary=" + boundary)
                        .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200 || response.body().contains("\"REFUSED\"")) {
            throw new IllegalStateException("batch filing failed: " + response.statusCode() + " " + response.body());
        }
    }

    static void metadata(String base, String account, long mailboxId, int messages, int requests, int concurrency,
                         String include) throws Exception {
        Random random = new Random(42);
        long[] latencies = new long[requests];
        AtomicLong returned = new AtomicLong();
        String includeJson = include.isBlank() ? "[]" : "[\"" + String.join("\",\"", include.split(",")) + "\"]";
        run(concurrency, 200, i -> fetch(base, account, mailboxId, 1 + random.nextInt(messages - 500), includeJson));
        run(concurrency, requests, i -> {
            long first;
            synchronized (random) {
                first = 1 + random.nextInt(messages - 500);
            }
            long t0 = System.nanoTime();
            int count = fetch(base, account, mailboxId, first, includeJson);
            latencies[i] = System.nanoTime() - t0;
            returned.addAndGet(count);
        });
        System.out.printf("metadata: 500 of %d messages per call%s, %d calls, %d concurrent: %s (%d messages per call on average)%n",
                messages, include.isBlank() ? "" : " with " + include, requests, concurrency, percentiles(latencies),
                returned.get() / requests);
    }

    static void large(String base, String account, int megabytes) throws Exception {
        long size = megabytes * 1024L * 1024L;
        AtomicLong maxHeap = new AtomicLong();
        AtomicInteger stop = new AtomicInteger();
        Thread sampler = Thread.ofPlatform().start(() -> {
            while (stop.get() == 0) {
                maxHeap.accumulateAndGet(heap(base), Math::max);
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        long before = heap(base);
        long t0 = System.nanoTime();
        HttpRequest put = HttpRequest.newBuilder(URI.create(base + "/internal/v1/accounts/" + account + "/deliveries/large-" + System.nanoTime()))
                .header("Authorization", INTERNAL).header("Content-Type", "message/rfc822").timeout(Duration.ofMinutes(5))
                .PUT(HttpRequest.BodyPublishers.fromPublisher(HttpRequest.BodyPublishers.ofInputStream(() -> largeMessage(size)), size))
                .build();
        HttpResponse<String> filed = HTTP.send(put, HttpResponse.BodyHandlers.ofString());
        if (filed.statusCode() != 201) {
            throw new IllegalStateException("filing the large message failed: " + filed.statusCode() + " " + filed.body());
        }
        double upload = (System.nanoTime() - t0) / 1e9;
        long mailboxId = number(filed.body(), "mailboxId");
        long uid = number(filed.body(), "uid");
        long t1 = System.nanoTime();
        HttpResponse<InputStream> raw = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/internal/v1/accounts/" + account
                        + "/mailboxes/" + mailboxId + "/messages/" + uid + "/raw")).header("Authorization", INTERNAL)
                .timeout(Duration.ofMinutes(5)).build(), HttpResponse.BodyHandlers.ofInputStream());
        long read = 0;
        try (InputStream in = raw.body()) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) >= 0) {
                read += n;
            }
        }
        double download = (System.nanoTime() - t1) / 1e9;
        stop.set(1);
        sampler.join();
        if (read != size) {
            throw new IllegalStateException("read back " + read + " bytes of " + size);
        }
        System.out.printf("large: a %d MB message filed in %.1f s and streamed back in %.1f s; service heap before %d MB, largest seen %d MB%n",
                megabytes, upload, download, before >> 20, maxHeap.get() >> 20);
    }

    interface Task {
        void run(int i) throws Exception;
    }

    static void run(int concurrency, int count, Task task) throws Exception {
        AtomicInteger next = new AtomicInteger();
        try (ExecutorService pool = Executors.newFixedThreadPool(concurrency)) {
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < concurrency; w++) {
                workers.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < count; i = next.getAndIncrement()) {
                        task.run(i);
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get();
            }
        }
    }

    static void file(String base, String account, String deliveryId, byte[] content) throws Exception {
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/internal/v1/accounts/" + account
                        + "/deliveries/" + deliveryId)).header("Authorization", INTERNAL).header("Content-Type", "message/rfc822")
                .timeout(Duration.ofSeconds(30)).PUT(HttpRequest.BodyPublishers.ofByteArray(content)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 201 && response.statusCode() != 200) {
            throw new IllegalStateException("filing failed: " + response.statusCode() + " " + response.body());
        }
    }

    static int fetch(String base, String account, long mailboxId, long first, String include) throws Exception {
        String body = "{\"uids\":\"" + first + ":" + (first + 499) + "\",\"include\":" + include + ",\"limit\":500}";
        HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/internal/v1/accounts/" + account
                        + "/mailboxes/" + mailboxId + "/messages/fetch")).header("Authorization", INTERNAL)
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200) {
            throw new IllegalStateException("fetch failed: " + response.statusCode() + " " + response.body());
        }
        Matcher uids = Pattern.compile("\"uid\":").matcher(response.body());
        int count = 0;
        while (uids.find()) {
            count++;
        }
        return count;
    }

    /** A distinct message of about {@code size} bytes: a header and lines of text. */
    static byte[] message(long n, int size) {
        StringBuilder text = new StringBuilder(size + 512);
        text.append("From: Bench Sender <sender").append(n % 97).append("@example.org>\r\n")
                .append("To: recipient@bench.test\r\nSubject: Benchmark message ").append(n).append("\r\n")
                .append("Date: Mon, 5 Jan 2026 10:00:00 +0000\r\nMessage-ID: <bench-").append(n).append("@example.org>\r\n")
                .append("Content-Type: text/plain; charset=utf-8\r\n\r\n");
        Random random = new Random(n);
        while (text.length() < size) {
            for (int w = 0; w < 12; w++) {
                text.append(WORDS[random.nextInt(WORDS.length)]).append(' ');
            }
            text.append("\r\n");
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    static final String[] WORDS = ("the quick brown fox jumps over lazy dog invoice meeting budget report quarterly lunch project "
            + "deadline review update schedule customer order shipment holiday photos contract draft").split(" ");

    /** A large message generated on the fly, never held whole in this process either. */
    static InputStream largeMessage(long size) {
        byte[] header = "From: big@example.org\r\nSubject: large\r\nContent-Type: application/octet-stream\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII);
        byte[] line = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVphYmNkZWZnaGlqa2xtbm9wcXJzdHV2d3h5ejAxMjM0NTY3\r\n"
                .getBytes(StandardCharsets.US_ASCII);
        return new InputStream() {
            long position;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) {
                if (position >= size) {
                    return -1;
                }
                int n = (int) Math.min(length, size - position);
                for (int i = 0; i < n; i++, position++) {
                    buffer[offset + i] = position < header.length ? header[(int) position]
                            : line[(int) ((position - header.length) % line.length)];
                }
                return n;
            }
        };
    }

    static long heap(String base) {
        try {
            String metrics = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/actuator/prometheus")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            Matcher used = Pattern.compile("(?m)^jvm_memory_used_bytes\\{[^}]*area=\"heap\"[^}]*} ([0-9.Ee+]+)").matcher(metrics);
            long total = 0;
            while (used.find()) {
                total += (long) Double.parseDouble(used.group(1));
            }
            return total;
        } catch (IOException | InterruptedException e) {
            return 0;
        }
    }

    static long number(String json, String field) {
        Matcher m = Pattern.compile("\"" + field + "\":(\\d+)").matcher(json);
        if (!m.find()) {
            throw new IllegalStateException("no " + field + " in " + json);
        }
        return Long.parseLong(m.group(1));
    }

    static String percentiles(long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        return String.format("p50 %.1f ms, p95 %.1f ms, p99 %.1f ms, max %.1f ms", at(sorted, 0.50), at(sorted, 0.95),
                at(sorted, 0.99), sorted[sorted.length - 1] / 1e6);
    }

    static double at(long[] sorted, double q) {
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
    }
}
