package io.mailroom.pop3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * pop3-gateway from its runnable jar, in a JVM with a 64 MB heap, over the real mailbox-api and PostgreSQL:
 * a 50 MB message comes through byte for byte, TOP of it reads only its head from mailbox-api, UIDLs agree
 * across replicas, deletions reach mailbox-api at QUIT and only then, and the maildrop lock holds across replicas
 * and runs out when its replica dies.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class Pop3OverMailboxApiIT {

    static final String ALICE = "alice@real-stack.example";
    static final String BOB = "bob@real-stack.example";
    static final int FIFTY_MB = 50_000_000;
    static final List<String> SMALL_HEAP = List.of("-Xmx64m", "-XX:MaxDirectMemorySize=32m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1");

    RealStack stack;
    RealStack.Gateway gateway;
    byte[] bigDigest;

    @BeforeAll
    void start() throws Exception {
        stack = RealStack.start("over-mailbox-api");
        gateway = stack.startGateway(SMALL_HEAP, Map.of());
        stack.createAccount(ALICE);
        stack.createAccount(BOB);
        stack.deliver(ALICE, message("first", "Hello Alice,\r\n.a line with a dot\r\n"));
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        byte[] big = fiftyMegabytes();
        bigDigest = digest.digest(big);
        stack.deliver(ALICE, big);
        big = null;
        stack.deliver(ALICE, message("third", "the last one\r\n"));
    }

    @AfterAll
    void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void aFiftyMegabyteMessageComesThroughByteForByteWithA64MegabyteHeap() throws Exception {
        assertThat(heapMaxBytes()).as("the limit is in force").isLessThanOrEqualTo(64L << 20);
        try (Pop3Client client = login(ALICE)) {
            assertThat(client.multiLine("LIST")).element(1).asString().isEqualTo("2 " + FIFTY_MB);
            long start = System.nanoTime();
            assertThat(client.command("RETR 2")).isEqualTo("+OK " + FIFTY_MB + " octets");
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            long octets = 0;
            for (byte[] line = client.readLineBytes(); !isTerminator(line); line = client.readLineBytes()) {
                int skip = line.length > 1 && line[0] == '.' ? 1 : 0;
                digest.update(line, skip, line.length - skip);
                octets += line.length - skip;
            }
            assertThat(octets).isEqualTo(FIFTY_MB);
            System.out.printf("RETR of %d bytes through a 64 MB heap took %d ms%n", FIFTY_MB,
                    Duration.ofNanos(System.nanoTime() - start).toMillis());
            assertThat(HexFormat.of().formatHex(digest.digest())).isEqualTo(HexFormat.of().formatHex(bigDigest));
            assertThat(client.command("NOOP")).startsWith("+OK");
        }
        assertThat(gateway.process().isAlive()).isTrue();
    }

    @Test
    void topOfTheFiftyMegabyteMessageTakesOnlyItsHeadFromMailboxApi() throws Exception {
        try (Pop3Client client = login(ALICE)) {
            long before = stack.proxy().bytesFromServer();
            List<String> top = client.multiLine("TOP 2 3");
            assertThat(top).startsWith("Subject: fifty megabytes").endsWith("", "..line 0 starts with a dot", "line 1", "line 2");
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                    .until(() -> stack.proxy().bytesFromServer() - before < FIFTY_MB / 5);
            long sent = stack.proxy().bytesFromServer() - before;
            System.out.printf("TOP 2 3 of a %d-byte message: mailbox-api sent %d bytes%n", FIFTY_MB, sent);
            assertThat(sent).as("bytes mailbox-api sent for TOP").isLessThan(FIFTY_MB / 5);
        }
    }

    /**
     * A maildrop read in order is fetched with mailbox-api's batch read (several messages per request, over the real
     * HTTP client and PostgreSQL), and every message still comes byte for byte.
     */
    @Test
    void aMaildropReadInOrderComesByteForByteFromBatchReads() throws Exception {
        String dave = "dave@real-stack.example";
        stack.createAccount(dave);
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            byte[] content = message("for dave " + i, ".a dotted line " + i + "\r\n" + "some text\r\n".repeat(i * 40));
            sent.add(content);
            stack.deliver(dave, content);
        }
        double batchesBefore = apiRequests("POST", "/internal/v1/accounts/{address}/mailboxes/{mailboxId}/messages/raw");
        double singlesBefore = apiRequests("GET", "/internal/v1/accounts/{address}/mailboxes/{mailboxId}/messages/{uid}/raw");
        try (Pop3Client client = login(dave)) {
            for (int i = 0; i < sent.size(); i++) {
                assertThat(client.command("RETR " + (i + 1))).isEqualTo("+OK " + sent.get(i).length + " octets");
                assertThat(Pop3ConversationIT.undoDotStuffing(client.restOfRawBody())).as("message %d", i + 1)
                        .isEqualTo(sent.get(i));
            }
            assertThat(client.command("QUIT")).startsWith("+OK");
        }
        double batches = apiRequests("POST", "/internal/v1/accounts/{address}/mailboxes/{mailboxId}/messages/raw") - batchesBefore;
        double singles = apiRequests("GET", "/internal/v1/accounts/{address}/mailboxes/{mailboxId}/messages/{uid}/raw") - singlesBefore;
        System.out.printf("12 RETRs in order: %.0f batch reads, %.0f single reads%n", batches, singles);
        assertThat(singles).as("single reads").isZero();
        assertThat(batches).as("batch reads").isPositive().isLessThanOrEqualTo(sent.size() / 2.0);
    }

    /**
     * With the default window (64 messages, refilled at half) a maildrop read in order costs one full batch request per
     * 32 messages: 80 RETRs are 3 requests (64 fetched by the first RETR in two, the last 16 in one refill), where a
     * window of 32 with requests of 16 took 5.
     */
    @Test
    void eightyRetrsInOrderTakeThreeBatchRequests() throws Exception {
        String erin = "erin@real-stack.example";
        stack.createAccount(erin);
        List<byte[]> sent = new ArrayList<>();
        for (int i = 0; i < 80; i++) {
            byte[] content = message("for erin " + i, "line " + i + "\r\n");
            sent.add(content);
            stack.deliver(erin, content);
        }
        double batchesBefore = apiRequests("POST", "/internal/v1/accounts/{address}/mailboxes/{mailboxId}/messages/raw");
        double singlesBefore = apiRequests("GET", "/internal/v1/accounts/{address}/mailboxes/{mailboxId}/messages/{uid}/raw");
        try (Pop3Client client = login(erin)) {
            for (int i = 0; i < sent.size(); i++) {
                assertThat(client.command("RETR " + (i + 1))).isEqualTo("+OK " + sent.get(i).length + " octets");
                assertThat(Pop3ConversationIT.undoDotStuffing(client.restOfRawBody())).as("message %d", i + 1)
                        .isEqualTo(sent.get(i));
            }
            assertThat(client.command("QUIT")).startsWith("+OK");
        }
        double batches = apiRequests("POST", "/internal/v1/accounts/{address}/mailboxes/{mailboxId}/messages/raw") - batchesBefore;
        double singles = apiRequests("GET", "/internal/v1/accounts/{address}/mailboxes/{mailboxId}/messages/{uid}/raw") - singlesBefore;
        System.out.printf("80 RETRs in order: %.0f batch reads, %.0f single reads%n", batches, singles);
        assertThat(singles).as("single reads").isZero();
        assertThat(batches).as("batch reads").isEqualTo(3);
    }

    /**
     * How many requests mailbox-api has served on this gateway route ({@code mailroom_gateway_requests_seconds_count},
     * the gateway routes' own timer).
     */
    private double apiRequests(String method, String route) throws Exception {
        double total = 0;
        for (String line : stack.apiMetrics().split("\n")) {
            if (line.startsWith("mailroom_gateway_requests_seconds_count{") && line.contains("method=\"" + method + "\"")
                    && line.contains("route=\"" + route + "\"")) {
                total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return total;
    }

    @Test
    void uidlIsTheSameOnEveryReplicaAndMadeOfUidValidityAndUid() throws Exception {
        RealStack.Gateway second = stack.startGateway(List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), Map.of());
        List<String> here;
        List<String> there;
        try (Pop3Client client = login(gateway.pop3(), ALICE)) {
            here = client.multiLine("UIDL");
            client.command("QUIT");
        }
        try (Pop3Client client = login(second.pop3(), ALICE)) {
            there = client.multiLine("UIDL");
            client.command("QUIT");
        }
        long uidValidity = stack.uidValidity(ALICE);
        List<String> expected = new ArrayList<>();
        List<Long> uids = stack.inboxUids(ALICE);
        for (int i = 0; i < uids.size(); i++) {
            expected.add((i + 1) + " " + uidValidity + "." + uids.get(i));
        }
        assertThat(here).isEqualTo(there).isEqualTo(expected);
        second.process().stop(Duration.ofSeconds(20));
    }

    @Test
    void deletionsReachMailboxApiAtQuitAndOnlyThen() throws Exception {
        for (int i = 0; i < 3; i++) {
            stack.deliver(BOB, message("for bob " + i, "body " + i + "\r\n"));
        }
        List<Long> uids = stack.inboxUids(BOB);
        Pop3Client dropped = login(BOB);
        assertThat(dropped.command("DELE 1")).startsWith("+OK");
        dropped.drop();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            try (Pop3Client client = login(BOB)) {
                assertThat(client.command("STAT")).startsWith("+OK 3 ");
                assertThat(client.command("DELE 1")).startsWith("+OK");
                assertThat(client.command("DELE 3")).startsWith("+OK");
                assertThat(stack.inboxUids(BOB)).as("not before QUIT").hasSize(3);
                assertThat(client.command("QUIT")).startsWith("+OK");
            }
        });
        assertThat(stack.inboxUids(BOB)).containsExactly(uids.get(1));
    }

    @Test
    void theMaildropIsLockedForTheSession() throws Exception {
        try (Pop3Client first = login(ALICE); Pop3Client second = connect(gateway.pop3())) {
            assertThat(second.command("USER " + ALICE)).startsWith("+OK");
            assertThat(second.command("PASS " + RealStack.PASSWORD)).startsWith("-ERR [IN-USE] ");
            assertThat(first.command("QUIT")).startsWith("+OK");
        }
    }

    /**
     * RFC 1939 §8 across replicas: the lock lives in mailbox-api, so a login on another replica is refused while a
     * session holds the maildrop (past its lease's time to live: the holder renews it), and the lock of a replica that
     * was killed without a word runs out by itself.
     */
    @Test
    void theMaildropLockHoldsAcrossReplicasAndACrashedReplicasLockRunsOut() throws Exception {
        String carol = "carol@real-stack.example";
        stack.createAccount(carol);
        stack.deliver(carol, message("for carol", "hello\r\n"));
        // a short lease, so that a lease outliving it proves renewal and a dead one runs out soon; not the shortest
        // allowed (3 s), so that a renewal delayed by a loaded machine does not lose it
        RealStack.Gateway other = stack.startGateway(List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"),
                Map.of("mailroom.pop3.maildrop-lock.ttl", "5s"));

        try (Pop3Client here = login(gateway.pop3(), carol); Pop3Client there = connect(other.pop3())) {
            assertThat(there.command("USER " + carol)).startsWith("+OK");
            assertThat(there.command("PASS " + RealStack.PASSWORD)).startsWith("-ERR [IN-USE] ");
            assertThat(here.command("QUIT")).startsWith("+OK");
        }

        Pop3Client holder = login(other.pop3(), carol);
        long since = System.nanoTime();
        assertThat(holder.command("DELE 1")).startsWith("+OK");
        // refused on this replica for twice the holder's 5 s lease: its replica keeps renewing it
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            assertThat(loginReply(gateway.pop3(), carol)).startsWith("-ERR [IN-USE] ");
            assertThat(Duration.ofNanos(System.nanoTime() - since)).isGreaterThan(Duration.ofSeconds(11));
        });
        assertThat(holder.command("NOOP")).as("the holder's session is alive").startsWith("+OK");

        other.process().kill();
        holder.drop();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(loginReply(gateway.pop3(), carol)).startsWith("+OK"));
        assertThat(stack.inboxUids(carol)).as("the killed session's DELE never took effect").hasSize(1);
    }

    /** The reply to PASS of a fresh connection, which is then closed. */
    private static String loginReply(int port, String user) throws Exception {
        try (Pop3Client client = connect(port)) {
            assertThat(client.command("USER " + user)).startsWith("+OK");
            String reply = client.command("PASS " + RealStack.PASSWORD);
            if (reply.startsWith("+OK")) {
                client.command("QUIT");
            }
            return reply;
        }
    }

    private long heapMaxBytes() throws IOException, InterruptedException {
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + gateway.http() + "/actuator/prometheus")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher heap = Pattern.compile("(?m)^jvm_memory_max_bytes\\{[^}]*area=\"heap\"[^}]*} ([0-9.E+-]+)$").matcher(metrics);
        double total = 0;
        while (heap.find()) {
            double value = Double.parseDouble(heap.group(1));
            if (value > 0) {
                total += value;
            }
        }
        return (long) total;
    }

    private Pop3Client login(String user) throws Exception {
        return login(gateway.pop3(), user);
    }

    private static Pop3Client login(int port, String user) throws Exception {
        Pop3Client client = connect(port);
        assertThat(client.command("USER " + user)).startsWith("+OK");
        String reply = client.command("PASS " + RealStack.PASSWORD);
        if (!reply.startsWith("+OK")) {
            client.close();
            throw new AssertionError("login of " + user + ": " + reply);
        }
        return client;
    }

    private static Pop3Client connect(int port) throws Exception {
        Pop3Client client = Pop3Client.plain(port);
        assertThat(client.readLine()).startsWith("+OK");
        return client;
    }

    private static boolean isTerminator(byte[] line) {
        return line.length == 3 && line[0] == '.' && line[1] == '\r' && line[2] == '\n';
    }

    static byte[] message(String subject, String body) {
        return ("From: sender@elsewhere.example\r\nTo: someone@real-stack.example\r\nSubject: " + subject
                + "\r\nMessage-ID: <" + subject.replace(' ', '.') + "@real-stack.example>\r\n\r\n" + body)
                .getBytes(StandardCharsets.US_ASCII);
    }

    /** Exactly 50,000,000 bytes: a header, then numbered lines, one in ten starting with a dot. */
    static byte[] fiftyMegabytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(FIFTY_MB);
        out.writeBytes("Subject: fifty megabytes\r\nFrom: sender@elsewhere.example\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        for (int i = 0; out.size() < FIFTY_MB - 200; i++) {
            String line = (i % 10 == 0 ? "." : "") + "line " + i + (i == 0 ? " starts with a dot" : "")
                    + (i > 0 && i % 7 == 0 ? " padded out with some more text to vary the length" : "") + "\r\n";
            out.writeBytes(line.getBytes(StandardCharsets.US_ASCII));
        }
        while (out.size() < FIFTY_MB - 2) {
            out.write('x');
        }
        out.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        return out.toByteArray();
    }
}
