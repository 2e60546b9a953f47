import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * SMTP load for one side of the smtp-ingress benchmark: SESSIONS concurrent connections send MESSAGES messages
 * of SIZE bytes in all, PER_CONNECTION per connection (EHLO, then MAIL, RCPT, DATA for each), and measure for
 * every message the time from sending DATA to reading the final 250 (the 354 round trip, the message, and
 * the server making it durable). Prints one line to parse:
 *
 * <pre>RESULT label accepted failed seconds msgPerSecond p50ms p90ms p99ms maxms</pre>
 *
 * and one line with each step's round trip (p50/p99 ms; without pipelining): connect to banner, EHLO, MAIL, RCPT,
 * DATA to 354, end of data to 250, QUIT:
 *
 * <pre>STEPS label banner=p50/p99 ehlo=.. mail=.. rcpt=.. data=.. eod=.. quit=..</pre>
 *
 * Run with the JDK's source launcher: {@code java SmtpLoad.java PORT LABEL SESSIONS MESSAGES SIZE PER_CONNECTION RCPT [pipelining]};
 * with {@code pipelining}, MAIL, RCPT and DATA go out together (RFC 2920) and the clock starts with them.
 * Bounded: every socket read times out after 60 s, the whole run after 15 minutes.
 */
public class SmtpLoad {

    private static final String[] STEPS = {"banner", "ehlo", "mail", "rcpt", "data", "eod", "quit"};
    private static final int BANNER = 0, EHLO = 1, MAIL = 2, RCPT = 3, DATA = 4, EOD = 5, QUIT = 6;
    /** Per step, a histogram of round trips in 10 µs buckets up to 1 s (the last bucket holds the rest). */
    private static final int BUCKETS = 100_000;
    private static final AtomicLongArray[] stepTimes = new AtomicLongArray[STEPS.length];

    static {
        for (int i = 0; i < STEPS.length; i++) {
            stepTimes[i] = new AtomicLongArray(BUCKETS);
        }
    }

    private static void step(int step, long startedNanos) {
        long bucket = (System.nanoTime() - startedNanos) / 10_000;
        stepTimes[step].incrementAndGet((int) Math.min(BUCKETS - 1, bucket));
    }

    private static String stepPercentiles(int step) {
        AtomicLongArray histogram = stepTimes[step];
        long total = 0;
        for (int i = 0; i < BUCKETS; i++) {
            total += histogram.get(i);
        }
        if (total == 0) {
            return "-";
        }
        double[] result = new double[2];
        int[] percents = {50, 99};
        for (int p = 0; p < 2; p++) {
            long rank = (long) Math.ceil(percents[p] / 100.0 * total), seen = 0;
            for (int i = 0; i < BUCKETS; i++) {
                seen += histogram.get(i);
                if (seen >= rank) {
                    result[p] = (i + 1) / 100.0;
                    break;
                }
            }
        }
        return String.format("%.2f/%.2f", result[0], result[1]);
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String label = args[1];
        int sessions = Integer.parseInt(args[2]);
        int messages = Integer.parseInt(args[3]);
        int size = Integer.parseInt(args[4]);
        int perConnection = Integer.parseInt(args[5]);
        String recipient = args[6];
        boolean pipelining = args.length > 7 && args[7].equals("pipelining");
        byte[] body = message(size);

        AtomicInteger next = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        long[] latencies = new long[messages];
        Arrays.fill(latencies, -1);
        long started = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(sessions)) {
            List<Future<?>> workers = new ArrayList<>();
            for (int s = 0; s < sessions; s++) {
                workers.add(pool.submit(() -> {
                    while (next.get() < messages) {
                        try {
                            connection(port, recipient, body, perConnection, pipelining, next, messages, latencies, failed);
                        } catch (IOException e) {
                            failed.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> worker : workers) {
                worker.get(15, TimeUnit.MINUTES);
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        long[] accepted = Arrays.stream(latencies).filter(latency -> latency >= 0).sorted().toArray();
        System.out.printf("RESULT %s %d %d %.2f %.1f %.2f %.2f %.2f %.2f%n", label, accepted.length, failed.get(), seconds,
                accepted.length / seconds, percentile(accepted, 50), percentile(accepted, 90), percentile(accepted, 99),
                accepted.length == 0 ? 0 : accepted[accepted.length - 1] / 1e6);
        StringBuilder steps = new StringBuilder("STEPS " + label);
        for (int i = 0; i < STEPS.length; i++) {
            steps.append(' ').append(STEPS[i]).append('=').append(stepPercentiles(i));
        }
        System.out.println(steps);
    }

    private static void connection(int port, String recipient, byte[] body, int perConnection, boolean pipelining,
                                   AtomicInteger next, int messages, long[] latencies, AtomicInteger failed) throws IOException {
        long t = System.nanoTime();
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(60_000);
            socket.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
            expect(in, "220");
            step(BANNER, t);
            t = System.nanoTime();
            command(out, in, "EHLO load.test", "250");
            step(EHLO, t);
            for (int i = 0; i < perConnection; i++) {
                int n = next.getAndIncrement();
                if (n >= messages) {
                    break;
                }
                long dataSent;
                if (pipelining) {
                    // RFC 2920: MAIL, RCPT and DATA in one go, as MTAs send them; DATA's clock starts with the group.
                    dataSent = System.nanoTime();
                    out.write(("MAIL FROM:<load@remote.test>\r\nRCPT TO:<" + recipient + ">\r\nDATA\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                    boolean ok = readReply(in).startsWith("250") & readReply(in).startsWith("250");
                    if (!readReply(in).startsWith("354") || !ok) {
                        failed.incrementAndGet();
                        continue;
                    }
                } else {
                    t = System.nanoTime();
                    String reply = command(out, in, "MAIL FROM:<load@remote.test>", null);
                    step(MAIL, t);
                    if (reply.startsWith("250")) {
                        t = System.nanoTime();
                        reply = command(out, in, "RCPT TO:<" + recipient + ">", null);
                        step(RCPT, t);
                    }
                    if (!reply.startsWith("250")) {
                        failed.incrementAndGet();
                        command(out, in, "RSET", null);
                        continue;
                    }
                    dataSent = System.nanoTime();
                    if (!command(out, in, "DATA", null).startsWith("354")) {
                        failed.incrementAndGet();
                        continue;
                    }
                    step(DATA, dataSent);
                }
                long eodSent = System.nanoTime();
                out.write(body);
                out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                if (readReply(in).startsWith("250")) {
                    latencies[n] = System.nanoTime() - dataSent;
                    step(EOD, eodSent);
                } else {
                    failed.incrementAndGet();
                }
            }
            t = System.nanoTime();
            command(out, in, "QUIT", null);
            step(QUIT, t);
        }
    }

    private static String command(OutputStream out, InputStream in, String line, String expected) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return expected == null ? readReply(in) : expect(in, expected);
    }

    private static String expect(InputStream in, String code) throws IOException {
        String reply = readReply(in);
        if (!reply.startsWith(code)) {
            throw new IOException("expected " + code + ", got " + reply);
        }
        return reply;
    }

    /** The last line of a (possibly multi-line) reply. */
    private static String readReply(InputStream in) throws IOException {
        while (true) {
            StringBuilder line = new StringBuilder();
            int b;
            while ((b = in.read()) != '\n') {
                if (b < 0) {
                    throw new IOException("connection closed");
                }
                line.append((char) b);
            }
            if (line.length() < 4 || line.charAt(3) != '-') {
                return line.toString().strip();
            }
        }
    }

    /** SIZE bytes of a plain message, dot-stuffing never needed. */
    private static byte[] message(int size) {
        StringBuilder message = new StringBuilder("From: load@remote.test\r\nTo: bench\r\nSubject: load\r\n\r\n");
        String line = "The quick brown fox jumps over the lazy dog 0123456789 abcdefghijklmnopqrstuvwxyz\r\n";
        while (message.length() + line.length() <= size) {
            message.append(line);
        }
        while (message.length() < size - 2) {
            message.append('x');
        }
        message.append("\r\n");
        return message.toString().getBytes(StandardCharsets.US_ASCII);
    }

    private static double percentile(long[] sorted, int percent) {
        if (sorted.length == 0) {
            return 0;
        }
        int index = (int) Math.ceil(percent / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }
}
