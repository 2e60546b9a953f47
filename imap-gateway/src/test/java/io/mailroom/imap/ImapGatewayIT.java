package io.mailroom.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.mailroom.imap.server.ImapListener;
import io.mailroom.imap.support.RealMailboxApi;
import io.mailroom.mailbox.client.store.FlagUpdate;
import io.mailroom.mailbox.client.store.MailboxInfo;
import io.mailroom.mailbox.client.store.MessageMetadata;
import io.mailroom.mailbox.client.store.UidSet;
import io.mailroom.protocol.tls.TlsMaterial;

/**
 * IMAP conversations through real sockets against the whole service over the real mailbox-api and PostgreSQL, in the
 * production default: no login before TLS. Writes made "elsewhere" go straight to mailbox-api's store API, as
 * delivery-service or another gateway replica would make them.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "mailroom.imap.imap.host=127.0.0.1",
        "mailroom.imap.imap.port=0",
        "mailroom.imap.imaps.host=127.0.0.1",
        "mailroom.imap.imaps.port=0",
        "mailroom.imap.hello-name=imap.test",
        "mailroom.imap.event-poll-interval=250ms",
        "mailroom.tls.self-signed-directory=target/test-tls"})
class ImapGatewayIT {

    static final RealMailboxApi MAILBOX_API = RealMailboxApi.shared();
    static final String DOMAIN = RealMailboxApi.uniqueDomain("gw");
    static final String MESSAGE = "From: bob@example.net\r\nTo: alice@example.com\r\nSubject: hello\r\n"
            + "Message-ID: <m1@example.net>\r\n\r\nHi Alice\r\n";

    @DynamicPropertySource
    static void mailboxApi(DynamicPropertyRegistry registry) {
        registry.add("mailroom.mailbox-api.base-url", MAILBOX_API::baseUrl);
        registry.add("mailroom.internal.token", MAILBOX_API::internalToken);
    }

    @Autowired
    TlsMaterial tls;

    @Autowired
    @Qualifier("imapListener")
    ImapListener imap;

    @Autowired
    @Qualifier("imapsListener")
    ImapListener imaps;

    @Value("${local.server.port}")
    int httpPort;

    String alice;
    String password;

    @BeforeEach
    void aliceExists() {
        alice = "alice-" + System.nanoTime() + "@" + DOMAIN;
        password = RealMailboxApi.strongPassword();
        MAILBOX_API.createAccount(alice, password, false);
    }

    @Test
    void greetsAndAnnouncesWhatWorksButNoLoginBeforeTls() throws Exception {
        try (ImapClient client = ImapClient.plain(imap.port())) {
            assertThat(client.readLine()).startsWith("* OK ").contains("imap.test");
            List<String> capability = client.command("CAPABILITY");
            assertThat(capability.getFirst()).startsWith("* CAPABILITY ")
                    .containsIgnoringCase(" IMAP4rev1")
                    .contains(" STARTTLS", " LOGINDISABLED", " IDLE", " CONDSTORE", " QRESYNC", " MOVE", " UIDPLUS",
                            " QUOTA", " METADATA", " OBJECTID", " SPECIAL-USE", " LITERAL+", " SASL-IR", " ENABLE",
                            " NAMESPACE", " UNSELECT", " ESEARCH", " WITHIN", " SAVEDATE", " APPENDLIMIT=")
                    .doesNotContain("AUTH=PLAIN", " ACL", "XLIST", "MYRIGHTS");
            assertThat(capability.getLast()).startsWith("a1 OK");
            assertThat(client.status("LOGIN " + alice + " \"" + password + "\"")).startsWith("a2 NO [PRIVACYREQUIRED] LOGIN");
        }
    }

    @Test
    void startTlsThenLogin() throws Exception {
        try (ImapClient client = ImapClient.plain(imap.port())) {
            client.readLine();
            assertThat(client.startTls(tls).getSession().getProtocol()).isIn("TLSv1.3", "TLSv1.2");
            assertThat(client.command("CAPABILITY").getFirst())
                    .contains(" AUTH=PLAIN")
                    .doesNotContain("STARTTLS", "LOGINDISABLED");
            assertThat(client.status("LOGIN " + alice + " \"" + password + "\"")).startsWith("a3 OK");
            assertThat(client.status("NOOP")).startsWith("a4 OK");
        }
    }

    @Test
    void authenticatePlainWithInitialResponse() throws Exception {
        String credentials = java.util.Base64.getEncoder().encodeToString(
                ("\0" + alice + "\0" + password).getBytes(StandardCharsets.UTF_8));
        try (ImapClient client = ImapClient.implicitTls(imaps.port(), tls)) {
            client.readLine();
            assertThat(client.status("AUTHENTICATE PLAIN " + credentials)).startsWith("a1 OK");
        }
    }

    @Test
    void wrongPasswordIsAuthenticationFailed() throws Exception {
        try (ImapClient client = ImapClient.implicitTls(imaps.port(), tls)) {
            client.readLine();
            assertThat(client.status("LOGIN " + alice + " wrong-password")).startsWith("a1 NO [AUTHENTICATIONFAILED] LOGIN");
            assertThat(client.status("LOGIN " + alice + " \"" + password + "\"")).startsWith("a2 OK");
        }
    }

    /** The account's mailboxes with their special uses, and a round of the commands every client sends. */
    @Test
    void mailboxesAndMessagesOverTheRealStore() throws Exception {
        try (ImapClient client = loggedIn()) {
            List<String> list = client.command("LIST \"\" \"*\" RETURN (SPECIAL-USE)");
            assertThat(list).anyMatch(line -> line.matches("\\* LIST \\(.*\\) \"\\.\" \"?INBOX\"?"))
                    .anyMatch(line -> line.contains("\\Sent") && line.contains("Sent"))
                    .anyMatch(line -> line.contains("\\Trash") && line.contains("Trash"))
                    .anyMatch(line -> line.contains("\\Junk") && line.contains("Junk"));

            List<String> appended = client.append("INBOX", MESSAGE);
            assertThat(appended.getLast()).matches("a\\d+ OK \\[APPENDUID \\d+ 1\\] APPEND completed\\.");

            List<String> select = client.command("SELECT INBOX");
            assertThat(select).contains("* 1 EXISTS").anyMatch(line -> line.startsWith("* OK [UIDNEXT 2]"));
            assertThat(select.getLast()).contains("OK [READ-WRITE]");

            List<String> fetch = client.command("FETCH 1 (UID FLAGS RFC822.SIZE ENVELOPE BODY.PEEK[TEXT])");
            assertThat(fetch.getFirst()).startsWith("* 1 FETCH (")
                    .contains("UID 1", "FLAGS (\\Recent)")
                    .contains("RFC822.SIZE " + MESSAGE.length())
                    .contains("\"hello\"")
                    .contains("\"<m1@example.net>\"");
            assertThat(String.join("\n", fetch)).contains("Hi Alice");

            assertThat(client.command("STORE 1 +FLAGS (\\Flagged)").getFirst()).contains("FLAGS (\\Flagged");
            assertThat(client.command("UID SEARCH FLAGGED SUBJECT hello").getFirst()).isEqualTo("* SEARCH 1");
            assertThat(client.status("COPY 1 Archive")).matches("a\\d+ OK \\[COPYUID \\d+ 1 1\\] COPY completed\\.");
            List<String> move = client.command("MOVE 1 Trash");
            assertThat(move).contains("* 1 EXPUNGE");
            assertThat(move.getLast()).matches("a\\d+ OK \\[COPYUID \\d+ 1 1\\] MOVE completed\\.");
            // RFC 3501 leaves the order of the STATUS items to the server
            assertThat(client.command("STATUS Archive (MESSAGES UIDNEXT SIZE)").getFirst())
                    .matches("\\* STATUS \"?Archive\"? \\(.*\\)")
                    .contains("MESSAGES 1", "UIDNEXT 2", "SIZE " + MESSAGE.length());
            MAILBOX_API.setQuota(alice, 10_240_000, 1000);
            // RFC 9208: STORAGE in units of 1024 octets
            List<String> quota = client.command("GETQUOTAROOT INBOX");
            assertThat(quota).anyMatch(line -> line.matches("\\* QUOTA \\S+ \\(STORAGE \\d+ 10000\\)"));
            assertThat(quota).anyMatch(line -> line.matches("\\* QUOTA \\S+ \\(MESSAGE [1-9]\\d* 1000\\)"));
        }
        MailboxInfo trash = MAILBOX_API.store().mailboxByName(alice, "Trash").orElseThrow();
        assertThat(trash.messages()).isEqualTo(1);
    }

    /** DESIGN.md "change events": a message filed elsewhere reaches an idling client as EXISTS, then flags, then its removal. */
    @Test
    void idleSeesWritesMadeElsewhere() throws Exception {
        MailboxInfo inbox = MAILBOX_API.store().mailboxByName(alice, "INBOX").orElseThrow();
        try (ImapClient client = loggedIn()) {
            assertThat(client.command("SELECT INBOX")).contains("* 0 EXISTS");
            String idle = client.idle();

            MessageMetadata filed = append(inbox);
            assertThat(client.readUntil(line -> line.startsWith("* 1 EXISTS"))).isEqualTo("* 1 EXISTS");

            MAILBOX_API.store().updateFlags(alice, inbox.id(), UidSet.of(filed.uid()), FlagUpdate.add("\\Seen"), null);
            assertThat(client.readUntil(line -> line.startsWith("* 1 FETCH"))).contains("\\Seen");

            MAILBOX_API.store().expunge(alice, inbox.id(), UidSet.of(filed.uid()), false);
            assertThat(client.readUntil(line -> line.startsWith("* 1 EXPUNGE") || line.startsWith("* VANISHED")))
                    .isEqualTo("* 1 EXPUNGE");
            assertThat(client.done(idle).getLast()).contains("OK");
        }
    }

    /** This replica's own writes come back as change events too: they must not be announced a second time. */
    @Test
    void ownWritesAreAnnouncedOnce() throws Exception {
        try (ImapClient writer = loggedIn(); ImapClient watcher = loggedIn()) {
            watcher.command("SELECT INBOX");
            writer.command("SELECT INBOX");
            assertThat(writer.append("INBOX", MESSAGE).getLast()).contains("OK [APPENDUID");
            List<String> first = watcher.command("NOOP");
            assertThat(first).filteredOn(line -> line.endsWith(" EXISTS")).containsExactly("* 1 EXISTS");

            // several poll intervals later, the change event of that APPEND has come and gone unannounced
            await().during(Duration.ofMillis(1500)).atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(300))
                    .until(() -> watcher.command("NOOP").stream().noneMatch(line -> line.startsWith("* ") && !line.startsWith("* OK")));
        }
    }

    /**
     * QRESYNC (RFC 7162 §3.2.5.1, §3.2.6): VANISHED (EARLIER) names the UIDs removed after the client's MODSEQ, from
     * mailbox-api's expunge records: not the one removed before it, nor UIDs that never existed.
     */
    @Test
    void qresyncVanishedComesFromTheExpungeRecords() throws Exception {
        MailboxInfo inbox = MAILBOX_API.store().mailboxByName(alice, "INBOX").orElseThrow();
        for (int i = 0; i < 5; i++) {
            append(inbox);
        }
        MAILBOX_API.store().expunge(alice, inbox.id(), UidSet.of(1), false);
        MailboxInfo known = MAILBOX_API.store().mailbox(alice, inbox.id()).orElseThrow();
        MAILBOX_API.store().expunge(alice, inbox.id(), UidSet.of(2), false);
        MAILBOX_API.store().expunge(alice, inbox.id(), UidSet.of(4), false);
        long modSeq = known.highestModSeq();

        try (ImapClient client = loggedIn()) {
            assertThat(client.status("ENABLE QRESYNC")).contains("OK");
            List<String> select = client.command("SELECT INBOX (QRESYNC (" + known.uidValidity() + " " + modSeq + " 1:9))");
            assertThat(select.getLast()).contains("OK [READ-WRITE]");
            assertThat(select).filteredOn(line -> line.startsWith("* VANISHED")).containsExactly("* VANISHED (EARLIER) 2,4");
            assertThat(select).contains("* 2 EXISTS");

            List<String> fetch = client.command("UID FETCH 1:* (FLAGS) (CHANGEDSINCE " + modSeq + " VANISHED)");
            assertThat(fetch.getLast()).contains("OK");
            assertThat(fetch).filteredOn(line -> line.startsWith("* VANISHED")).containsExactly("* VANISHED (EARLIER) 2,4");
        }
    }

    @Test
    void pythonImaplibReadsTheInbox() throws Exception {
        append(MAILBOX_API.store().mailboxByName(alice, "INBOX").orElseThrow());
        String script = String.join("\n",
                "import imaplib, ssl, sys",
                "ctx = ssl.create_default_context()",
                "ctx.check_hostname = False",
                "ctx.verify_mode = ssl.CERT_NONE",
                "host, starttls_port, tls_port, user, password = sys.argv[1:6]",
                "plain = imaplib.IMAP4(host, int(starttls_port))",
                "assert 'LOGINDISABLED' in plain.capabilities, plain.capabilities",
                "plain.starttls(ssl_context=ctx)",
                "print('starttls', plain.login(user, password)[0])",
                "print('logout', plain.logout()[0])",
                "secure = imaplib.IMAP4_SSL(host, int(tls_port), ssl_context=ctx)",
                "print('tls', secure.login(user, password)[0])",
                "typ, data = secure.select('INBOX')",
                "print('select', typ, data[0].decode())",
                "typ, data = secure.uid('FETCH', '1:*', '(BODY.PEEK[HEADER.FIELDS (SUBJECT)])')",
                "print('fetch', typ, data[0][1].decode().strip())",
                "print('logout', secure.logout()[0])");
        Process python = new ProcessBuilder("python3", "-c", script, "127.0.0.1",
                Integer.toString(imap.port()), Integer.toString(imaps.port()), alice, password)
                .redirectErrorStream(true)
                .start();
        assertThat(python.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String output = new String(python.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(python.exitValue()).as(output).isZero();
        assertThat(output).contains("starttls OK", "tls OK", "select OK 1", "fetch OK Subject: hello", "logout BYE");
    }

    @Test
    void healthAndPrometheusMetricsOverHttp() throws Exception {
        try (ImapClient client = loggedIn()) {
            assertThat(client.status("NOOP")).contains("OK");
        }
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> health = http.send(get("/actuator/health/readiness"), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"UP\"");
        HttpResponse<String> metrics = http.send(get("/actuator/prometheus"), HttpResponse.BodyHandlers.ofString());
        assertThat(metrics.statusCode()).isEqualTo(200);
        assertThat(metrics.body()).contains("application=\"imap-gateway\"");
    }

    private ImapClient loggedIn() throws Exception {
        ImapClient client = ImapClient.implicitTls(imaps.port(), tls);
        client.readLine();
        assertThat(client.status("LOGIN " + alice + " \"" + password + "\"")).contains("OK");
        return client;
    }

    private MessageMetadata append(MailboxInfo mailbox) {
        byte[] bytes = MESSAGE.getBytes(StandardCharsets.US_ASCII);
        return MAILBOX_API.store().append(alice, mailbox.id(), new ByteArrayInputStream(bytes), bytes.length, Set.of(), null);
    }

    private HttpRequest get(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).GET().build();
    }
}
