package io.mailroom.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import org.junit.jupiter.api.Test;

/** The parts of the load generator whose mistakes would silently skew a figure. */
class LoadToolTest {

    @Test
    void messagesHaveTheRequestedSizeAndNeedNoDotStuffing() {
        MessageFactory factory = new MessageFactory("run", 4096);
        byte[] message = factory.message(7, List.of("user1@example.test"));
        String text = new String(message, StandardCharsets.US_ASCII);

        assertThat(message.length).isBetween(4090, 4096);
        assertThat(text).contains("Message-ID: <bench.run.7@example.test>").endsWith("\r\n");
        assertThat(text.split("\r\n")).noneMatch(line -> line.startsWith("."));
        assertThat(text.replace("\r\n", "")).doesNotContain("\r").doesNotContain("\n");
    }

    @Test
    void fillPlanTopsEveryMailboxUpToTheTargetAndNoFurther() {
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("a", 0L);
        counts.put("b", 2L);
        counts.put("c", 5L);

        List<List<String>> plan = FillScenario.plan(counts, 3, 2);

        assertThat(plan).containsExactly(List.of("a", "b"), List.of("a"), List.of("a"));
        assertThat(plan).allMatch(recipients -> recipients.size() <= 2);
    }

    @Test
    void inboxCountIsReadFromTheMailboxList() throws IOException {
        String json = """
                [{"id":3,"name":"Archive","role":"ARCHIVE","messages":9},
                 {"id":1,"name":"INBOX","role":"INBOX","uidValidity":1,"messages":1234,"unseen":3,"size":10}]""";

        assertThat(MailboxCounter.MailboxApi.inboxMessages(json)).isEqualTo(1234);
        assertThatThrownBy(() -> MailboxCounter.MailboxApi.inboxMessages("[]")).isInstanceOf(IOException.class);
    }

    @Test
    void multilineResponseEndsAtTheDotLineAndCountsOctetsWithoutIt() throws Exception {
        byte[] response = ("+OK 2 messages\r\nline one\r\n..stuffed\r\n" + "x".repeat(100_000) + "\r\n.\r\n+OK next\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        try (ServerSocket server = new ServerSocket(0)) {
            CompletableFuture<Void> serving = CompletableFuture.runAsync(() -> {
                try (Socket s = server.accept(); OutputStream out = s.getOutputStream()) {
                    // in small pieces, so lines straddle reads and the buffer must grow for the long one
                    for (int i = 0; i < response.length; i += 1000) {
                        out.write(response, i, Math.min(1000, response.length - i));
                        out.flush();
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try (LineConnection c = LineConnection.open("127.0.0.1", server.getLocalPort(), Duration.ofSeconds(5),
                    Duration.ofSeconds(5))) {
                assertThat(c.readLine()).isEqualTo("+OK 2 messages");
                assertThat(c.skipMultiline()).isEqualTo(10 + 11 + 100_002);
                assertThat(c.readLine()).isEqualTo("+OK next");
            }
            serving.get();
        }
    }

    @Test
    void smtpReplyCodeIsTheLastLineOfAMultilineReply() throws Exception {
        byte[] reply = "250-first\r\n250-SIZE 1000\r\n250 last\r\n".getBytes(StandardCharsets.US_ASCII);
        try (ServerSocket server = new ServerSocket(0)) {
            CompletableFuture<Void> serving = CompletableFuture.runAsync(() -> {
                try (Socket s = server.accept(); OutputStream out = s.getOutputStream()) {
                    out.write(reply);
                    out.write("550 5.1.1 no\r\n".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            try (LineConnection c = LineConnection.open("127.0.0.1", server.getLocalPort(), Duration.ofSeconds(5),
                    Duration.ofSeconds(5))) {
                assertThat(SmtpLoad.reply(c)).isEqualTo(250);
                assertThat(SmtpLoad.reply(c)).isEqualTo(550);
            }
            serving.get();
        }
    }

    @Test
    void reportRatiosAreOfMediansAndSayMissingWhenASideHasNoFigure() {
        assertThat(Report.median(new double[] {3, 1, 2})).isEqualTo(2);
        assertThat(Report.median(new double[] {4, 1, Double.NaN})).isEqualTo(2.5);
        assertThat(Report.times(50, 200)).isEqualTo("x0.25");
        assertThat(Report.times(Double.NaN, 200)).isEqualTo("-");

        StringBuilder b = new StringBuilder();
        Report.throughput(List.of(
                new ResultRow("pop3", "mailroom", "1", 100, "msg/s", 1, 10, 20, 5, 0, 1, ""),
                new ResultRow("pop3", "mailroom", "2", 300, "msg/s", 3, 30, 40, 5, 0, 1, ""),
                new ResultRow("pop3", "anchor", "1", 400, "msg/s", 1, 10, 20, 5, 0, 1, "")), b);
        assertThat(b.toString()).contains("throughput x0.50").contains("x2.00").contains("x2.00");
    }

    @Test
    void resultRowsSurviveTheTsvRoundTrip() {
        ResultRow row = new ResultRow("deliver-e2e", "anchor", "2", 123.4567, "msg/s", Double.NaN, Double.NaN,
                Double.NaN, 2000, 0, 16.5, "lag_after_smtp_s=7.85");

        ResultRow back = ResultRow.parse(row.tsv());

        assertThat(back.throughput()).isEqualTo(123.457);
        assertThat(back.p99()).isNaN();
        assertThat(back.extra()).isEqualTo("lag_after_smtp_s=7.85");
    }

    @Test
    void misspeltOptionsFailTheRun() {
        Options o = new Options(List.of("--sessions", "5", "--sesions", "6", "--stls", "--size=4K"));
        assertThat(o.integer("sessions", 1)).isEqualTo(5);
        assertThat(o.flag("stls")).isTrue();
        assertThat(o.size("size", 1)).isEqualTo(4096);

        assertThatThrownBy(o::requireAllUsed).hasMessageContaining("--sesions");
    }

    @Test
    void recipientsAreTakenInTurnAndEveryMessageGoesToDistinctAddresses() {
        List<String> to = List.of("a", "b", "c", "d", "e");

        assertThat(SmtpScenario.recipientsOf(to, 1, 0)).containsExactly("a");
        assertThat(SmtpScenario.recipientsOf(to, 1, 6)).containsExactly("b");
        assertThat(SmtpScenario.recipientsOf(to, 3, 0)).containsExactly("a", "b", "c");
        assertThat(SmtpScenario.recipientsOf(to, 3, 1)).containsExactly("d", "e", "a");
        assertThat(SmtpScenario.recipientsOf(to, 5, 7)).containsExactly("a", "b", "c", "d", "e");
        assertThat(SmtpScenario.recipientsOf(List.of("x", "y"), 2, 1_500_000_000)).containsExactly("x", "y");
    }

    @Test
    void moreRecipientsPerMessageThanAddressesFailsBeforeSending() {
        Options o = new Options(List.of("--to", "a@example.test,b@example.test", "--recipients", "3", "--port", "1"));

        assertThatThrownBy(() -> SmtpScenario.run(o, false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--recipients");
    }

    @Test
    void aMessageToEveryAddressIsCompleteOnlyWhenTheSlowestMailboxHasIt() {
        assertThat(SmtpScenario.completeMessages(new long[] {5, 3, 7}, 3)).isEqualTo(3);
        assertThat(SmtpScenario.completeMessages(new long[] {5, 0, 7}, 3)).isZero();
        // one recipient per message, or a part of the addresses each: copies divided by copies per message
        assertThat(SmtpScenario.completeMessages(new long[] {4, 3}, 1)).isEqualTo(7);
        assertThat(SmtpScenario.completeMessages(new long[] {4, 3, 2}, 2)).isEqualTo(4);
    }

    @Test
    void filingLatencyMatchesTheKthAcceptedMessageWithTheFirstPollThatSawKComplete() {
        long ms = 1_000_000;
        long[] accepted = {0, 10 * ms, 20 * ms, 30 * ms};
        List<SmtpScenario.Poller.Sample> samples = List.of(
                new SmtpScenario.Poller.Sample(5 * ms, 40, 0, ""),
                new SmtpScenario.Poller.Sample(100 * ms, 140, 1, ""),
                new SmtpScenario.Poller.Sample(200 * ms, 340, 3, ""));

        Latency latency = SmtpScenario.filingLatency(accepted, samples);

        // message 1: 100 ms; messages 2 and 3: first seen complete at 200 ms; message 4: never (not counted)
        assertThat(latency.count()).isEqualTo(3);
        assertThat(latency.maxMillis()).isBetween(189.0, 191.0);
        assertThat(latency.percentileMillis(0)).isBetween(99.0, 101.0);
        assertThat(latency.percentileMillis(50)).isBetween(179.0, 181.0);
    }

    @Test
    void openLoopSendsAtTheRateNotAsFastAsTheServerAnswers() throws Exception {
        try (FakeSmtpServer server = new FakeSmtpServer(0)) {
            SmtpLoad.Settings settings = settings(server.port(), 4, 20);

            SmtpLoad.Outcome outcome = new SmtpLoad(settings, "t").run(11, i -> List.of("a@example.test"));

            // 11 messages at 20/s: the last is due 500 ms after the start, the server answers at once
            assertThat(outcome.accepted()).isEqualTo(11);
            assertThat(outcome.seconds()).isBetween(0.49, 2.0);
            assertThat(outcome.lateness().count()).isEqualTo(11);
            assertThat(outcome.acceptedNanos()[10] - outcome.startNanos()).isGreaterThanOrEqualTo(500_000_000L);
        }
    }

    @Test
    void openLoopLatencyRunsFromTheDueTimeSoASlowServerCannotHideItsQueue() throws Exception {
        try (FakeSmtpServer server = new FakeSmtpServer(100)) {
            // one session, a message due every 20 ms, each taking over 100 ms: the fifth is due at 80 ms but can only
            // start after the fourth ended (> 400 ms); its latency counts that wait
            SmtpLoad.Settings settings = settings(server.port(), 1, 50);

            SmtpLoad.Outcome outcome = new SmtpLoad(settings, "t").run(5, i -> List.of("a@example.test"));

            assertThat(outcome.accepted()).isEqualTo(5);
            assertThat(outcome.latency().maxMillis()).isGreaterThan(400);
            assertThat(outcome.lateness().maxMillis()).isGreaterThan(300);
            assertThat(SmtpScenario.openLoopNote(50, outcome.lateness())).contains("rate=50.00").doesNotContain("NOT-HELD");
        }
    }

    @Test
    void aClosedLoopRecordsNoLatenessAndAnOpenLoopThatMissesItsRateSaysSo() {
        Latency late = new Latency();
        late.recordNanos(1_500_000_000L);

        assertThat(SmtpScenario.openLoopNote(2.5, late)).contains("rate=2.50").contains("RATE-NOT-HELD");
        assertThat(settings(1, 1, 0).openLoop()).isFalse();
    }

    @Test
    void aRateThatIsNotPositiveOrCannotFinishInTimeFailsBeforeSending() {
        assertThatThrownBy(() -> settings(1, 1, -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--rate");
        Options tooSlow = new Options(List.of("--rate", "1", "--messages", "100", "--max-seconds", "60", "--port", "1"));

        assertThatThrownBy(() -> SmtpScenario.run(tooSlow, false)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--max-seconds");
    }

    /** Needs the machine's PostgreSQL at 127.0.0.1:5432 (trust); works in a schema of its own, dropped at the end. */
    @Test
    void databaseCounterReadsEveryInboxInOneQueryAndRefusesUnknownAddresses() throws Exception {
        String schema = "bench_counter_" + Long.toString(System.nanoTime(), 36);
        String admin = "jdbc:postgresql://127.0.0.1:5432/postgres";
        try (Connection c = DriverManager.getConnection(admin, "postgres", ""); Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
            s.execute("CREATE TABLE " + schema + ".accounts (id bigint PRIMARY KEY, address text NOT NULL)");
            s.execute("CREATE TABLE " + schema + ".mailboxes (account_id bigint, name text, message_count bigint)");
            s.execute("INSERT INTO " + schema + ".accounts VALUES (1, 'a@example.test'), (2, 'b@example.test')");
            s.execute("INSERT INTO " + schema + ".mailboxes VALUES (1, 'INBOX', 7), (1, 'Sent', 50), (2, 'INBOX', 0)");
        }
        try {
            MailboxCounter counter = MailboxCounter.parse("db:" + admin + "?currentSchema=" + schema, null);

            assertThat(counter.countAll(List.of("b@example.test", "A@example.test"))).containsExactly(0, 7);
            assertThat(counter.count("a@example.test")).isEqualTo(7);
            assertThatThrownBy(() -> counter.countAll(List.of("nobody@example.test")))
                    .isInstanceOf(IOException.class).hasMessageContaining("nobody@example.test");
            assertThat(MailboxCounter.parse("maildir:/tmp", null).countAll(List.of("a"))).isNull();
        } finally {
            try (Connection c = DriverManager.getConnection(admin, "postgres", ""); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA " + schema + " CASCADE");
            }
        }
    }

    private static SmtpLoad.Settings settings(int port, int sessions, double rate) {
        return new SmtpLoad.Settings("127.0.0.1", port, false, sessions, 100, 1024, "bench@example.test",
                Duration.ofSeconds(5), Duration.ofSeconds(30), rate);
    }

    /** Accepts every transaction, answering the end of DATA after {@code delayMillis}. */
    private static final class FakeSmtpServer implements AutoCloseable {
        private final ServerSocket socket = new ServerSocket(0);
        private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
        private final long delayMillis;

        FakeSmtpServer(long delayMillis) throws IOException {
            this.delayMillis = delayMillis;
            threads.submit(this::acceptLoop);
        }

        int port() {
            return socket.getLocalPort();
        }

        private void acceptLoop() {
            while (!socket.isClosed()) {
                try {
                    Socket s = socket.accept();
                    threads.submit(() -> serve(s));
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void serve(Socket s) {
            try (s; BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                 OutputStream out = s.getOutputStream()) {
                send(out, "220 fake");
                boolean data = false;
                String line;
                while ((line = in.readLine()) != null) {
                    if (data) {
                        if (line.equals(".")) {
                            data = false;
                            Thread.sleep(delayMillis);
                            send(out, "250 queued");
                        }
                    } else if (line.startsWith("DATA")) {
                        data = true;
                        send(out, "354 go on");
                    } else if (line.startsWith("QUIT")) {
                        send(out, "221 bye");
                        return;
                    } else {
                        send(out, "250 ok");
                    }
                }
            } catch (IOException | InterruptedException e) {
                // the client went away
            }
        }

        private static void send(OutputStream out, String reply) throws IOException {
            out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        @Override
        public void close() throws IOException {
            socket.close();
            threads.shutdownNow();
        }
    }
}
