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

/**
 * SMTP load for one side of the smtp-ingress benchmark: SESSIONS concurrent connections send MESSAGES messages
 * of SIZE bytes in all, PER_CONNECTION per connection (EHLO, then MAIL, RCPT, DATA for each), and measure for
 * every message the time from sending DATA to reading the final 250 (the 354 round trip, the message, and
 * the server making it durable). Prints one line to parse:
 *
 * <pre>RESULT label accepted failed seconds msgPerSecond p50ms p90ms p99ms maxms</pre>
 *
 * Run with the JDK's source launcher: {@code java SmtpLoad.java PORT LABEL SESSIONS MESSAGES SIZE PER_CONNECTION RCPT [pipelining]};
 * with {@code pipelining}, MAIL, RCPT and DATA go out together (RFC 2920) and the clock starts with them.
 * Bounded: every socket read times out after 60 s, the whole run after 15 minutes.
 */
public class SmtpLoad {

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
    }

    private static void connection(int port, String recipient, byte[] body, int perConnection, boolean pipelining,
                                   AtomicInteger next, int messages, long[] latencies, AtomicInteger failed) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(60_000);
            socket.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
            expect(in, "220");
            command(out, in, "EHLO load.test", "250");
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
                    String reply = command(out, in, "MAIL FROM:<load@remote.test>", null);
                    if (reply.startsWith("250")) {
                        reply = command(out, in, "RCPT TO:<" + recipient + ">", null);
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
                }
                out.write(body);
                out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                if (readReply(in).startsWith("250")) {
                    latencies[n] = System.nanoTime() - dataSent;
                } else {
                    failed.incrementAndGet();
                }
            }
            command(out, in, "QUIT", null);
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
