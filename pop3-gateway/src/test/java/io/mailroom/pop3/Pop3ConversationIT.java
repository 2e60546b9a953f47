package io.mailroom.pop3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;

import io.mailroom.protocol.server.ProtocolServer;

/**
 * POP3 conversations through a real socket against the whole service, with mailbox-api replaced by
 * {@link InMemoryMailboxApi}. Plaintext login is allowed here, as in the single-machine default, so
 * that each conversation reads as RFC 1939 shows it; {@link Pop3TlsIT} covers the TLS side.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "mailroom.pop3.pop3.host=127.0.0.1",
        "mailroom.pop3.pop3.port=0",
        "mailroom.pop3.pop3s.host=127.0.0.1",
        "mailroom.pop3.pop3s.port=0",
        "mailroom.pop3.hello-name=pop3.test",
        "mailroom.pop3.allow-plaintext-auth=true",
        "mailroom.tls.self-signed-directory=target/test-tls",
        "mailroom.internal.token=test"})
@Import(TestMailboxApiConfiguration.class)
class Pop3ConversationIT {

    static final String ALICE = "alice@example.com";
    static final String PASSWORD = "correct horse";
    static final long UID_VALIDITY = 1_700_000_001L;

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
    static final byte[] THIRD = large();

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
    }

    @Test
    void greetsWithItsName() throws Exception {
        try (Pop3Client client = Pop3Client.plain(pop3.port())) {
            assertThat(client.readLine()).startsWith("+OK pop3.test ");
        }
    }

    @Test
    void capaListsWhatTheServerOffers() throws Exception {
        try (Pop3Client client = connect()) {
            assertThat(client.multiLine("CAPA"))
                    .contains("USER", "UIDL", "TOP", "STLS", "PIPELINING", "RESP-CODES", "AUTH-RESP-CODE");
        }
    }

    @Test
    void logsInWithTheFullAddressAndTellsMailboxApiWhoConnects() throws Exception {
        try (Pop3Client client = connect()) {
            assertThat(client.command("USER " + ALICE)).startsWith("+OK");
            assertThat(client.command("PASS " + PASSWORD)).startsWith("+OK");
            assertThat(client.command("QUIT")).startsWith("+OK");
        }
        assertThat(mailboxApi.logins()).containsExactly(new InMemoryMailboxApi.Login(ALICE, "pop3", "127.0.0.1"));
    }

    @Test
    void wrongPasswordIsAnAuthErrorAndTheClientMayTryAgain() throws Exception {
        try (Pop3Client client = connect()) {
            assertThat(client.command("USER " + ALICE)).startsWith("+OK");
            assertThat(client.command("PASS wrong")).isEqualTo("-ERR [AUTH] Authentication failed");
            assertThat(client.command("STAT")).startsWith("-ERR");
            assertThat(client.command("USER " + ALICE)).startsWith("+OK");
            assertThat(client.command("PASS " + PASSWORD)).startsWith("+OK");
            assertThat(client.command("STAT")).startsWith("+OK 3 ");
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
    void retrGivesTheMessageByteForByteWithDotStuffing() throws Exception {
        try (Pop3Client client = login()) {
            byte[] raw = client.rawBody("RETR 1");
            assertThat(new String(raw, StandardCharsets.US_ASCII))
                    .contains("\r\n..leading dot\r\n", "\r\n...two dots\r\n", "\r\n..\r\n");
            assertThat(undoDotStuffing(raw)).isEqualTo(FIRST);
            assertThat(undoDotStuffing(client.rawBody("RETR 3"))).isEqualTo(THIRD);
        }
    }

    @Test
    void topGivesTheHeaderAndTheFirstLinesOfTheBody() throws Exception {
        try (Pop3Client client = login()) {
            assertThat(client.multiLine("TOP 2 0")).containsExactly("Subject: lines", "");
            assertThat(client.multiLine("TOP 2 2")).containsExactly("Subject: lines", "", "line 1", "line 2");
        }
    }

    @Test
    void deleThenQuitExpungesExactlyTheMarkedMessages() throws Exception {
        try (Pop3Client client = login()) {
            assertThat(client.command("DELE 1")).startsWith("+OK");
            assertThat(client.command("DELE 3")).startsWith("+OK");
            assertThat(client.command("RETR 1")).startsWith("-ERR");
            assertThat(client.command("STAT")).isEqualTo("+OK 1 " + SECOND.length);
            assertThat(mailboxApi.expunges()).as("nothing is removed before QUIT").isEmpty();
            assertThat(client.command("QUIT")).startsWith("+OK");
        }
        assertThat(mailboxApi.expunges()).containsExactly(
                new InMemoryMailboxApi.Expunge(ALICE, mailboxApi.mailboxId(ALICE), List.of(11L, 17L)));
        assertThat(mailboxApi.uids(ALICE)).containsExactly(12L);
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
    void noopAndUnknownCommands() throws Exception {
        try (Pop3Client client = login()) {
            assertThat(client.command("NOOP")).startsWith("+OK");
            assertThat(client.command("XYZZY")).startsWith("-ERR");
            assertThat(client.command("QUIT")).startsWith("+OK");
            assertThat(client.closedByServer()).isTrue();
        }
    }

    @Test
    void curlDownloadsAMessage() throws Exception {
        Process curl = new ProcessBuilder("curl", "-s", "--max-time", "20",
                "pop3://127.0.0.1:" + pop3.port() + "/2", "-u", ALICE + ":" + PASSWORD)
                .redirectErrorStream(true)
                .start();
        byte[] output = curl.getInputStream().readAllBytes();
        assertThat(curl.waitFor()).as(new String(output, StandardCharsets.US_ASCII)).isZero();
        assertThat(output).isEqualTo(SECOND);
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

    /** About 300 KiB, so that RETR streams it in many chunks. */
    private static byte[] large() {
        StringBuilder message = new StringBuilder("Subject: large\r\n\r\n");
        for (int i = 0; i < 5000; i++) {
            message.append(i % 50 == 0 ? "." : "").append("line ").append(i).append(" of a large message, padded out a bit\r\n");
        }
        return message.toString().getBytes(StandardCharsets.US_ASCII);
    }
}
