import java.net.URI;
import java.net.http.*;
import java.time.Duration;
import java.util.*;
import java.util.concurrent.*;
import java.util.concurrent.atomic.*;

/**
 * Gateway-call load on a running mailbox-api (bench/mailbox-api/gateway-calls.sh starts one): provisions one account
 * with 200 messages, then N threads for T seconds send one kind of call: {@code store} (a single-UID flag change,
 * what IMAP STORE sends), {@code fetch} (single-UID metadata, FETCH FLAGS) or {@code mailbox} (a mailbox read);
 * prints calls per second and latency p50/p99. Usage: java GatewayCalls.java PORT THREADS SECONDS store|fetch|mailbox
 */
public class GatewayCalls {
    static HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    static String base, admin = "Bearer " + System.getenv().getOrDefault("MAILROOM_ADMIN_TOKEN", "bench-admin-token"), internal = "Bearer " + System.getenv().getOrDefault("MAILROOM_INTERNAL_TOKEN", "bench-internal-token");

    static HttpResponse<String> send(String method, String path, String auth, String type, String body) throws Exception {
        var b = HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", auth)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (type != null) b.header("Content-Type", type);
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    public static void main(String[] a) throws Exception {
        base = "http://127.0.0.1:" + a[0];
        int threads = Integer.parseInt(a[1]);
        int seconds = Integer.parseInt(a[2]);
        String mode = a[3];
        send("POST", "/api/v1/domains", admin, "application/json", "{\"name\":\"prof.test\"}");
        send("POST", "/api/v1/accounts", admin, "application/json", "{\"address\":\"u@prof.test\",\"password\":\"prof-password-123\"}");
        for (int i = 0; i < 200; i++) {
            var r = send("PUT", "/internal/v1/accounts/u@prof.test/deliveries/d" + i, internal, "message/rfc822",
                    "From: a@b.c\r\nTo: u@prof.test\r\nSubject: m" + i + "\r\nMessage-ID: <" + i + "@x>\r\n\r\nbody " + i + "\r\n");
            if (r.statusCode() >= 300 && i == 0) System.out.println(r.statusCode() + " " + r.body());
        }
        var mb = send("GET", "/internal/v1/accounts/u@prof.test/mailboxes/by-name?name=INBOX", internal, null, null).body();
        String id = mb.replaceAll("(?s).*?\"id\"\\s*:\\s*(\\d+).*", "$1");
        System.out.println("INBOX " + id);
        long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
        List<Long> lat = Collections.synchronizedList(new ArrayList<>());
        AtomicInteger errors = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        for (int t = 0; t < threads; t++) {
            int seed = t;
            pool.submit(() -> {
                Random r = new Random(seed);
                while (System.nanoTime() < end) {
                    int uid = 1 + r.nextInt(200);
                    long s = System.nanoTime();
                    try {
                        HttpResponse<String> resp = switch (mode) {
                            case "store" -> send("POST", "/internal/v1/accounts/u@prof.test/mailboxes/" + id + "/flags", internal,
                                    "application/json", "{\"uids\":\"" + uid + "\",\"mode\":\"" + (r.nextBoolean() ? "ADD" : "REMOVE") + "\",\"flags\":[\"\\\\Seen\"]}");
                            case "fetch" -> send("POST", "/internal/v1/accounts/u@prof.test/mailboxes/" + id + "/messages/fetch", internal,
                                    "application/json", "{\"uids\":\"" + uid + "\"}");
                            default -> send("GET", "/internal/v1/accounts/u@prof.test/mailboxes/" + id, internal, null, null);
                        };
                        if (resp.statusCode() >= 300) errors.incrementAndGet();
                    } catch (Exception e) { errors.incrementAndGet(); }
                    lat.add(System.nanoTime() - s);
                }
                return null;
            });
        }
        pool.shutdown();
        pool.awaitTermination(seconds + 30, TimeUnit.SECONDS);
        List<Long> l = new ArrayList<>(lat); Collections.sort(l);
        System.out.printf("%s: %d requests in %ds = %.0f/s, errors %d, p50 %.2f ms p99 %.2f ms%n", mode, l.size(), seconds,
                l.size() / (double) seconds, errors.get(), l.get(l.size() / 2) / 1e6, l.get(l.size() * 99 / 100) / 1e6);
    }
}
