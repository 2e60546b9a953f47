// bench/pop3/Pop3Bench.java - POP3 load for bench/pop3/run.sh, run by the JDK's source launcher (no build, no
// dependencies). Three modes:
//
//   fill-api  URL TOKEN DOMAIN FIRST USERS MESSAGES SIZE   files MESSAGES messages into each of userFIRST.. of
//             DOMAIN through mailbox-api's gateway API (PUT /internal/v1/accounts/{a}/deliveries/{id}), 8 at a time
//   fill-lmtp PORT DOMAIN FIRST USERS MESSAGES SIZE        the same messages into Dovecot over LMTP
//   load      LABEL PORT PASSWORD DOMAIN FIRST USERS CLIENTS ROUNDS [user-format]
//             CLIENTS concurrent sessions; each takes a free mailbox (a mailbox is never in two sessions: RFC 1939
//             lets a server lock it), logs in (USER/PASS), STAT, LIST, UIDL, RETRs every message, QUIT; every
//             mailbox is read ROUNDS times. Prints one line:
//             RESULT label msgs_per_s MB_per_s retr_p50_ms retr_p90_ms retr_p99_ms retr_max_ms login_p99_ms list_p99_ms sessions errors
//
// The messages are the same on both sides: SIZE bytes (about), numbered lines, one in twenty starting with a dot.
// user-format: "%d@DOMAIN"-style names are userN@DOMAIN by default; "user%d" logs in to Dovecot without the domain.

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

public class Pop3Bench {

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "fill-api" -> fillApi(args[1], args[2], args[3], Integer.parseInt(args[4]), Integer.parseInt(args[5]),
                    Integer.parseInt(args[6]), Integer.parseInt(args[7]));
            case "fill-lmtp" -> fillLmtp(Integer.parseInt(args[1]), args[2], Integer.parseInt(args[3]), Integer.parseInt(args[4]),
                    Integer.parseInt(args[5]), Integer.parseInt(args[6]));
            case "load" -> load(args[1], Integer.parseInt(args[2]), args[3], args[4], Integer.parseInt(args[5]),
                    Integer.parseInt(args[6]), Integer.parseInt(args[7]), Integer.parseInt(args[8]),
                    args.length > 9 ? args[9] : "user%d@" + args[4]);
            default -> throw new IllegalArgumentException("mode: fill-api | fill-lmtp | load");
        }
    }

    static byte[] message(String domain, int user, int number, int size) {
        StringBuilder text = new StringBuilder()
                .append("From: bench@load.example\r\n")
                .append("To: user").append(user).append('@').append(domain).append("\r\n")
                .append("Subject: bench message ").append(number).append("\r\n")
                .append("Message-ID: <bench.").append(user).append('.').append(number).append("@load.example>\r\n")
                .append("Date: Thu, 01 Jan 2026 00:00:00 +0000\r\n\r\n");
        for (int line = 0; text.length() < size - 2; line++) {
            text.append(line % 20 == 0 ? "." : "").append("line ").append(line).append(" of message ").append(number)
                    .append(" - the quick brown fox jumps over the lazy dog\r\n");
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }

    // ------------------------------------------------------------------ fill

    static void fillApi(String url, String token, String domain, int first, int users, int messages, int size) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        Semaphore inFlight = new Semaphore(8);
        AtomicInteger failed = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        long start = System.nanoTime();
        for (int number = 1; number <= messages; number++) {
            for (int user = first; user < first + users; user++) {
                String address = "user" + user + "@" + domain;
                HttpRequest request = HttpRequest.newBuilder(URI.create(url + "/internal/v1/accounts/" + address + "/deliveries/bench-"
                                + UUID.randomUUID()))
                        .timeout(Duration.ofSeconds(60))
                        .header("Authorization", "Bearer " + token)
                        .header("Content-Type", "message/rfc822")
                        .PUT(HttpRequest.BodyPublishers.ofByteArray(message(domain, user, number, size)))
                        .build();
                inFlight.acquire();
                http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
                    if (error != null || response.statusCode() >= 300) {
                        if (failed.incrementAndGet() <= 5) {
                            System.err.println("fill: " + (error != null ? error : "HTTP " + response.statusCode()));
                        }
                    }
                    done.incrementAndGet();
                    inFlight.release();
                });
            }
        }
        inFlight.acquire(8);
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "fill-api: %d messages in %.1f s (%.0f/s), %d failed%n", done.get(), seconds, done.get() / seconds, failed.get());
        if (failed.get() > 0) {
            System.exit(1);
        }
    }

    static void fillLmtp(int port, String domain, int first, int users, int messages, int size) throws Exception {
        long start = System.nanoTime();
        AtomicLong delivered = new AtomicLong();
        try (ExecutorService pool = Executors.newFixedThreadPool(Math.min(users, 10))) {
            List<Future<?>> futures = new ArrayList<>();
            for (int user = first; user < first + users; user++) {
                int u = user;
                futures.add(pool.submit(() -> {
                    try (Line lmtp = new Line("127.0.0.1", port)) {
                        expect(lmtp.read(), "220");
                        lmtp.send("LHLO bench.example");
                        while (lmtp.read().startsWith("250-")) {
                            // capabilities
                        }
                        for (int number = 1; number <= messages; number++) {
                            lmtp.send("MAIL FROM:<bench@load.example>");
                            expect(lmtp.read(), "250");
                            lmtp.send("RCPT TO:<user" + u + "@" + domain + ">");
                            expect(lmtp.read(), "250");
                            lmtp.send("DATA");
                            expect(lmtp.read(), "354");
                            lmtp.writeDotStuffed(message(domain, u, number, size));
                            expect(lmtp.read(), "250");
                            delivered.incrementAndGet();
                        }
                        lmtp.send("QUIT");
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "fill-lmtp: %d messages in %.1f s (%.0f/s)%n", delivered.get(), seconds, delivered.get() / seconds);
    }

    static void expect(String line, String code) throws IOException {
        if (!line.startsWith(code)) {
            throw new IOException("expected " + code + ", got " + line);
        }
    }

    // ------------------------------------------------------------------ load

    static void load(String label, int port, String password, String domain, int first, int users, int clients, int rounds,
                     String userFormat) throws Exception {
        BlockingQueue<Integer> free = new ArrayBlockingQueue<>(users);
        for (int user = first; user < first + users; user++) {
            free.add(user);
        }
        AtomicInteger remaining = new AtomicInteger(users * rounds);
        Stats stats = new Stats();
        long start = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(clients)) {
            List<Future<?>> futures = new ArrayList<>();
            for (int c = 0; c < clients; c++) {
                futures.add(pool.submit(() -> {
                    while (remaining.getAndDecrement() > 0) {
                        Integer user = free.poll(120, TimeUnit.SECONDS);
                        if (user == null) {
                            break;
                        }
                        try {
                            session(port, userFormat.formatted(user), password, stats);
                        } catch (IOException | RuntimeException e) {
                            stats.error(e.toString());
                        } finally {
                            free.add(user);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> future : futures) {
                future.get();
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf(Locale.ROOT, "%s: %d sessions, %d messages, %.1f MB in %.2f s, %d errors%s%n", label, stats.sessions.get(),
                stats.messages.get(), stats.octets.get() / 1e6, seconds, stats.errors.get(),
                stats.firstError == null ? "" : " (first: " + stats.firstError + ")");
        System.out.printf(Locale.ROOT, "  RETR ms: p50 %.2f p90 %.2f p99 %.2f max %.2f; login p99 %.2f; LIST+UIDL p99 %.2f%n",
                stats.retr.percentile(50), stats.retr.percentile(90), stats.retr.percentile(99), stats.retr.percentile(100),
                stats.login.percentile(99), stats.list.percentile(99));
        System.out.printf(Locale.ROOT, "RESULT %s %.1f %.2f %.3f %.3f %.3f %.3f %.3f %.3f %d %d%n", label, stats.messages.get() / seconds,
                stats.octets.get() / 1e6 / seconds, stats.retr.percentile(50), stats.retr.percentile(90), stats.retr.percentile(99),
                stats.retr.percentile(100), stats.login.percentile(99), stats.list.percentile(99), stats.sessions.get(), stats.errors.get());
    }

    static void session(int port, String user, String password, Stats stats) throws IOException {
        long t0 = System.nanoTime();
        try (Line pop = new Line("127.0.0.1", port)) {
            ok(pop.read(), "greeting");
            pop.send("USER " + user);
            ok(pop.read(), "USER");
            pop.send("PASS " + password);
            ok(pop.read(), "PASS");
            stats.login.add(System.nanoTime() - t0);
            pop.send("STAT");
            String stat = pop.read();
            ok(stat, "STAT");
            int count = Integer.parseInt(stat.split(" ")[1]);
            long l0 = System.nanoTime();
            pop.send("LIST");
            ok(pop.read(), "LIST");
            int listed = pop.skipMultiLine();
            pop.send("UIDL");
            ok(pop.read(), "UIDL");
            int uids = pop.skipMultiLine();
            stats.list.add(System.nanoTime() - l0);
            if (listed != count || uids != count) {
                throw new IOException("STAT " + count + " but LIST " + listed + " and UIDL " + uids);
            }
            for (int i = 1; i <= count; i++) {
                long r0 = System.nanoTime();
                pop.send("RETR " + i);
                ok(pop.read(), "RETR");
                long octets = pop.skipBody();
                stats.retr.add(System.nanoTime() - r0);
                stats.messages.incrementAndGet();
                stats.octets.addAndGet(octets);
            }
            pop.send("QUIT");
            ok(pop.read(), "QUIT");
            stats.sessions.incrementAndGet();
        }
    }

    static void ok(String line, String what) throws IOException {
        if (!line.startsWith("+OK")) {
            throw new IOException(what + ": " + line);
        }
    }

    static final class Stats {
        final Samples retr = new Samples();
        final Samples login = new Samples();
        final Samples list = new Samples();
        final AtomicLong messages = new AtomicLong();
        final AtomicLong octets = new AtomicLong();
        final AtomicInteger sessions = new AtomicInteger();
        final AtomicInteger errors = new AtomicInteger();
        volatile String firstError;

        void error(String what) {
            if (errors.incrementAndGet() == 1) {
                firstError = what;
            }
        }
    }

    static final class Samples {
        private long[] nanos = new long[1024];
        private int size;

        synchronized void add(long value) {
            if (size == nanos.length) {
                nanos = Arrays.copyOf(nanos, size * 2);
            }
            nanos[size++] = value;
        }

        synchronized double percentile(double p) {
            if (size == 0) {
                return 0;
            }
            long[] sorted = Arrays.copyOf(nanos, size);
            Arrays.sort(sorted);
            int index = (int) Math.ceil(p / 100.0 * size) - 1;
            return sorted[Math.max(0, Math.min(size - 1, index))] / 1e6;
        }
    }

    /** A CRLF line protocol connection with a buffered reader that can skip multi-line bodies fast. */
    static final class Line implements AutoCloseable {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        Line(String host, int port) throws IOException {
            socket = new Socket();
            socket.connect(new InetSocketAddress(host, port), 10_000);
            socket.setSoTimeout(120_000);
            socket.setTcpNoDelay(true);
            in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
            out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
        }

        void send(String line) throws IOException {
            out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        void writeDotStuffed(byte[] message) throws IOException {
            boolean lineStart = true;
            for (byte b : message) {
                if (lineStart && b == '.') {
                    out.write('.');
                }
                out.write(b);
                lineStart = b == '\n';
            }
            out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        String read() throws IOException {
            StringBuilder line = new StringBuilder();
            int b;
            while ((b = in.read()) != -1) {
                if (b == '\n') {
                    int end = line.length();
                    if (end > 0 && line.charAt(end - 1) == '\r') {
                        line.setLength(end - 1);
                    }
                    return line.toString();
                }
                line.append((char) b);
            }
            throw new IOException("connection closed");
        }

        /** Skips a multi-line body up to the lone "."; returns its line count. */
        int skipMultiLine() throws IOException {
            int lines = 0;
            while (!read().equals(".")) {
                lines++;
            }
            return lines;
        }

        /** Skips a message body up to CRLF "." CRLF; returns its size in octets, as sent. */
        long skipBody() throws IOException {
            long octets = 0;
            int state = 2; // 0: in a line, 1: saw CR, 2: at a line start, 3: line start then '.', 4: then CR
            while (true) {
                int b = in.read();
                if (b == -1) {
                    throw new IOException("connection closed in a message");
                }
                octets++;
                switch (state) {
                    case 2 -> state = b == '.' ? 3 : b == '\r' ? 1 : 0;
                    case 3 -> state = b == '\r' ? 4 : 0;
                    case 4 -> {
                        if (b == '\n') {
                            return octets - 3;
                        }
                        state = 0;
                    }
                    case 1 -> state = b == '\n' ? 2 : b == '\r' ? 1 : 0;
                    default -> state = b == '\r' ? 1 : 0;
                }
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
