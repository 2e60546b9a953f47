package io.mailroom.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code pop3}: concurrent POP3 (RFC 1939) clients, each session: [STLS,] USER, PASS, STAT, RETR of every message
 * (no DELE, so every round reads the same mailboxes), QUIT. A mailbox is never in two sessions at once (servers may
 * lock the maildrop, RFC 1939 section 8): a client takes a free user, reads it, gives it back.
 * Login latency runs from connect to the PASS reply; RETR latency from sending RETR to the end of the message.
 */
final class Pop3Scenario {

    private static final int MAX_CONSECUTIVE_FAILURES = 50;

    private Pop3Scenario() {
    }

    record Settings(String host, int port, boolean stls, String password, int clients, int sessions,
                    int maxRetr, Duration readTimeout, Duration maxTime) {
    }

    static void run(Options o) throws Exception {
        List<String> users = Users.from(o, 20);
        int rounds = o.integer("rounds", 5);
        Settings s = new Settings(o.string("host", "127.0.0.1"), o.integer("port", 110), o.flag("stls"),
                o.string("password", "pass"), o.integer("clients", 20), o.integer("sessions", users.size() * rounds),
                o.integer("max-retr", Integer.MAX_VALUE), o.seconds("read-timeout", 60), o.seconds("max-seconds", 600));
        String side = o.string("side", "-");
        String run = o.string("run", "1");
        Path results = SmtpScenario.resultsFile(o);
        o.requireAllUsed();

        if (s.clients() > users.size()) {
            System.out.println("pop3: NOTE only " + users.size() + " users: at most that many clients run at once");
        }
        System.out.printf(Locale.ROOT, "pop3: %d sessions over %d users, %d clients, %s:%d%s%n",
                s.sessions(), users.size(), s.clients(), s.host(), s.port(), s.stls() ? " with STLS" : "");

        BlockingQueue<String> free = new ArrayBlockingQueue<>(users.size(), false, users);
        AtomicInteger remaining = new AtomicInteger(s.sessions());
        AtomicBoolean abort = new AtomicBoolean();
        Errors errors = new Errors();
        long start = System.nanoTime();
        long deadline = start + s.maxTime().toNanos();
        List<Client> clients = new ArrayList<>();
        try (ExecutorService pool = Load.workers()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < s.clients(); i++) {
                Client c = new Client(s, free, remaining, abort, errors, deadline);
                clients.add(c);
                futures.add(pool.submit(() -> {
                    c.run();
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
        long end = Math.max(start + 1, clients.stream().mapToLong(c -> c.lastDone).max().orElse(System.nanoTime()));
        double seconds = (end - start) / 1e9;
        Latency retr = new Latency();
        Latency login = new Latency();
        long messages = 0;
        long octets = 0;
        long sessionsOk = 0;
        long sessionsFailed = 0;
        for (Client c : clients) {
            retr.add(c.retr);
            login.add(c.login);
            messages += c.messages;
            octets += c.octets;
            sessionsOk += c.sessionsOk;
            sessionsFailed += c.sessionsFailed;
        }
        int notRun = Math.max(0, remaining.get());
        if (notRun > 0) {
            errors.count((abort.get() ? "sessions not run (aborted)" : "sessions not run (deadline)") + " " + notRun);
        }
        double rate = messages / seconds;
        System.out.printf(Locale.ROOT, "pop3: %d sessions ok, %d failed; %d messages, %.1f MB in %.2f s -> %.1f msg/s, "
                        + "%.2f MB/s, %.1f sessions/s%s%n",
                sessionsOk, sessionsFailed, messages, octets / 1e6, seconds, rate, octets / 1e6 / seconds,
                sessionsOk / seconds, abort.get() ? "  (ABORTED)" : "");
        System.out.println("  RETR latency:  " + retr.summary());
        System.out.println("  login latency: " + login.summary() + "  (connect .. PASS reply)");
        System.out.println("  errors: " + errors.summary());
        ResultRow.append(results, List.of(new ResultRow(s.stls() ? "pop3-stls" : "pop3", side, run, rate, "msg/s",
                retr.percentileMillis(50), retr.percentileMillis(99), retr.maxMillis(), messages,
                errors.total(), seconds,
                String.format(Locale.ROOT, "MB/s=%.2f sessions/s=%.1f login_p50_ms=%s login_p99_ms=%s errors=%s",
                        octets / 1e6 / seconds, sessionsOk / seconds, Latency.ms(login.percentileMillis(50)),
                        Latency.ms(login.percentileMillis(99)), errors.compact()))));
        if (abort.get() || sessionsOk == 0) {
            throw new Load.Failed("the POP3 load did not complete: " + errors.summary());
        }
        if (messages == 0) {
            throw new Load.Failed("no message retrieved: the mailboxes are empty (run fill first)");
        }
    }

    private static final class Client {
        private final Settings s;
        private final BlockingQueue<String> free;
        private final AtomicInteger remaining;
        private final AtomicBoolean abort;
        private final Errors errors;
        private final long deadline;
        final Latency retr = new Latency();
        final Latency login = new Latency();
        long messages;
        long octets;
        long sessionsOk;
        long sessionsFailed;
        long lastDone;
        private String stage = "connect";

        Client(Settings s, BlockingQueue<String> free, AtomicInteger remaining, AtomicBoolean abort, Errors errors,
               long deadline) {
            this.s = s;
            this.free = free;
            this.remaining = remaining;
            this.abort = abort;
            this.errors = errors;
            this.deadline = deadline;
        }

        void run() throws InterruptedException {
            int failuresInARow = 0;
            while (!abort.get() && System.nanoTime() < deadline && remaining.getAndDecrement() > 0) {
                String user = free.poll(s.readTimeout().toMillis(), TimeUnit.MILLISECONDS);
                if (user == null) {
                    remaining.incrementAndGet();
                    break;
                }
                try {
                    if (session(user)) {
                        sessionsOk++;
                        failuresInARow = 0;
                    } else {
                        sessionsFailed++;
                        failuresInARow++;
                    }
                } catch (IOException | RuntimeException e) {
                    if (!(e instanceof SmtpLoad.Counted)) {
                        errors.io(stage, e);
                    }
                    sessionsFailed++;
                    failuresInARow++;
                } finally {
                    free.put(user);
                    lastDone = System.nanoTime();
                }
                if (failuresInARow >= MAX_CONSECUTIVE_FAILURES) {
                    errors.count("gave up: " + failuresInARow + " sessions in a row failed");
                    abort.set(true);
                }
            }
        }

        private boolean session(String user) throws IOException {
            long t0 = System.nanoTime();
            stage = "connect";
            try (LineConnection c = LineConnection.open(s.host(), s.port(), Duration.ofSeconds(10), s.readTimeout())) {
                stage = "greeting";
                if (!ok(c.readLine(), "greeting")) {
                    return false;
                }
                if (s.stls()) {
                    stage = "STLS";
                    c.send("STLS");
                    if (!ok(c.readLine(), "STLS")) {
                        return false;
                    }
                    stage = "TLS handshake";
                    c.startTls();
                }
                stage = "USER";
                c.send("USER " + user);
                if (!ok(c.readLine(), "USER")) {
                    return false;
                }
                stage = "PASS";
                c.send("PASS " + s.password());
                if (!ok(c.readLine(), "PASS")) {
                    return false;
                }
                login.recordNanos(System.nanoTime() - t0);
                stage = "STAT";
                c.send("STAT");
                String stat = c.readLine();
                if (!ok(stat, "STAT")) {
                    return false;
                }
                int count = Integer.parseInt(stat.split(" ")[1]);
                boolean allOk = true;
                for (int i = 1; i <= Math.min(count, s.maxRetr()); i++) {
                    stage = "RETR";
                    long r0 = System.nanoTime();
                    c.send("RETR " + i);
                    if (!ok(c.readLine(), "RETR")) {
                        allOk = false;
                        continue;
                    }
                    octets += c.skipMultiline();
                    retr.recordNanos(System.nanoTime() - r0);
                    messages++;
                }
                stage = "QUIT";
                c.send("QUIT");
                if (!ok(c.readLine(), "QUIT")) {
                    return false;
                }
                return allOk;
            }
        }

        private boolean ok(String line, String command) {
            if (line.startsWith("+OK")) {
                return true;
            }
            String text = line.length() > 60 ? line.substring(0, 60) : line;
            errors.count(command + " " + text);
            return false;
        }
    }
}
