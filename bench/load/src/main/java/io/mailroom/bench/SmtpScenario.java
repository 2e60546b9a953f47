package io.mailroom.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code smtp}: the accept rate of an SMTP server. {@code deliver}: the same load, then waits until the mailboxes
 * hold every accepted copy, for the end-to-end filing rate (first MAIL to the poll that saw the last copy filed) and
 * the filing latency (a message's final 250 to the poll that saw all its copies). Each message goes to
 * {@code --recipients} addresses (default 1), taken in turn from {@code --to}.
 */
final class SmtpScenario {

    private SmtpScenario() {
    }

    static void run(Options o, boolean deliver) throws Exception {
        SmtpLoad.Settings settings = SmtpLoad.Settings.from(o, 25);
        int count = o.integer("messages", 2000);
        List<String> to = o.list("to", "user100@example.test");
        int perMessage = o.integer("recipients", 1);
        String side = o.string("side", "-");
        String run = o.string("run", "1");
        Path results = resultsFile(o);
        String countSpec = deliver ? o.required("count") : null;
        String token = o.string("token", System.getenv("MAILROOM_ADMIN_TOKEN"));
        Duration pollEvery = o.seconds("poll-seconds", 0.1);
        int pollParallel = o.integer("poll-parallel", 2);
        Duration deliverTimeout = o.seconds("deliver-timeout", 300);
        Duration stall = o.seconds("stall-seconds", 60);
        o.requireAllUsed();
        if (perMessage < 1 || perMessage > to.size()) {
            throw new IllegalArgumentException("--recipients must lie between 1 and the number of --to addresses ("
                    + to.size() + "), not " + perMessage);
        }
        if (pollParallel < 1) {
            throw new IllegalArgumentException("--poll-parallel must be at least 1");
        }
        if (settings.openLoop() && settings.dueNanos(count - 1) >= settings.maxTime().toNanos()) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "--messages %d at --rate %.2f take longer than --max-seconds %d", count, settings.rate(),
                    settings.maxTime().toSeconds()));
        }

        String runId = Long.toString(System.currentTimeMillis(), 36);
        System.out.printf(Locale.ROOT, "%s: %d messages to %d recipient(s) each, in turn from %s over %s%n",
                deliver ? "deliver" : "smtp", count, perMessage, abbreviate(to.toString(), 200), settings.describe());

        Poller poller = null;
        if (deliver) {
            poller = Poller.start(MailboxCounter.parse(countSpec, token), to, perMessage, pollEvery, pollParallel);
        }

        SmtpLoad.Outcome outcome;
        try {
            outcome = new SmtpLoad(settings, runId).run(count, i -> recipientsOf(to, perMessage, i));
        } catch (Exception e) {
            if (poller != null) {
                poller.stop();
            }
            throw e;
        }
        outcome.print("smtp");
        // Open-loop runs get rows of their own (suffix -rate), so the report keeps them apart from the peak runs.
        String suffix = settings.openLoop() ? "-rate" : "";
        String rateNote = settings.openLoop() ? openLoopNote(settings.rate(), outcome.lateness()) : "";
        List<ResultRow> rows = new ArrayList<>();
        rows.add(new ResultRow((deliver ? "smtp-accept" : "smtp") + suffix, side, run, outcome.rate(), "msg/s",
                outcome.latency().percentileMillis(50), outcome.latency().percentileMillis(99),
                outcome.latency().maxMillis(), outcome.accepted(), outcome.failed(), outcome.seconds(),
                "errors=" + outcome.errors().compact() + rateNote));

        if (deliver) {
            long target = poller.beforeTotal() + outcome.deliveries();
            // Every message to every address: also wait for the slowest mailbox, so mail that someone else sends
            // to one of the (shared) anchor mailboxes meanwhile cannot make up for copies still missing elsewhere.
            long visibleTarget = perMessage == to.size() && outcome.deliveries() == outcome.accepted() * perMessage
                    ? outcome.accepted() : 0;
            Poller.Sample done = poller.awaitAtLeast(target, visibleTarget, deliverTimeout, stall);
            poller.stop();
            long copies = done.count() - poller.beforeTotal();
            boolean complete = done.count() >= target && done.visible() >= visibleTarget;
            long messages = complete ? outcome.accepted() : Math.min(outcome.accepted(), done.visible());
            double seconds = (done.nanos() - outcome.startNanos()) / 1e9;
            double lag = (done.nanos() - outcome.endNanos()) / 1e9;
            Latency filing = filingLatency(outcome.acceptedNanos(), poller.samples());
            System.out.printf(Locale.ROOT, "deliver: %d of %d accepted copies (%d recipient(s) per message) filed "
                            + "%.2f s after the first MAIL -> %.1f msg/s, %.1f copies/s end-to-end "
                            + "(last filed %.2f s after the last SMTP reply)%s%n",
                    copies, outcome.deliveries(), perMessage, seconds, messages / seconds, copies / seconds, lag,
                    complete ? "" : "  INCOMPLETE: " + done.why());
            System.out.println("  filing latency (final 250 .. all copies seen; k-th accepted matched with k-th "
                    + "complete): " + filing.summary());
            System.out.printf(Locale.ROOT, "  mailbox polls: %d cycles over %d address(es), mean cycle %.0f ms, "
                            + "then %.0f ms pause (together: the latency's resolution)%n", poller.cycles(), to.size(),
                    poller.meanCycleMillis(), pollEvery.toNanos() / 1e6);
            rows.add(new ResultRow("deliver-e2e" + suffix, side, run, messages / seconds, "msg/s",
                    filing.percentileMillis(50), filing.percentileMillis(99), filing.maxMillis(), messages,
                    outcome.deliveries() - copies + outcome.failed(), seconds,
                    String.format(Locale.ROOT, "rcpts=%d copies/s=%.1f lag_after_smtp_s=%.2f poll_ms=%.0f%s%s",
                            perMessage, copies / seconds, lag, poller.meanCycleMillis(),
                            rateNote, complete ? "" : " INCOMPLETE:" + done.why())));
        }
        ResultRow.append(results, rows);
        if (outcome.aborted() || outcome.accepted() == 0) {
            throw new Load.Failed("the SMTP load did not complete: " + outcome.errors().summary());
        }
        if (deliver && rows.getLast().extra().contains("INCOMPLETE")) {
            throw new Load.Failed("not every accepted message was filed: " + rows.getLast().extra());
        }
    }

    /**
     * The open loop's target rate and how late MAIL went out after the due times. A p99 lateness above a second means
     * the sessions were all busy (the server did not keep up with the rate, or too few {@code --sessions}): the load
     * then was no longer the rate asked for, and the note says so.
     */
    static String openLoopNote(double rate, Latency lateness) {
        double p99 = lateness.percentileMillis(99);
        return String.format(Locale.ROOT, " rate=%.2f late_p99_ms=%s%s", rate, Latency.ms(p99),
                p99 > 1000 ? " RATE-NOT-HELD" : "");
    }

    /**
     * Message {@code index}'s recipients: {@code perMessage} consecutive addresses of {@code to}, the next message
     * starting where the previous one stopped (so with one recipient each, the addresses are used in turn).
     */
    static List<String> recipientsOf(List<String> to, int perMessage, int index) {
        if (perMessage == to.size()) {
            return to;
        }
        int start = (int) ((long) index * perMessage % to.size());
        List<String> recipients = new ArrayList<>(perMessage);
        for (int k = 0; k < perMessage; k++) {
            recipients.add(to.get((start + k) % to.size()));
        }
        return recipients;
    }

    /**
     * Filing latency without reading every message back: the k-th message to get its final 250 is matched with the
     * first poll that saw k messages complete. Exact when messages are filed in the order they were accepted;
     * when filing overtakes, a late message hides behind later ones, so the tail is then a lower bound.
     * Messages never seen complete are not counted (the run is INCOMPLETE then).
     */
    static Latency filingLatency(long[] acceptedNanos, List<Poller.Sample> samples) {
        Latency latency = new Latency();
        int s = 0;
        for (int k = 0; k < acceptedNanos.length; k++) {
            while (s < samples.size() && samples.get(s).visible() < k + 1) {
                s++;
            }
            if (s == samples.size()) {
                break;
            }
            latency.recordNanos(Math.max(0, samples.get(s).nanos() - acceptedNanos[k]));
        }
        return latency;
    }

    /**
     * Messages complete (every copy filed) given each address's new copies: with every message going to every
     * address, the fewest any address holds; otherwise the new copies divided by the recipients per message (an
     * estimate: it assumes copies are filed message by message).
     */
    static long completeMessages(long[] newCopies, int perMessage) {
        if (newCopies.length == perMessage) {
            long min = Long.MAX_VALUE;
            for (long n : newCopies) {
                min = Math.min(min, n);
            }
            return Math.max(0, min);
        }
        long total = 0;
        for (long n : newCopies) {
            total += n;
        }
        return Math.max(0, total / perMessage);
    }

    static Path resultsFile(Options o) {
        String file = o.string("results", null);
        return file == null ? null : Path.of(file);
    }

    private static String abbreviate(String s, int max) {
        return s.length() > max ? s.substring(0, max - 3) + "..." : s;
    }

    /**
     * Counts the filed copies in the background, so the time all were filed is known to one poll cycle (every
     * address counted once, up to {@code parallel} at a time, then a pause of the poll interval). The counts taken
     * when it starts are the baseline: mail already there is not counted.
     */
    static final class Poller {

        /** {@code count}: copies in all the addresses; {@code visible}: new messages complete (see completeMessages). */
        record Sample(long nanos, long count, long visible, String why) {
        }

        private final List<Sample> samples = new CopyOnWriteArrayList<>();
        private final AtomicBoolean stop = new AtomicBoolean();
        private final MailboxCounter counter;
        private final List<String> addresses;
        private final int perMessage;
        private final ExecutorService pool;
        private long[] before;
        private long beforeTotal;
        private volatile String lastError = "";
        private volatile long cycleNanos;
        private volatile long cycles;
        private Thread thread;

        private Poller(MailboxCounter counter, List<String> addresses, int perMessage, int parallel) {
            this.counter = counter;
            this.addresses = addresses;
            this.perMessage = perMessage;
            int threads = Math.min(parallel, addresses.size());
            this.pool = Executors.newFixedThreadPool(threads, Thread.ofPlatform().daemon().name("count-", 0).factory());
        }

        static Poller start(MailboxCounter counter, List<String> addresses, int perMessage, Duration every,
                            int parallel) throws IOException, InterruptedException {
            Poller p = new Poller(counter, addresses, perMessage, parallel);
            try {
                p.before = p.countAll();
            } catch (IOException | InterruptedException | RuntimeException e) {
                p.pool.shutdownNow();
                throw e;
            }
            for (long n : p.before) {
                p.beforeTotal += n;
            }
            p.thread = Thread.ofPlatform().daemon().name("filed-poller").start(() -> {
                while (!p.stop.get()) {
                    try {
                        long t0 = System.nanoTime();
                        long[] now = p.countAll();
                        long end = System.nanoTime();
                        p.samples.add(p.sample(end, now));
                        p.cycleNanos += end - t0;
                        p.cycles++;
                        p.lastError = "";
                    } catch (IOException | RuntimeException e) {
                        p.lastError = e.getMessage();
                    } catch (InterruptedException e) {
                        return;
                    }
                    try {
                        Thread.sleep(every);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            return p;
        }

        private long[] countAll() throws IOException, InterruptedException {
            long[] batch = counter.countAll(addresses);
            if (batch != null) {
                return batch;
            }
            List<Callable<Long>> tasks = new ArrayList<>();
            for (String a : addresses) {
                tasks.add(() -> counter.count(a));
            }
            List<Future<Long>> futures = pool.invokeAll(tasks);
            long[] counts = new long[addresses.size()];
            for (int i = 0; i < counts.length; i++) {
                try {
                    counts[i] = futures.get(i).get();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof IOException io) {
                        throw io;
                    }
                    throw new IOException(e.getCause());
                }
            }
            return counts;
        }

        private Sample sample(long nanos, long[] counts) {
            long total = 0;
            long[] fresh = new long[counts.length];
            for (int i = 0; i < counts.length; i++) {
                total += counts[i];
                fresh[i] = counts[i] - before[i];
            }
            return new Sample(nanos, total, completeMessages(fresh, perMessage), "");
        }

        long beforeTotal() {
            return beforeTotal;
        }

        List<Sample> samples() {
            return List.copyOf(samples);
        }

        long cycles() {
            return cycles;
        }

        double meanCycleMillis() {
            long n = cycles;
            return n == 0 ? Double.NaN : cycleNanos / 1e6 / n;
        }

        /** The first sample at or above both targets; else the last one, with why the wait ended. */
        Sample awaitAtLeast(long target, long visibleTarget, Duration timeout, Duration stall) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            long lastChange = System.nanoTime();
            long lastCount = -1;
            while (true) {
                for (Sample s : samples) {
                    if (s.count() >= target && s.visible() >= visibleTarget) {
                        return s;
                    }
                }
                Sample last = samples.isEmpty() ? new Sample(System.nanoTime(), beforeTotal, 0, "") : samples.getLast();
                if (last.count() != lastCount) {
                    lastCount = last.count();
                    lastChange = System.nanoTime();
                }
                long now = System.nanoTime();
                String error = lastError.isEmpty() ? "" : " (last count error: " + lastError + ")";
                if (now > deadline) {
                    return new Sample(now, last.count(), last.visible(), "timed out after " + timeout.toSeconds() + " s" + error);
                }
                if (now - lastChange > stall.toNanos()) {
                    return new Sample(now, last.count(), last.visible(), "no progress for " + stall.toSeconds() + " s" + error);
                }
                Thread.sleep(20);
            }
        }

        void stop() {
            stop.set(true);
            thread.interrupt();
            pool.shutdownNow();
        }
    }
}
