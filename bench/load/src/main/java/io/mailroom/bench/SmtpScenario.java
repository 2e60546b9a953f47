package io.mailroom.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * {@code smtp}: the accept rate of an SMTP server. {@code deliver}: the same load, then waits until the mailboxes
 * hold every accepted message, for the end-to-end filing rate (first MAIL to the poll that saw the last message
 * filed). Each message goes to one recipient, taken in turn from {@code --to}.
 */
final class SmtpScenario {

    private SmtpScenario() {
    }

    static void run(Options o, boolean deliver) throws Exception {
        SmtpLoad.Settings settings = SmtpLoad.Settings.from(o, 25);
        int count = o.integer("messages", 2000);
        List<String> to = o.list("to", "user100@example.test");
        String side = o.string("side", "-");
        String run = o.string("run", "1");
        Path results = resultsFile(o);
        String countSpec = deliver ? o.required("count") : null;
        String token = o.string("token", System.getenv("MAILROOM_ADMIN_TOKEN"));
        java.time.Duration pollEvery = o.seconds("poll-seconds", 0.1);
        java.time.Duration deliverTimeout = o.seconds("deliver-timeout", 300);
        java.time.Duration stall = o.seconds("stall-seconds", 60);
        o.requireAllUsed();

        String runId = Long.toString(System.currentTimeMillis(), 36);
        System.out.printf(Locale.ROOT, "%s: %d messages to %s over %s%n", deliver ? "deliver" : "smtp", count, to,
                settings.describe());

        MailboxCounter counter = deliver ? MailboxCounter.parse(countSpec, token) : null;
        long before = deliver ? counter.total(to) : 0;
        Poller poller = deliver ? Poller.start(counter, to, pollEvery) : null;

        SmtpLoad.Outcome outcome;
        try {
            outcome = new SmtpLoad(settings, runId).run(count, i -> List.of(to.get(i % to.size())));
        } catch (Exception e) {
            if (poller != null) {
                poller.stop();
            }
            throw e;
        }
        outcome.print("smtp");
        List<ResultRow> rows = new ArrayList<>();
        rows.add(new ResultRow(deliver ? "smtp-accept" : "smtp", side, run, outcome.rate(), "msg/s",
                outcome.latency().percentileMillis(50), outcome.latency().percentileMillis(99),
                outcome.latency().maxMillis(), outcome.accepted(), outcome.failed(), outcome.seconds(),
                "errors=" + outcome.errors().compact()));

        if (deliver) {
            long target = before + outcome.deliveries();
            Poller.Sample done = poller.awaitAtLeast(target, deliverTimeout, stall);
            poller.stop();
            long filed = done.count() - before;
            double seconds = (done.nanos() - outcome.startNanos()) / 1e9;
            boolean complete = done.count() >= target;
            double lag = (done.nanos() - outcome.endNanos()) / 1e9;
            System.out.printf(Locale.ROOT, "deliver: %d of %d accepted messages filed %.2f s after the first MAIL -> "
                            + "%.1f msg/s end-to-end (last filed %.2f s after the last SMTP reply)%s%n",
                    filed, outcome.deliveries(), seconds, filed / seconds, lag,
                    complete ? "" : "  INCOMPLETE: " + done.why());
            rows.add(new ResultRow("deliver-e2e", side, run, filed / seconds, "msg/s", Double.NaN, Double.NaN,
                    Double.NaN, filed, outcome.deliveries() - filed + outcome.failed(), seconds,
                    String.format(Locale.ROOT, "lag_after_smtp_s=%.2f%s", lag, complete ? "" : " INCOMPLETE:" + done.why())));
        }
        ResultRow.append(results, rows);
        if (outcome.aborted() || outcome.accepted() == 0) {
            throw new Load.Failed("the SMTP load did not complete: " + outcome.errors().summary());
        }
        if (deliver && rows.getLast().extra().contains("INCOMPLETE")) {
            throw new Load.Failed("not every accepted message was filed: " + rows.getLast().extra());
        }
    }

    static Path resultsFile(Options o) {
        String file = o.string("results", null);
        return file == null ? null : Path.of(file);
    }

    /** Counts the filed messages in the background, so the time all were filed is known to one poll interval. */
    static final class Poller {

        record Sample(long nanos, long count, String why) {
        }

        private final List<Sample> samples = new CopyOnWriteArrayList<>();
        private final AtomicBoolean stop = new AtomicBoolean();
        private volatile String lastError = "";
        private Thread thread;

        static Poller start(MailboxCounter counter, List<String> addresses, java.time.Duration every) {
            Poller p = new Poller();
            p.thread = Thread.ofPlatform().daemon().name("filed-poller").start(() -> {
                while (!p.stop.get()) {
                    try {
                        long n = 0;
                        for (String a : addresses) {
                            n += counter.count(a);
                        }
                        p.samples.add(new Sample(System.nanoTime(), n, ""));
                        p.lastError = "";
                    } catch (IOException | RuntimeException e) {
                        p.lastError = e.getMessage();
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

        /** The first sample at or above the target; else the last one, with why the wait ended. */
        Sample awaitAtLeast(long target, java.time.Duration timeout, java.time.Duration stall) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            long lastChange = System.nanoTime();
            long lastCount = -1;
            while (true) {
                for (Sample s : samples) {
                    if (s.count() >= target) {
                        return s;
                    }
                }
                Sample last = samples.isEmpty() ? new Sample(System.nanoTime(), 0, "") : samples.getLast();
                if (last.count() != lastCount) {
                    lastCount = last.count();
                    lastChange = System.nanoTime();
                }
                long now = System.nanoTime();
                String error = lastError.isEmpty() ? "" : " (last count error: " + lastError + ")";
                if (now > deadline) {
                    return new Sample(now, last.count(), "timed out after " + timeout.toSeconds() + " s" + error);
                }
                if (now - lastChange > stall.toNanos()) {
                    return new Sample(now, last.count(), "no progress for " + stall.toSeconds() + " s" + error);
                }
                Thread.sleep(20);
            }
        }

        void stop() {
            stop.set(true);
            thread.interrupt();
        }
    }
}
