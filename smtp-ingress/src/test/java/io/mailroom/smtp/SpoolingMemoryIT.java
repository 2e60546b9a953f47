package io.mailroom.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.mailroom.smtp.support.MemoryProbeServer;
import io.mailroom.smtp.support.SmtpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The memory requirement, measured: smtp-ingress in a JVM with a 512 MB heap takes 200 messages of
 * 10 MB each from 200 clients that all send at the same time (2 GB in flight), without running out of memory,
 * and every message reaches the queue whole. The server JVM dies on the first OutOfMemoryError
 * ({@code -XX:+ExitOnOutOfMemoryError}), which would fail every sender.
 */
class SpoolingMemoryIT {

    static final int SENDERS = 200;
    static final int MESSAGE_LINES = 10 * 1024;
    static final byte[] LINE = ("z".repeat(1022) + "\r\n").getBytes(StandardCharsets.US_ASCII);
    static final long MESSAGE_SIZE = (long) MESSAGE_LINES * LINE.length;
    static final int SERVER_LINES_KEPT = 200;

    private Process server;

    @AfterEach
    void stopServer() throws Exception {
        if (server != null && server.isAlive()) {
            server.destroy();
            server.waitFor(20, TimeUnit.SECONDS);
        }
    }

    @Test
    void twoHundredConcurrentTenMegabyteMessagesFitInA512MegabyteHeap() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        server = new ProcessBuilder(java, "-Xmx512m", "-XX:+ExitOnOutOfMemoryError", "-Xlog:gc*:file=target/memory-probe-gc.log",
                "-cp", System.getProperty("java.class.path"),
                MemoryProbeServer.class.getName(),
                "--mailroom.smtp.hostname=mx.test",
                "--mailroom.smtp.max-message-size=20MB",
                "--mailroom.smtp.max-connections-per-ip=0",
                "--mailroom.smtp.spool.directory=target/memory-spool",
                "--mailroom.smtp.listeners.mx.port=0",
                "--mailroom.smtp.listeners.mx.bind-address=127.0.0.1",
                "--mailroom.smtp.listeners.submission.enabled=false",
                "--mailroom.smtp.listeners.submissions.enabled=false",
                "--mailroom.tls.hostname=localhost",
                "--mailroom.tls.self-signed-directory=target/test-tls",
                "--logging.level.root=WARN")
                .redirectErrorStream(true).start();
        BlockingQueue<String> output = new LinkedBlockingQueue<>();
        Deque<String> lastLines = new ArrayDeque<>();
        Thread.ofVirtual().start(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    output.add(line);
                    synchronized (lastLines) {
                        lastLines.addLast(line);
                        if (lastLines.size() > SERVER_LINES_KEPT) {
                            lastLines.removeFirst();
                        }
                    }
                }
            } catch (IOException ignored) {
                // the server went away; the test notices
            }
        });
        try {
            loadAndCheck(output);
        } catch (Throwable failure) {
            // the server's last words (an OutOfMemoryError, a stack trace) say why senders failed; its GC log is in
            // target/memory-probe-gc.log
            if (server.isAlive()) {
                server.destroy();
                server.waitFor(20, TimeUnit.SECONDS);
            }
            Thread.sleep(500);
            synchronized (lastLines) {
                failure.addSuppressed(new AssertionError("the server's last " + lastLines.size() + " lines of output (alive: "
                        + server.isAlive() + (server.isAlive() ? "" : ", exit code " + server.exitValue()) + "):\n"
                        + String.join("\n", lastLines)));
            }
            throw failure;
        }
    }

    private void loadAndCheck(BlockingQueue<String> output) throws Exception {
        int port = Integer.parseInt(awaitLine(output, "LISTENING ").substring("LISTENING ".length()));

        CyclicBarrier allInData = new CyclicBarrier(SENDERS);
        long started = System.nanoTime();
        List<String> replies = new ArrayList<>();
        try (ExecutorService senders = Executors.newFixedThreadPool(SENDERS)) {
            List<Future<String>> sent = new ArrayList<>();
            for (int i = 0; i < SENDERS; i++) {
                sent.add(senders.submit(() -> send(port, allInData)));
            }
            for (Future<String> reply : sent) {
                replies.add(reply.get(5, TimeUnit.MINUTES));
            }
        }
        double seconds = (System.nanoTime() - started) / 1e9;

        assertThat(server.isAlive()).as("the server survived").isTrue();
        assertThat(replies).allSatisfy(reply -> assertThat(reply).startsWith("250 2.0.0"));
        PrintWriter commands = new PrintWriter(server.getOutputStream(), true, StandardCharsets.UTF_8);
        commands.println("REPORT");
        String[] report = awaitLine(output, "REPORT ").split(" ");
        long queued = Long.parseLong(report[1]);
        long queuedBytes = Long.parseLong(report[2]);
        long peakAfterGc = Long.parseLong(report[3]);
        long maxHeap = Long.parseLong(report[4]);
        System.out.printf("%d messages of %d bytes from %d concurrent senders in %.1f s; heap %d MB, most in use after a GC %d MB%n",
                queued, MESSAGE_SIZE, SENDERS, seconds, maxHeap >> 20, peakAfterGc >> 20);
        assertThat(queued).isEqualTo(SENDERS);
        assertThat(queuedBytes).isGreaterThan(SENDERS * MESSAGE_SIZE);
        assertThat(maxHeap).isLessThanOrEqualTo(512L << 20);
        assertThat(peakAfterGc).isLessThan(maxHeap);
        commands.println("EXIT");
        assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    /** One sender: the envelope, then (once every sender is in DATA) 10 MB of lines; returns the final reply. */
    private static String send(int port, CyclicBarrier allInData) throws Exception {
        try (SmtpClient client = SmtpClient.connect(port)) {
            client.setTimeout(240_000);
            client.reply().expect("220");
            client.ehlo("sender.test").expect("250");
            client.command("MAIL FROM:<load@remote.test> SIZE=" + MESSAGE_SIZE).expect("250");
            client.command("RCPT TO:<bob@example.test>").expect("250");
            client.command("DATA").expect("354");
            allInData.await(2, TimeUnit.MINUTES);
            client.write("Subject: ten megabytes\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            for (int i = 0; i < MESSAGE_LINES; i++) {
                client.writeUnflushed(LINE);
            }
            client.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
            String reply = client.reply().lines().getLast();
            client.command("QUIT");
            return reply;
        }
    }

    private static String awaitLine(BlockingQueue<String> output, String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            String line = output.poll(1, TimeUnit.SECONDS);
            if (line != null && line.startsWith(prefix)) {
                return line;
            }
        }
        throw new AssertionError("the server never printed " + prefix.strip());
    }
}
