package io.mailroom.pop3;

import static io.mailroom.pop3.Pop3ConversationIT.undoDotStuffing;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;

import io.mailroom.pop3.retrieval.ReadAhead;
import io.mailroom.protocol.server.ProtocolServer;

/**
 * RETR's read-ahead ({@link ReadAhead}) through a real socket, with mailbox-api in memory: what the client gets is
 * exactly what it would get without read-ahead (bytes, order, DELE, messages gone meanwhile, TOP), the next messages
 * are fetched before they are asked for, and the limits hold. Two messages ahead, at most 16 KB per session.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "mailroom.pop3.pop3.host=127.0.0.1",
        "mailroom.pop3.pop3.port=0",
        "mailroom.pop3.pop3s.host=127.0.0.1",
        "mailroom.pop3.pop3s.port=0",
        "mailroom.pop3.allow-plaintext-auth=true",
        "mailroom.pop3.read-ahead.messages=2",
        "mailroom.pop3.read-ahead.session-bytes=16KB",
        "mailroom.pop3.read-ahead.memory-budget=1MB",
        "mailroom.tls.self-signed-directory=target/test-tls",
        "mailroom.internal.token=test"})
@Import(TestMailboxApiConfiguration.class)
class Pop3ReadAheadIT {

    static final String ALICE = "alice@example.com";
    static final String PASSWORD = "correct horse";
    static final long BUDGET = 1L << 20;
    static final int MESSAGES = 6;

    @Autowired
    InMemoryMailboxApi mailboxApi;

    @Autowired
    ReadAhead readAhead;

    @Autowired
    MeterRegistry meters;

    @Autowired
    @Qualifier("pop3Listener")
    ProtocolServer pop3;

    @BeforeEach
    void aliceHasSixMessages() {
        await().atMost(Duration.ofSeconds(10)).until(() -> pop3.openConnections() == 0);
        mailboxApi.reset();
        mailboxApi.createAccount(ALICE, PASSWORD, 42);
        for (int i = 1; i <= MESSAGES; i++) {
            mailboxApi.deliver(ALICE, 100 + i, message(i, 20));
        }
    }

    @Test
    void retrInOrderGetsEveryMessageByteForByteAndTheNextOnesAreFetchedAhead() throws Exception {
        try (Pop3Client client = login()) {
            for (int i = 1; i <= MESSAGES; i++) {
                assertThat(client.command("RETR " + i)).isEqualTo("+OK " + message(i, 20).length + " octets");
                assertThat(undoDotStuffing(client.restOfRawBody())).as("message %d", i).isEqualTo(message(i, 20));
                if (i < MESSAGES) {
                    long next = 100 + i + 1;
                    await().atMost(Duration.ofSeconds(5)).until(() -> opened(next) == 1);
                }
            }
            assertThat(client.command("QUIT")).startsWith("+OK");
        }
        assertThat(mailboxApi.streams()).extracting(InMemoryMailboxApi.TrackedStream::uid)
                // read-ahead fetches run in parallel, so the order in which their streams open is not fixed
                .as("each message read from mailbox-api exactly once").containsExactlyInAnyOrder(101L, 102L, 103L, 104L, 105L, 106L);
        assertThat(mailboxApi.streams()).allSatisfy(stream -> {
            assertThat(stream.closed()).isTrue();
            if (stream.uid() > 101) {
                assertThat(stream.readers()).allMatch(thread -> thread.startsWith("pop3-read-ahead-"));
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> readAhead.memoryAvailable() == BUDGET);
    }

    @Test
    void aRetrWhoseMessageIsReadAheadAlreadyIsAnsweredOnTheIoThreadWithTheSameBytes() throws Exception {
        double before = inlineLines();
        try (Pop3Client client = login()) {
            assertThat(undoDotStuffing(client.rawBody("RETR 1"))).isEqualTo(message(1, 20));
            for (int i = 2; i <= MESSAGES; i++) {
                long uid = 100 + i;
                // read to its end: a message whose read-ahead is done
                await().atMost(Duration.ofSeconds(5)).until(() -> mailboxApi.streams().stream()
                        .anyMatch(stream -> stream.uid() == uid && stream.closed()));
                assertThat(undoDotStuffing(client.rawBody("RETR " + i))).as("message %d", i).isEqualTo(message(i, 20));
            }
            // not ready (never read ahead: a message number past the end), and not RETR: the handler threads answer
            assertThat(client.command("RETR " + (MESSAGES + 1))).startsWith("-ERR");
            assertThat(client.command("QUIT")).startsWith("+OK");
        }
        // each of the five could still miss (its read-ahead finishing just after the look), hardly all of them
        assertThat(inlineLines() - before).isBetween(1.0, (double) MESSAGES - 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> readAhead.memoryAvailable() == BUDGET);
    }

    @Test
    void theFirstRetrFetchesItsMessageWithTheNextOnesInOneCallAndTheWindowIsRefilledInBatches() throws Exception {
        try (Pop3Client client = login()) {
            for (int i = 1; i <= MESSAGES; i++) {
                assertThat(undoDotStuffing(client.rawBody("RETR " + i))).as("message %d", i).isEqualTo(message(i, 20));
            }
            assertThat(client.command("QUIT")).startsWith("+OK");
        }
        List<List<Long>> batches = mailboxApi.batches();
        assertThat(batches.getFirst()).as("RETR 1 and the two messages after it").containsExactly(101L, 102L, 103L);
        assertThat(batches.stream().flatMap(List::stream)).as("every message in one batch, once")
                .containsExactlyInAnyOrder(101L, 102L, 103L, 104L, 105L, 106L);
        assertThat(batches).as("fewer calls than messages").hasSizeLessThan(MESSAGES);
        assertThat(mailboxApi.streams()).hasSize(MESSAGES);
        await().atMost(Duration.ofSeconds(5)).until(() -> readAhead.memoryAvailable() == BUDGET);
    }

    @Test
    void whenTheBatchReadFailsEveryRetrReadsItsMessageOnItsOwn() throws Exception {
        mailboxApi.setFailBatches(true);
        try (Pop3Client client = login()) {
            for (int i = 1; i <= MESSAGES; i++) {
                assertThat(undoDotStuffing(client.rawBody("RETR " + i))).as("message %d", i).isEqualTo(message(i, 20));
            }
        }
        assertThat(mailboxApi.batches()).isEmpty();
        assertThat(mailboxApi.streams()).extracting(InMemoryMailboxApi.TrackedStream::uid)
                .as("each message read once, with the single call").containsExactly(101L, 102L, 103L, 104L, 105L, 106L);
        assertThat(mailboxApi.streams()).allSatisfy(stream ->
                assertThat(stream.readers()).allMatch(thread -> thread.startsWith("pop3-handler-")));
        await().atMost(Duration.ofSeconds(5)).until(() -> readAhead.memoryAvailable() == BUDGET);
    }

    @Test
    void aMessageReadAheadAndThenMarkedDeletedIsNotGivenOutAndQuitRemovesExactlyIt() throws Exception {
        try (Pop3Client client = login()) {
            assertThat(undoDotStuffing(client.rawBody("RETR 1"))).isEqualTo(message(1, 20));
            await().atMost(Duration.ofSeconds(5)).until(() -> opened(102) == 1 && opened(103) == 1);
            assertThat(client.command("DELE 2")).startsWith("+OK");
            assertThat(client.command("RETR 2")).isEqualTo("-ERR Message 2 is deleted");
            assertThat(undoDotStuffing(client.rawBody("RETR 3"))).isEqualTo(message(3, 20));
            assertThat(client.command("QUIT")).startsWith("+OK");
        }
        assertThat(mailboxApi.expunges()).containsExactly(
                new InMemoryMailboxApi.Expunge(ALICE, mailboxApi.mailboxId(ALICE), List.of(102L)));
        assertThat(opened(102)).as("the deleted message was not fetched again").isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> readAhead.memoryAvailable() == BUDGET);
    }

    @Test
    void rsetAfterDeleGivesTheMessageBackWhetherReadAheadOrNot() throws Exception {
        try (Pop3Client client = login()) {
            assertThat(undoDotStuffing(client.rawBody("RETR 1"))).isEqualTo(message(1, 20));
            assertThat(client.command("DELE 2")).startsWith("+OK");
            assertThat(client.command("RSET")).startsWith("+OK");
            assertThat(undoDotStuffing(client.rawBody("RETR 2"))).isEqualTo(message(2, 20));
            assertThat(undoDotStuffing(client.rawBody("RETR 3"))).isEqualTo(message(3, 20));
        }
    }

    @Test
    void retrInAnyOrderAndTwiceGivesTheRightMessages() throws Exception {
        try (Pop3Client client = login()) {
            for (int i : new int[] {3, 1, 5, 2, 2, 6, 4, 3}) {
                assertThat(undoDotStuffing(client.rawBody("RETR " + i))).as("RETR %d", i).isEqualTo(message(i, 20));
            }
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> readAhead.memoryAvailable() == BUDGET);
    }

    @Test
    void aMessageExpungedBeforeItWasReadAheadIsAnsweredAsWithoutReadAhead() throws Exception {
        try (Pop3Client client = login()) {
            // another session (or an IMAP client) expunges message 2 after this session listed it
            mailboxApi.expunge(ALICE, mailboxApi.mailboxId(ALICE), List.of(102L));
            assertThat(undoDotStuffing(client.rawBody("RETR 1"))).isEqualTo(message(1, 20));
            assertThat(client.command("RETR 2")).isEqualTo("-ERR Message 2 no longer exists");
            assertThat(undoDotStuffing(client.rawBody("RETR 3"))).isEqualTo(message(3, 20));
        }
    }

    @Test
    void topNeitherUsesNorStartsReadAhead() throws Exception {
        try (Pop3Client client = login()) {
            assertThat(client.multiLine("TOP 1 1")).containsExactly("Subject: message 1", "", "..line 0 of message 1");
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> mailboxApi.streams().size() == 1);

            assertThat(undoDotStuffing(client.rawBody("RETR 1"))).isEqualTo(message(1, 20));
            await().atMost(Duration.ofSeconds(5)).until(() -> opened(102) == 1);
            assertThat(client.multiLine("TOP 2 2")).as("TOP of a message read ahead reads it again, and only its head")
                    .containsExactly("Subject: message 2", "", "..line 0 of message 2", "line 1 of message 2");
            assertThat(opened(102)).isEqualTo(2);
            assertThat(undoDotStuffing(client.rawBody("RETR 2"))).isEqualTo(message(2, 20));
            assertThat(opened(102)).as("RETR still gets the message read ahead").isEqualTo(2);
        }
    }

    @Test
    void messagesLargerThanTheSessionLimitAreNeverReadAheadAndTheSessionHoldsAtMostItsLimit() throws Exception {
        mailboxApi.reset();
        mailboxApi.createAccount(ALICE, PASSWORD, 42);
        mailboxApi.deliver(ALICE, 1, message(1, 20));
        mailboxApi.deliver(ALICE, 2, message(2, 1000)); // about 24 KB: more than a session may hold
        mailboxApi.deliver(ALICE, 3, message(3, 20));
        mailboxApi.deliver(ALICE, 4, message(4, 430)); // about 10 KB each: one fits beside message 3, two do not
        mailboxApi.deliver(ALICE, 5, message(5, 430));
        mailboxApi.deliver(ALICE, 6, message(6, 430));
        try (Pop3Client client = login()) {
            assertThat(undoDotStuffing(client.rawBody("RETR 1"))).isEqualTo(message(1, 20));
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> mailboxApi.streams().size() == 1);

            assertThat(undoDotStuffing(client.rawBody("RETR 2"))).isEqualTo(message(2, 1000));
            await().atMost(Duration.ofSeconds(5)).until(() -> opened(3) == 1 && opened(4) == 1);

            assertThat(undoDotStuffing(client.rawBody("RETR 3"))).isEqualTo(message(3, 20));
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> opened(5) == 0);
            assertThat(BUDGET - readAhead.memoryAvailable()).as("held for this session").isLessThanOrEqualTo(16 * 1024);

            for (int i = 4; i <= 6; i++) {
                assertThat(undoDotStuffing(client.rawBody("RETR " + i))).isEqualTo(message(i, 430));
            }
        }
        assertThat(mailboxApi.streams()).hasSize(6);
        await().atMost(Duration.ofSeconds(5)).until(() -> readAhead.memoryAvailable() == BUDGET);
    }

    @Test
    void aDroppedConnectionGivesBackWhatWasReadAhead() throws Exception {
        Pop3Client client = login();
        assertThat(undoDotStuffing(client.rawBody("RETR 1"))).isEqualTo(message(1, 20));
        await().atMost(Duration.ofSeconds(5)).until(() -> opened(102) == 1 && opened(103) == 1);
        assertThat(readAhead.memoryAvailable()).isLessThan(BUDGET);
        client.drop();
        await().atMost(Duration.ofSeconds(5)).until(() -> readAhead.memoryAvailable() == BUDGET);
        assertThat(mailboxApi.expunges()).isEmpty();
    }

    private double inlineLines() {
        Counter counter = meters.find("mailroom.lines.inline").tag("listener", "pop3").counter();
        return counter == null ? 0 : counter.count();
    }

    private long opened(long uid) {
        return mailboxApi.streams().stream().filter(stream -> stream.uid() == uid).count();
    }

    private Pop3Client login() throws Exception {
        Pop3Client client = Pop3Client.plain(pop3.port());
        assertThat(client.readLine()).startsWith("+OK");
        assertThat(client.command("USER " + ALICE)).startsWith("+OK");
        assertThat(client.command("PASS " + PASSWORD)).startsWith("+OK");
        return client;
    }

    /** {@code lines} numbered lines, the first of them (and one in five) starting with a dot. */
    static byte[] message(int number, int lines) {
        StringBuilder text = new StringBuilder("Subject: message " + number + "\r\n\r\n");
        for (int i = 0; i < lines; i++) {
            text.append(i % 5 == 0 ? "." : "").append("line ").append(i).append(" of message ").append(number).append("\r\n");
        }
        return text.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
