package io.mailroom.bench;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code fill}: tops every bench mailbox up to K messages over SMTP (or LMTP with {@code --lmtp}), several
 * recipients per message, then waits until the counts show them filed. Mailboxes that already hold K or more are
 * left alone, so a second fill of the same store sends nothing. Not a measurement: it prepares the POP3 bench.
 */
final class FillScenario {

    private static final int ATTEMPTS = 3;

    private FillScenario() {
    }

    static void run(Options o) throws Exception {
        SmtpLoad.Settings settings = SmtpLoad.Settings.from(o, 25);
        List<String> users = Users.from(o, 20);
        int perUser = o.integer("per-user", 200);
        int rcptsPerMessage = o.integer("rcpts-per-message", 20);
        MailboxCounter counter = MailboxCounter.parse(o.required("count"), o.string("token", System.getenv("MAILROOM_ADMIN_TOKEN")));
        Duration timeout = o.seconds("deliver-timeout", 600);
        Duration stall = o.seconds("stall-seconds", 60);
        o.requireAllUsed();

        long t0 = System.nanoTime();
        long sent = 0;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            Map<String, Long> counts = counts(counter, users);
            List<List<String>> plan = plan(counts, perUser, rcptsPerMessage);
            if (plan.isEmpty()) {
                report(counts, perUser, sent, t0);
                return;
            }
            int deliveries = plan.stream().mapToInt(List::size).sum();
            System.out.printf(Locale.ROOT, "fill: attempt %d: %d deliveries to %d mailboxes in %d messages over %s%n",
                    attempt, deliveries, users.size(), plan.size(), settings.describe());
            SmtpLoad.Outcome outcome = new SmtpLoad(settings, "fill" + Long.toString(System.currentTimeMillis(), 36))
                    .run(plan.size(), plan::get);
            outcome.print("fill smtp");
            sent += outcome.deliveries();
            long before = counts.values().stream().mapToLong(Long::longValue).sum();
            long after = awaitFilled(counter, users, perUser, timeout, stall);
            if (after == before) {
                throw new Load.Failed("fill: nothing was filed in " + stall.toSeconds() + " s after "
                        + outcome.accepted() + " messages were accepted; mailboxes: " + shortOnes(counts(counter, users), perUser));
            }
        }
        Map<String, Long> counts = counts(counter, users);
        if (!plan(counts, perUser, rcptsPerMessage).isEmpty()) {
            throw new Load.Failed("fill: mailboxes still short of " + perUser + " messages after " + ATTEMPTS
                    + " attempts: " + shortOnes(counts, perUser));
        }
        report(counts, perUser, sent, t0);
    }

    /** One message per round to every mailbox still short, recipients grouped so no message has too many. */
    static List<List<String>> plan(Map<String, Long> counts, int perUser, int rcptsPerMessage) {
        long rounds = counts.values().stream().mapToLong(c -> perUser - c).max().orElse(0);
        List<List<String>> plan = new ArrayList<>();
        for (long r = 0; r < rounds; r++) {
            List<String> short_ = new ArrayList<>();
            for (Map.Entry<String, Long> e : counts.entrySet()) {
                if (perUser - e.getValue() > r) {
                    short_.add(e.getKey());
                }
            }
            for (int i = 0; i < short_.size(); i += rcptsPerMessage) {
                plan.add(List.copyOf(short_.subList(i, Math.min(short_.size(), i + rcptsPerMessage))));
            }
        }
        return plan;
    }

    /** Waits until every mailbox holds enough, or the counts stop growing; answers the last total. */
    private static long awaitFilled(MailboxCounter counter, List<String> users, int perUser, Duration timeout,
                                    Duration stall) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        long lastTotal = -1;
        long lastChange = System.nanoTime();
        while (true) {
            Map<String, Long> counts = counts(counter, users);
            long total = counts.values().stream().mapToLong(Long::longValue).sum();
            if (counts.values().stream().allMatch(c -> c >= perUser)) {
                return total;
            }
            if (total != lastTotal) {
                lastTotal = total;
                lastChange = System.nanoTime();
            }
            if (System.nanoTime() > deadline || System.nanoTime() - lastChange > stall.toNanos()) {
                System.out.println("fill: stopped waiting (" + (System.nanoTime() > deadline ? "timeout" : "no progress")
                        + "); short: " + shortOnes(counts, perUser));
                return total;
            }
            Thread.sleep(500);
        }
    }

    private static Map<String, Long> counts(MailboxCounter counter, List<String> users) throws IOException {
        Map<String, Long> counts = new LinkedHashMap<>();
        for (String u : users) {
            counts.put(u, counter.count(u));
        }
        return counts;
    }

    private static String shortOnes(Map<String, Long> counts, int perUser) {
        return counts.entrySet().stream().filter(e -> e.getValue() < perUser)
                .limit(10).map(e -> e.getKey() + "=" + e.getValue()).toList().toString();
    }

    private static void report(Map<String, Long> counts, int perUser, long sent, long t0) {
        double seconds = (System.nanoTime() - t0) / 1e9;
        long over = counts.values().stream().filter(c -> c > perUser).count();
        System.out.printf(Locale.ROOT, "fill: %d mailboxes hold >= %d messages; %d deliveries sent and filed in %.1f s (%.0f/s)%s%n",
                counts.size(), perUser, sent, seconds, sent / Math.max(seconds, 1e-9),
                over == 0 ? "" : "; NOTE " + over + " mailboxes hold more than " + perUser);
    }
}
