package io.mailroom.pop3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.annotation.Import;

import io.mailroom.protocol.server.ProtocolServer;

/**
 * POP3 conversations through a real socket against the whole service, with mailbox-api replaced by
 * {@link InMemoryMailboxApi}. Plaintext login is allowed here, as in the single-machine default, so
 * that each conversation reads as RFC 1939 shows it; {@link Pop3TlsIT} covers the TLS side and
 * {@link Pop3LoginPolicyIT} the blocking of failed logins.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "mailroom.pop3.pop3.host=127.0.0.1",
        "mailroom.pop3.pop3.port=0",
        "mailroom.pop3.pop3s.host=127.0.0.1",
        "mailroom.pop3.pop3s.port=0",
        "mailroom.pop3.hello-name=pop3.test",
        "mailroom.pop3.allow-plaintext-auth=true",
        "mailroom.pop3.login-failures.delay=100ms",
        "mailroom.pop3.login-failures.max-delay=200ms",
        "mailroom.pop3.login-failures.max-per-ip=100000",
        "mailroom.pop3.login-failures.max-per-account=100000",
        "mailroom.tls.self-signed-directory=target/test-tls",
        "mailroom.internal.token=test"})
@Import(TestMailboxApiConfiguration.class)
@ExtendWith(OutputCaptureExtension.class)
class Pop3ConversationIT {

    static final String ALICE = "alice@example.com";
    static final String PASSWORD = "correct horse";
    static final long UID_VALIDITY = 1_700_000_001L;
    static final List<String> CAPABILITIES = List.of("TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING",
            "STLS", "USER", "SASL PLAIN LOGIN", "IMPLEMENTATION Mailroom");

    /** Has lines starting with "." that RETR must dot-stuff (RFC 1939 §3), and a lone "." line. */
    static final byte[] FIRST = ("From: bob@example.org\r\n"
            + "To: alice@example.com\r\n"
            + "Subject: dots\r\n"
            + "\r\n"
            + "Hello Alice,\r\n"
            + ".leading dot\r\n"
            + "..two dots\r\n"
            + ".\r\n"
            + "the end\r\n").getBytes(StandardCharsets.US_ASCII);
    static final byte[] SECOND = ("Subject: lines\r\n"
            + "\r\n"
            + "line 1\r\n"
            + "line 2\r\n"
            + "line 3\r\n").getBytes(StandardCharsets.US_ASCII);
    static final byte[] THIRD = large(5000);

    @Autowired
    InMemoryMailboxApi mailboxApi;

    @Autowired
    @Qualifier("pop3Listener")
    ProtocolServer pop3;

    @BeforeEach
    void aliceHasThreeMessages() {
        mailboxApi.reset();
        mailboxApi.createAccount(ALICE, PASSWORD, UID_VALIDITY);
        mailboxApi.deliver(ALICE, 11, FIRST);
        mailboxApi.deliver(ALICE, 12, SECOND);
        mailboxApi.deliver(ALICE, 17, THIRD);
        // a session of an earlier test may still be closing: its maildrop lock goes with it
        await().atMost(Duration.ofSeconds(10)).until(() -> pop3.openConnections() == 0);
    }

    @Test
    void greetsWithItsName() throws Exception {
        try (Pop3Client client = Pop3Client.plain(pop3.port())) {
            assertThat(client.readLine()).startsWith("+OK pop3.test ");
        }
    }

    @Test
    void capaListsEverythingTheServerOffersAndTheSameAfterLogin() throws Exception {
        try (Pop3Client client = connect()) {
            assertThat(client.multiLine("CAPA")).containsExactlyElementsOf(CAPABILITIES);
            assertThat(client.command("USER " + ALICE)).startsWith("+OK");
            assertThat(client.command("PASS " + PASSWORD)).startsWith("+OK");
            assertThat(client.multiLine("CAPA")).as("RFC 2449 §5: announced in both states")
                    .containsExactlyElementsOf(CAPABILITIES);
        }
    }

    @Test
    void logsInWithTheFullAddressAndTellsMailboxApiWhoConnects() throws Exception {
        try (Pop3Client client = connect()) {
            assertThat(client.command("USER " + ALICE)).startsWith("+OK");
            assertThat(client.command("PASS " + PASSWORD)).isEqualTo("+OK Logged in");
            assertThat(client.command("QUIT")).startsWith("+OK");
        }
        assertThat(mailboxApi.logins()).containsExactly(new InMemoryMailboxApi.Login(ALICE, "pop3", "127.0.0.1"));
    }

    @Test
    void wrongPasswordIsAnAuthErrorHeldBackAndTheClientMayTryAgain() throws Exception {
        try (Pop3Client client = connect()) {
            assertThat(client.command("USER " + ALICE)).startsWith("+OK");
            long start = System.nanoTime();
            assertThat(client.command("PASS wrong")).isEqualTo("-ERR [AUTH] Authentication failed");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(100));
            assertThat(client.command("STAT")).startsWith("-ERR");
            assertThat(client.command("USER " + ALICE)).startsWith("+OK");
            assertThat(client.command("PASS " + PASSWORD)).startsWith("+OK");
            assertThat(client.command("STAT")).startsWith("+OK 3 ");
        }
    }

    @Test
    void passwordGuessesPipelinedBehindAFailureAreRefusedUnchecked() throws Exception {
        try (Pop3Client client = connect()) {
            client.pipeline("USER " + ALICE, "PASS guess-1", "USER " + ALICE, "PASS " + PASSWORD, "STAT");
            List<String> replies = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                replies.add(client.readLine());
            }
            // Not in order: protocol-server's delayed replies can overtake each other (see the module README).
            assertThat(replies).containsExactlyInAnyOrder("+OK", "+OK", "-ERR [AUTH] Authentication failed",
                    "-ERR [AUTH] Authentication failed", "-ERR");
        }
        assertThat(mailboxApi.logins()).as("the second PASS came before the first failure's delay was over").hasSize(1);
    }

    @Test
    void anAccountLockedOutByMailboxApiIsATemporaryError() throws Exception {
        mailboxApi.setLockedOut(ALICE, true);
        try (Pop3Client client = connect()) {
            assertThat(client.command("USER " + ALICE)).startsWith("+OK");
            assertThat(client.command("PASS " + PASSWORD)).startsWith("-ERR [SYS/TEMP] ");
        }
    }

    @Test
    void unreachableMailboxApiIsATemporaryError() throws Exception {
        try (Pop3Client client = connect()) {
            assertThat(client.command("USER " + ALICE)).startsWith("+OK");
            mailboxApi.setUnavailable(true);
            assertThat(client.command("PASS " + PASSWORD)).startsWith("-ERR [SYS/TEMP] ");
            assertThat(client.command("STAT")).startsWith("-ERR");
        }
    }

    @Test
    void mailboxApiGoneAfterLoginMakesRetrATemporaryErrorNotAMissingMessage() throws Exception {
        try (Pop3Client client = login()) {
            mailboxApi.setUnavailable(true);
            assertThat(client.command("RETR 1")).startsWith("-ERR [SYS/TEMP] ");
            assertThat(client.command("TOP 1 0")).startsWith("-ERR [SYS/TEMP] ");
            mailboxApi.setUnavailable(false);
            assertThat(undoDotStuffing(client.rawBody("RETR 1"))).isEqualTo(FIRST);
        }
    }

    @Test
    void authPlainWithAnInitialResponse() throws Exception {
        try (Pop3Client client = connect()) {
            assertThat(client.command("AUTH PLAIN " + Pop3Client.base64("\0" + ALICE + "\0" + PASSWORD))).isEqualTo("+OK Logged in");
            assertThat(client.command("STAT")).startsWith("+OK 3 ");
        }
    }

    @Test
    void authPlainAfterAnEmptyChallengeWithAnAuthorizationIdentityOfItsOwn() throws Exception {
        try (Pop3Client client = connect()) {
            assertThat(client.command("AUTH PLAIN")).isEqualTo("+ ");
            assertThat(client.command(Pop3Client.base64(ALICE + "\0" + ALICE + "\0" + PASSWORD))).isEqualTo("+OK Logged in");
        }
    }

    @Test
    void authPlainRefusesToActAsSomebodyElse() throws Exception {
        try (Pop3Client client = connect()) {
            assertThat(client.command("AUTH PLAIN " + Pop3Client.base64("bob@example.com\0" + ALICE + "\0" + PASSWORD)))
                    .isEqualTo("-ERR [AUTH] Authentication failed");
        }
        assertThat(mailboxApi.logins()).isEmpty();
    }

    @Test
    void authLoginStepByStepAndWithTheUserNameUpFront() throws Exception {
        try (Pop3Client client = connect()) {
            assertThat(client.command("AUTH LOGIN")).isEqualTo("+ " + Pop3Client.base64("Username:"));
            assertThat(client.command(Pop3Client.base64(ALICE))).isEqualTo("+ " + Pop3Client.base64("Password:"));
            assertThat(client.command(Pop3Client.base64(PASSWORD))).isEqualTo("+OK Logged in");
            assertThat(client.command("QUIT")).startsWith("+OK");
        }
        try (Pop3Client client = connect()) {
            assertThat(client.command("AUTH LOGIN " + Pop3Client.base64(ALICE))).isEqualTo("+ " + Pop3Client.base64("Password:"));
            assertThat(client.command(Pop3Client.base64("wrong"))).isEqualTo("-ERR [AUTH] Authentication failed");
            assertThat(client.command("NOOP")).as("back to commands after the exchange").startsWith("-ERR");
        }
    }

    @Test
    void authCanBeCancelledAndRefusesWhatItCannotDecode() throws Exception {
        try (Pop3Client client = connect()) {
            assertThat(client.command("AUTH")).isEqualTo("+OK Mechanisms follow");
            assertThat(client.restOfMultiLine()).containsExactly("PLAIN", "LOGIN");
            assertThat(client.command("AUTH CRAM-MD5")).isEqualTo("-ERR Unsupported authentication mechanism");
            assertThat(client.command("AUTH LOGIN")).startsWith("+ ");
            assertThat(client.command("*")).isEqualTo("-ERR Authentication cancelled");
            assertThat(client.command("AUTH PLAIN")).isEqualTo("+ ");
            assertThat(client.command("not base64!")).isEqualTo("-ERR Invalid base64 data");
            assertThat(client.command("AUTH PLAIN =")).isEqualTo("-ERR [AUTH] Authentication failed");
            assertThat(client.command("USER " + ALICE)).as("the session goes on").startsWith("+OK");
        }
        assertThat(mailboxApi.logins()).isEmpty();
    }

    @Test
    void statAndListCountEveryMessageAndItsSize() throws Exception {
        try (Pop3Client client = login()) {
            long total = FIRST.length + SECOND.length + THIRD.length;
            assertThat(client.command("STAT")).isEqualTo("+OK 3 " + total);
            assertThat(client.multiLine("LIST")).containsExactly(
                    "1 " + FIRST.length, "2 " + SECOND.length, "3 " + THIRD.length);
            assertThat(client.command("LIST 2")).isEqualTo("+OK 2 " + SECOND.length);
            assertThat(client.command("LIST 4")).startsWith("-ERR");
        }
    }

    @Test
    void uidlValuesComeFromUidValidityAndUidAndStayTheSameAcrossSessions() throws Exception {
        List<String> first;
        try (Pop3Client client = login()) {
            first = client.multiLine("UIDL");
            assertThat(client.command("UIDL 3")).isEqualTo("+OK 3 " + UID_VALIDITY + ".17");
            client.command("QUIT");
        }
        try (Pop3Client client = login()) {
            assertThat(client.multiLine("UIDL")).isEqualTo(first);
        }
        assertThat(first).containsExactly("1 " + UID_VALIDITY + ".11", "2 " + UID_VALIDITY + ".12", "3 " + UID_VALIDITY + ".17");
    }

    @Test
    void uidlOfAnExpungedMessageIsNeverGivenToAnotherOne() throws Exception {
        try (Pop3Client client = login()) {
            assertThat(client.command("DELE 3")).startsWith("+OK");
            assertThat(client.command("QUIT")).startsWith("+OK");
        }
        mailboxApi.deliver(ALICE, 18, SECOND);
        try (Pop3Client client = login()) {
            assertThat(client.multiLine("UIDL")).containsExactly(
                    "1 " + UID_VALIDITY + ".11", "2 " + UID_VALIDITY + ".12", "3 " + UID_VALIDITY + ".18");
        }
    }

    @Test
    void retrGivesTheMessageByteForByteWithDotStuffing() throws Exception {
        try (Pop3Client client = login()) {
            assertThat(client.command("RETR 1")).isEqualTo("+OK " + FIRST.length + " octets");
            byte[] raw = client.restOfRawBody();
            assertThat(new String(raw, StandardCharsets.US_ASCII))
                    .contains("\r\n..leading dot\r\n", "\r\n...two dots\r\n", "\r\n..\r\n");
            assertThat(undoDotStuffing(raw)).isEqualTo(FIRST);
            assertThat(undoDotStuffing(client.rawBody("RETR 3"))).isEqualTo(THIRD);
        }
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(mailboxApi.streams()).allSatisfy(stream -> {
            assertThat(stream.closed()).isTrue();
            assertThat(stream.readers()).as("mailbox-api is read on handler (or read-ahead) threads, never on Netty's I/O threads")
                    .allMatch(thread -> thread.startsWith("pop3-handler-") || thread.startsWith("pop3-read-ahead-"));
        }));
    }

    @Test
    void topGivesTheHeaderAndTheFirstLinesOfTheBody() throws Exception {
        try (Pop3Client client = login()) {
            assertThat(client.multiLine("TOP 2 0")).containsExactly("Subject: lines", "");
            assertThat(client.multiLine("TOP 2 2")).containsExactly("Subject: lines", "", "line 1", "line 2");
            assertThat(client.multiLine("TOP 1 2")).containsExactly("From: bob@example.org", "To: alice@example.com",
                    "Subject: dots", "", "Hello Alice,", "..leading dot");
        }
    }

    @Test
    void topReadsOnlyTheBeginningOfALargeMessageAndCutsTheTransferOff() throws Exception {
        try (Pop3Client client = login()) {
            assertThat(client.multiLine("TOP 3 1")).containsExactly("Subject: large", "", "..line 0 of a large message, padded out a bit");
        }
        InMemoryMailboxApi.TrackedStream stream = mailboxApi.streams().getLast();
        assertThat(stream.closed()).isTrue();
        assertThat(stream.bytesRead()).isLessThan(THIRD.length / 2);
    }

    @Test
    void badMessageNumbersAndArgumentsAreErrorsAndTheSessionGoesOn() throws Exception {
        try (Pop3Client client = login()) {
            for (String command : List.of("RETR 0", "RETR 4", "RETR x", "RETR", "RETR 1 2", "RETR 99999999999", "TOP 1",
                    "TOP 1 -1", "TOP 0 1", "TOP 4 0", "DELE 0", "DELE 4", "LIST 0", "UIDL 0")) {
                assertThat(client.command(command)).as(command).startsWith("-ERR");
            }
            assertThat(client.command("STAT")).startsWith("+OK 3 ");
        }
    }

    /** RFC 1939 numbers messages from 1: James 3.8.1 throws on 0 and below (a stack trace in the log) unless guarded. */
    @Test
    void messageNumbersOutsideTheListingAreCleanErrorsWithoutAStackTrace(CapturedOutput output) throws Exception {
        try (Pop3Client client = login()) {
            for (String command : List.of("DELE 0", "LIST 0", "UIDL 0", "DELE -1", "LIST -1", "UIDL -1", "DELE 4", "LIST 4",
                    "UIDL 4", "LIST 2147483647")) {
                assertThat(client.command(command)).as(command).isEqualTo("-ERR No such message");
            }
            assertThat(client.command("LIST 3")).isEqualTo("+OK 3 " + THIRD.length);
            assertThat(client.command("UIDL 3")).isEqualTo("+OK 3 " + UID_VALIDITY + ".17");
            assertThat(client.command("DELE 3")).startsWith("+OK");
            assertThat(client.command("DELE 3")).as("James's answer for a deleted message").startsWith("-ERR");
            assertThat(client.command("STAT")).startsWith("+OK 2 ");
        }
        assertThat(output.getAll()).doesNotContain("IndexOutOfBoundsException")
                .doesNotContainPattern("(?m)^\\s+at org\\.apache\\.james\\.");
    }

    @Test
    void commandsBeforeLoginAreRefused() throws Exception {
        try (Pop3Client client = connect()) {
            for (String command : List.of("STAT", "LIST", "UIDL", "RETR 1", "TOP 1 1", "DELE 1", "RSET")) {
                assertThat(client.command(command)).as(command).startsWith("-ERR");
            }
            assertThat(client.command("PASS " + PASSWORD)).as("PASS without USER").startsWith("-ERR");
        }
    }

    @Test
    void pipelinedCommandsAreAnsweredInOrder() throws Exception {
        try (Pop3Client client = connect()) {
            client.pipeline("USER " + ALICE, "PASS " + PASSWORD, "STAT", "LIST", "UIDL 2", "RETR 2", "TOP 2 1", "DELE 1",
                    "RETR 1", "NOOP", "QUIT");
            assertThat(client.readLine()).startsWith("+OK");
            assertThat(client.readLine()).startsWith("+OK");
            assertThat(client.readLine()).isEqualTo("+OK 3 " + (FIRST.length + SECOND.length + THIRD.length));
            assertThat(client.readLine()).startsWith("+OK");
            assertThat(client.restOfMultiLine()).hasSize(3);
            assertThat(client.readLine()).isEqualTo("+OK 2 " + UID_VALIDITY + ".12");
            assertThat(client.readLine()).startsWith("+OK");
            assertThat(undoDotStuffing(client.restOfRawBody())).isEqualTo(SECOND);
            assertThat(client.readLine()).startsWith("+OK");
            assertThat(client.restOfMultiLine()).containsExactly("Subject: lines", "", "line 1");
            assertThat(client.readLine()).startsWith("+OK");
            assertThat(client.readLine()).startsWith("-ERR");
            assertThat(client.readLine()).startsWith("+OK");
            assertThat(client.readLine()).startsWith("+OK Logging out");
            assertThat(client.closedByServer()).isTrue();
        }
        assertThat(mailboxApi.uids(ALICE)).containsExactly(12L, 17L);
    }

    @Test
    void deleThenQuitExpungesExactlyTheMarkedMessages() throws Exception {
        try (Pop3Client client = login()) {
            assertThat(client.command("DELE 1")).startsWith("+OK");
            assertThat(client.command("DELE 3")).startsWith("+OK");
            assertThat(client.command("RETR 1")).startsWith("-ERR");
            assertThat(client.command("TOP 3 0")).startsWith("-ERR");
            assertThat(client.command("STAT")).isEqualTo("+OK 1 " + SECOND.length);
            assertThat(mailboxApi.expunges()).as("nothing is removed before QUIT").isEmpty();
            assertThat(client.command("QUIT")).isEqualTo("+OK Logging out, messages deleted");
        }
        assertThat(mailboxApi.expunges()).containsExactly(
                new InMemoryMailboxApi.Expunge(ALICE, mailboxApi.mailboxId(ALICE), List.of(11L, 17L)));
        assertThat(mailboxApi.uids(ALICE)).containsExactly(12L);
    }

    @Test
    void aFailedExpungeAtQuitIsReported() throws Exception {
        try (Pop3Client client = login()) {
            assertThat(client.command("DELE 1")).startsWith("+OK");
            mailboxApi.setUnavailable(true);
            assertThat(client.command("QUIT")).startsWith("-ERR [SYS/TEMP] ");
            assertThat(client.closedByServer()).isTrue();
        }
        mailboxApi.setUnavailable(false);
        assertThat(mailboxApi.uids(ALICE)).containsExactly(11L, 12L, 17L);
    }

    @Test
    void aDroppedConnectionExpungesNothing() throws Exception {
        Pop3Client client = login();
        assertThat(client.command("DELE 1")).startsWith("+OK");
        assertThat(client.command("DELE 2")).startsWith("+OK");
        client.drop();

        await().atMost(Duration.ofSeconds(10)).until(() -> pop3.openConnections() == 0);
        assertThat(mailboxApi.expunges()).isEmpty();
        assertThat(mailboxApi.uids(ALICE)).containsExactly(11L, 12L, 17L);
    }

    @Test
    void rsetUnmarksEverythingAndTheMaildropIsReadOncePerSession() throws Exception {
        try (Pop3Client client = login()) {
            assertThat(client.command("DELE 2")).startsWith("+OK");
            assertThat(client.command("STAT")).startsWith("+OK 2 ");
            assertThat(client.command("RSET")).startsWith("+OK");
            assertThat(client.command("STAT")).startsWith("+OK 3 ");
            client.multiLine("LIST");
            client.multiLine("UIDL");
            assertThat(client.command("QUIT")).startsWith("+OK");
        }
        assertThat(mailboxApi.expunges()).isEmpty();
        assertThat(mailboxApi.maildropCalls()).isEqualTo(1);
    }

    @Test
    void theMaildropIsLockedWhileASessionHoldsIt() throws Exception {
        try (Pop3Client first = login(); Pop3Client second = connect()) {
            assertThat(second.command("USER " + ALICE)).startsWith("+OK");
            assertThat(second.command("PASS " + PASSWORD)).isEqualTo("-ERR [IN-USE] The mailbox is in use by another POP3 session");
            assertThat(first.command("QUIT")).startsWith("+OK");
            assertThat(second.command("USER " + ALICE)).startsWith("+OK");
            assertThat(second.command("PASS " + PASSWORD)).isEqualTo("+OK Logged in");
        }
    }

    @Test
    void aSessionThatDropsGivesTheMaildropBack() throws Exception {
        login().drop();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            try (Pop3Client again = connect()) {
                assertThat(again.command("USER " + ALICE)).startsWith("+OK");
                assertThat(again.command("PASS " + PASSWORD)).isEqualTo("+OK Logged in");
            }
        });
    }

    @Test
    void aStalledMailboxApiHoldsUpOnlyTheSessionWaitingForIt() throws Exception {
        List<String> others = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            String other = "user" + i + "@example.com";
            mailboxApi.createAccount(other, PASSWORD, 7);
            mailboxApi.deliver(other, 1, SECOND);
            others.add(other);
        }
        CountDownLatch stalled = new CountDownLatch(1);
        try (Pop3Client waiting = login()) {
            mailboxApi.holdMessages(stalled);
            waiting.send("RETR 3");
            await().atMost(Duration.ofSeconds(5)).until(() -> mailboxApi.streams().size() == 1);
            mailboxApi.holdMessages(null);

            // Connections are spread over the I/O threads: some share the stalled session's.
            for (String other : others) {
                try (Pop3Client client = connect()) {
                    assertThat(client.command("USER " + other)).startsWith("+OK");
                    assertThat(client.command("PASS " + PASSWORD)).startsWith("+OK");
                    assertThat(undoDotStuffing(client.rawBody("RETR 1"))).isEqualTo(SECOND);
                    assertThat(client.command("QUIT")).startsWith("+OK");
                }
            }
            stalled.countDown();
            assertThat(waiting.readLine()).startsWith("+OK");
            assertThat(undoDotStuffing(waiting.restOfRawBody())).isEqualTo(THIRD);
        }
    }

    @Test
    void aPipeliningClientThatDoesNotReadMakesTheGatewayWaitInsteadOfStagingEverything() throws Exception {
        byte[] big = large(100_000);
        mailboxApi.deliver(ALICE, 20, big);
        try (Pop3Client client = login()) {
            String[] retrs = new String[12];
            java.util.Arrays.fill(retrs, "RETR 4");
            client.pipeline(retrs);
            await().atMost(Duration.ofSeconds(10)).until(() -> mailboxApi.streams().size() >= 2);
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                    .until(() -> mailboxApi.streams().size() < retrs.length);
            for (int i = 0; i < retrs.length; i++) {
                assertThat(client.readLine()).startsWith("+OK");
                assertThat(undoDotStuffing(client.restOfRawBody())).isEqualTo(big);
            }
        }
        assertThat(mailboxApi.streams()).hasSize(12);
    }

    @Test
    void noopAndUnknownCommands() throws Exception {
        try (Pop3Client client = login()) {
            assertThat(client.command("NOOP")).startsWith("+OK");
            assertThat(client.command("XYZZY")).startsWith("-ERR");
            assertThat(client.command("QUIT")).startsWith("+OK");
            assertThat(client.closedByServer()).isTrue();
        }
    }

    private Pop3Client connect() throws Exception {
        Pop3Client client = Pop3Client.plain(pop3.port());
        assertThat(client.readLine()).startsWith("+OK");
        return client;
    }

    private Pop3Client login() throws Exception {
        Pop3Client client = connect();
        assertThat(client.command("USER " + ALICE)).startsWith("+OK");
        assertThat(client.command("PASS " + PASSWORD)).startsWith("+OK");
        return client;
    }

    static byte[] undoDotStuffing(byte[] raw) {
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        boolean lineStart = true;
        for (int i = 0; i < raw.length; i++) {
            if (lineStart && raw[i] == '.') {
                lineStart = false;
                continue;
            }
            message.write(raw[i]);
            lineStart = raw[i] == '\n' && i > 0 && raw[i - 1] == '\r';
        }
        return message.toByteArray();
    }

    /** Many lines, one in fifty starting with a dot, so that RETR streams it in many chunks. */
    static byte[] large(int lines) {
        StringBuilder message = new StringBuilder("Subject: large\r\n\r\n");
        for (int i = 0; i < lines; i++) {
            message.append(i % 50 == 0 ? "." : "").append("line ").append(i).append(" of a large message, padded out a bit\r\n");
        }
        return message.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
