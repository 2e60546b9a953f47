package io.mailroom.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/**
 * Concurrent SMTP (RFC 5321) or LMTP (RFC 2033) sessions sending prepared messages without PIPELINING: each
 * transaction is MAIL, RCPT..., DATA, the message, and the final reply; a transaction's latency runs from sending
 * MAIL to that final reply. Several messages go over one connection (RFC 5321 section 4.1.4 lets a new MAIL start
 * after the previous transaction ended); a refused command is followed by RSET.
 *
 * <p>Closed loop by default: every session sends its next message as soon as the previous one was answered, so the
 * rate is whatever the server sustains. With a {@code rate} (messages per second) the load is open loop: message
 * <i>i</i> is due at start + <i>i</i>/rate and a session waits for that moment before sending MAIL, so a slow server
 * does not slow the load down (as long as a session is free: {@code sessions} bound the messages in flight, and how
 * late messages started is reported). The transaction latency then also runs from the due time (the wait for a free
 * session counts, as it would for a real sender), which avoids coordinated omission.
 */
final class SmtpLoad {

    static final int OK = 250;
    static final int FORWARD_OK = 251;
    static final int READY = 220;
    static final int START_INPUT = 354;
    static final int CLOSING = 221;

    private static final byte[] END_OF_DATA = {'.', '\r', '\n'};
    private static final int MAX_CONSECUTIVE_CONNECT_FAILURES = 20;

    /** {@code rate}: messages per second, open loop; 0 for a closed loop (as fast as the server answers). */
    record Settings(String host, int port, boolean lmtp, int sessions, int perConnection, int size, String from,
                    Duration readTimeout, Duration maxTime, double rate) {

        Settings {
            if (rate < 0 || Double.isNaN(rate) || Double.isInfinite(rate)) {
                throw new IllegalArgumentException("--rate must be a positive number of messages per second, not " + rate);
            }
        }

        static Settings from(Options o, int defaultPort) {
            return new Settings(o.string("host", "127.0.0.1"), o.integer("port", defaultPort), o.flag("lmtp"),
                    o.integer("sessions", 20), o.integer("per-connection", 10), o.size("size", 4096),
                    o.string("from", "bench@example.test"), o.seconds("read-timeout", 60), o.seconds("max-seconds", 600),
                    o.decimal("rate", 0));
        }

        boolean openLoop() {
            return rate > 0;
        }

        /** When message {@code index} is due, in nanoseconds after the start (open loop only). */
        long dueNanos(int index) {
            return (long) (index * 1e9 / rate);
        }

        String describe() {
            return String.format(Locale.ROOT, "%s %s:%d, %d sessions, %d msgs/connection, %d B/msg%s",
                    lmtp ? "LMTP" : "SMTP", host, port, sessions, perConnection, size,
                    openLoop() ? String.format(Locale.ROOT, ", open loop at %.2f msg/s", rate) : "");
        }
    }

    /**
     * What a run achieved. {@code deliveries} counts accepted recipients (equal to accepted messages with one RCPT
     * each); {@code acceptedNanos} holds, in ascending order, when each accepted message's final reply arrived.
     */
    record Outcome(int attempted, long accepted, long failed, long deliveries, double seconds, long startNanos,
                   long endNanos, Latency latency, Errors errors, boolean aborted, long[] acceptedNanos,
                   Latency lateness) {

        double rate() {
            return seconds > 0 ? accepted / seconds : 0;
        }

        void print(String title) {
            System.out.printf(Locale.ROOT, "%s: %d accepted, %d failed of %d in %.2f s -> %.1f msg/s accepted%s%n",
                    title, accepted, failed, attempted, seconds, rate(), aborted ? "  (ABORTED)" : "");
            System.out.println("  transaction latency (" + (lateness.count() > 0 ? "due time" : "MAIL")
                    + " .. reply after DATA): " + latency.summary());
            if (lateness.count() > 0) {
                System.out.println("  open loop: MAIL sent after the due time by " + lateness.summary());
            }
            System.out.println("  errors: " + errors.summary());
        }
    }

    private final Settings settings;
    private final MessageFactory messages;

    SmtpLoad(Settings settings, String runId) {
        this.settings = settings;
        this.messages = new MessageFactory(runId, settings.size());
    }

    Outcome run(int count, IntFunction<List<String>> recipientsOf) throws Exception {
        AtomicInteger next = new AtomicInteger();
        AtomicLong accepted = new AtomicLong();
        AtomicLong failed = new AtomicLong();
        AtomicLong deliveries = new AtomicLong();
        AtomicBoolean abort = new AtomicBoolean();
        Errors errors = new Errors();
        long start = System.nanoTime();
        long deadline = start + settings.maxTime().toNanos();
        List<Worker> workers = new ArrayList<>();
        try (ExecutorService pool = Load.workers()) {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < settings.sessions(); i++) {
                Worker w = new Worker(next, count, recipientsOf, accepted, failed, deliveries, abort, errors, start,
                        deadline);
                workers.add(w);
                futures.add(pool.submit(() -> {
                    w.run();
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
        long end = workers.stream().mapToLong(w -> w.lastDone).max().orElse(System.nanoTime());
        end = Math.max(end, start + 1);
        Latency all = new Latency();
        workers.forEach(w -> all.add(w.latency));
        long[] acceptedNanos = workers.stream().flatMap(w -> w.acceptedAt.stream()).mapToLong(Long::longValue).sorted()
                .toArray();
        Latency lateness = new Latency();
        workers.forEach(w -> lateness.add(w.lateness));
        int attempted = Math.min(next.get(), count);
        long notSent = count - attempted;
        if (notSent > 0) {
            errors.count(abort.get() ? "not sent (aborted)" : "not sent (deadline)");
        }
        return new Outcome(count, accepted.get(), failed.get() + notSent, deliveries.get(), (end - start) / 1e9,
                start, end, all, errors, abort.get() || notSent > 0, acceptedNanos, lateness);
    }

    private final class Worker {
        private final AtomicInteger next;
        private final int count;
        private final IntFunction<List<String>> recipientsOf;
        private final AtomicLong accepted;
        private final AtomicLong failed;
        private final AtomicLong deliveries;
        private final AtomicBoolean abort;
        private final Errors errors;
        private final long start;
        private final long deadline;
        private final Latency latency = new Latency();
        private final Latency lateness = new Latency();
        private final List<Long> acceptedAt = new ArrayList<>();
        private long lastDone;
        private String stage = "connect";

        Worker(AtomicInteger next, int count, IntFunction<List<String>> recipientsOf, AtomicLong accepted,
               AtomicLong failed, AtomicLong deliveries, AtomicBoolean abort, Errors errors, long start,
               long deadline) {
            this.next = next;
            this.count = count;
            this.recipientsOf = recipientsOf;
            this.accepted = accepted;
            this.failed = failed;
            this.deliveries = deliveries;
            this.abort = abort;
            this.errors = errors;
            this.start = start;
            this.deadline = deadline;
        }

        void run() {
            LineConnection c = null;
            int inConnection = 0;
            int connectFailures = 0;
            while (!abort.get() && System.nanoTime() < deadline) {
                int index = next.getAndIncrement();
                if (index >= count) {
                    break;
                }
                try {
                    if (c == null) {
                        c = connect();
                        inConnection = 0;
                    }
                    connectFailures = 0;
                    if (transaction(c, index, awaitDue(index))) {
                        accepted.incrementAndGet();
                    } else {
                        failed.incrementAndGet();
                    }
                    lastDone = System.nanoTime();
                    if (++inConnection >= settings.perConnection()) {
                        quit(c);
                        c = null;
                    }
                } catch (IOException | RuntimeException e) {
                    if (!(e instanceof Counted)) {
                        errors.io(stage, e);
                    }
                    failed.incrementAndGet();
                    lastDone = System.nanoTime();
                    if (c != null) {
                        c.close();
                        c = null;
                    }
                    if (stage.equals("connect") && ++connectFailures >= MAX_CONSECUTIVE_CONNECT_FAILURES) {
                        errors.count("gave up: " + connectFailures + " connection attempts in a row failed");
                        abort.set(true);
                    }
                    pause();
                }
            }
            if (c != null) {
                quit(c);
            }
        }

        private LineConnection connect() throws IOException {
            stage = "connect";
            LineConnection c = LineConnection.open(settings.host(), settings.port(), Duration.ofSeconds(10),
                    settings.readTimeout());
            try {
                stage = "greeting";
                int greeting = reply(c);
                if (greeting != READY) {
                    errors.count("greeting " + greeting);
                    throw new Counted("greeting " + greeting);
                }
                stage = settings.lmtp() ? "LHLO" : "EHLO";
                c.send((settings.lmtp() ? "LHLO" : "EHLO") + " bench.example.test");
                int hello = reply(c);
                if (hello != OK) {
                    errors.count(stage + " " + hello);
                    throw new Counted(stage + " " + hello);
                }
                return c;
            } catch (IOException | RuntimeException e) {
                c.close();
                throw e;
            }
        }

        /**
         * Open loop: waits until message {@code index} is due (the connection is already open, so connecting is not
         * the server's latency) and answers the due time; closed loop: answers now.
         */
        private long awaitDue(int index) {
            if (!settings.openLoop()) {
                return System.nanoTime();
            }
            long due = start + settings.dueNanos(index);
            long wait;
            while ((wait = due - System.nanoTime()) > 0) {
                LockSupport.parkNanos(wait);
            }
            lateness.recordNanos(-wait);
            return due;
        }

        /** {@code t0}: when the transaction's latency starts (the due time in an open loop, else now). */
        private boolean transaction(LineConnection c, int index, long t0) throws IOException {
            List<String> recipients = recipientsOf.apply(index);
            byte[] message = messages.message(index, recipients);
            stage = "MAIL";
            c.send("MAIL FROM:<" + settings.from() + ">");
            int mail = reply(c);
            if (mail != OK) {
                return refused(c, "MAIL " + mail);
            }
            stage = "RCPT";
            int rcptOk = 0;
            for (String rcpt : recipients) {
                c.send("RCPT TO:<" + rcpt + ">");
                int code = reply(c);
                if (code == OK || code == FORWARD_OK) {
                    rcptOk++;
                } else {
                    errors.count("RCPT " + code);
                }
            }
            if (rcptOk == 0) {
                return refused(c, null);
            }
            stage = "DATA";
            c.send("DATA");
            int data = reply(c);
            if (data != START_INPUT) {
                return refused(c, "DATA " + data);
            }
            stage = "DATA-end";
            c.write(message);
            c.write(END_OF_DATA);
            c.flush();
            int okDeliveries = 0;
            int replies = settings.lmtp() ? rcptOk : 1;
            for (int i = 0; i < replies; i++) {
                int code = reply(c);
                if (code == OK) {
                    okDeliveries += settings.lmtp() ? 1 : rcptOk;
                } else {
                    errors.count("DATA-end " + code);
                }
            }
            if (okDeliveries == 0) {
                return false;
            }
            long done = System.nanoTime();
            latency.recordNanos(done - t0);
            acceptedAt.add(done);
            deliveries.addAndGet(okDeliveries);
            return true;
        }

        private boolean refused(LineConnection c, String what) throws IOException {
            if (what != null) {
                errors.count(what);
            }
            stage = "RSET";
            c.send("RSET");
            reply(c);
            return false;
        }

        private void quit(LineConnection c) {
            try {
                c.send("QUIT");
                reply(c);
            } catch (IOException e) {
                // the server may close first; the messages were accepted already
            } finally {
                c.close();
            }
        }

        private void pause() {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                abort.set(true);
            }
        }
    }

    /** A refusal already counted under its reply code. */
    static final class Counted extends IOException {
        Counted(String message) {
            super(message);
        }
    }

    /** Reads a possibly multi-line reply (RFC 5321 section 4.2.1) and answers its code. */
    static int reply(LineConnection c) throws IOException {
        while (true) {
            String line = c.readLine();
            if (line.length() < 3) {
                throw new IOException("malformed reply: " + line);
            }
            if (line.length() > 3 && line.charAt(3) == '-') {
                continue;
            }
            try {
                return Integer.parseInt(line.substring(0, 3));
            } catch (NumberFormatException e) {
                throw new IOException("malformed reply: " + line);
            }
        }
    }
}
