package io.mailroom.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.EOFException;
import java.lang.reflect.Field;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.apache.james.imapserver.netty.IMAPServer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.mailroom.imap.server.ImapListener;
import io.mailroom.imap.support.RealMailboxApi;
import io.mailroom.mailbox.client.store.MailboxInfo;

/**
 * The limits of issue 7, each through a real socket against the whole service over the real mailbox-api: line length,
 * literal size, connections per IP and per account, and failed logins (delayed, then the account locked). Small limits
 * here so that a test reaches them quickly; the defaults are in application.yml. Each test connects from its own
 * loopback address where a per-IP count could leak between tests.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "mailroom.imap.imap.host=127.0.0.1",
        "mailroom.imap.imap.port=0",
        "mailroom.imap.imaps.host=127.0.0.1",
        "mailroom.imap.imaps.port=0",
        "mailroom.imap.allow-plaintext-auth=true",
        "mailroom.imap.max-line-length=" + ImapLimitsIT.MAX_LINE,
        "mailroom.imap.max-literal-size=" + ImapLimitsIT.MAX_LITERAL,
        "mailroom.imap.max-connections-per-ip=" + ImapLimitsIT.PER_IP,
        "mailroom.imap.max-connections-per-account=" + ImapLimitsIT.PER_ACCOUNT,
        "mailroom.tls.self-signed-directory=target/test-tls"})
class ImapLimitsIT {

    static final int MAX_LINE = 2048;
    static final int MAX_LITERAL = 20_000;
    static final int PER_IP = 3;
    static final int PER_ACCOUNT = 2;

    static final RealMailboxApi MAILBOX_API = RealMailboxApi.shared();
    static final String DOMAIN = RealMailboxApi.uniqueDomain("limits");

    @DynamicPropertySource
    static void mailboxApi(DynamicPropertyRegistry registry) {
        registry.add("mailroom.mailbox-api.base-url", MAILBOX_API::baseUrl);
        registry.add("mailroom.internal.token", MAILBOX_API::internalToken);
    }

    @Autowired
    @Qualifier("imapListener")
    ImapListener imap;

    String alice;
    String password;

    @BeforeEach
    void aliceExists() {
        alice = "alice-" + System.nanoTime() + "@" + DOMAIN;
        password = RealMailboxApi.strongPassword();
        MAILBOX_API.createAccount(alice, password, false);
    }

    /** A command line longer than the limit is refused with BAD; the connection goes on (RFC 9051 §4). */
    @Test
    void overlongLineIsRefusedAndTheSessionGoesOn() throws Exception {
        try (ImapClient client = ImapClient.plainFrom("127.0.0.11", imap.port())) {
            client.readLine();
            client.send("x1 NOOP " + "x".repeat(MAX_LINE + 10));
            assertThat(client.readLine()).startsWith("* BAD").contains("line length");
            assertThat(client.status("NOOP")).startsWith("a1 OK");
        }
    }

    /**
     * A literal above {@code max-literal-size} (announced as APPENDLIMIT) is refused and nothing is stored; the
     * session goes on, and a literal within the limit is taken.
     */
    @Test
    void literalAboveTheLimitIsRefused() throws Exception {
        MailboxInfo inbox = MAILBOX_API.store().mailboxByName(alice, "INBOX").orElseThrow();
        try (ImapClient client = ImapClient.plainFrom("127.0.0.12", imap.port())) {
            client.readLine();
            assertThat(client.command("CAPABILITY").getFirst()).contains(" APPENDLIMIT=" + MAX_LITERAL);
            assertThat(client.status("LOGIN " + alice + " " + password)).startsWith("a2 OK");
            client.send("x1 APPEND INBOX {" + (MAX_LITERAL + 1) + "}");
            String answer = client.readLine();
            if (answer.startsWith("+")) {
                // James 3.8.1 asks for the bytes and refuses them once read
                client.send("x".repeat(MAX_LITERAL + 1));
                answer = client.readUntil(line -> line.startsWith("x1 "));
            }
            assertThat(answer).matches("x1 (NO|BAD) .*");
            assertThat(client.status("NOOP")).startsWith("a3 OK");

            String small = "Subject: small\r\n\r\n" + "x".repeat(1000) + "\r\n";
            assertThat(client.append("INBOX", small).getLast()).contains("OK [APPENDUID");
        }
        assertThat(MAILBOX_API.store().mailbox(alice, inbox.id()).orElseThrow().messages()).isEqualTo(1);
    }

    /** James's per-IP limit: the connection past it is closed at once; another address is not affected. */
    @Test
    void connectionsPerIpAreLimited() throws Exception {
        List<ImapClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < PER_IP; i++) {
                ImapClient client = ImapClient.plainFrom("127.0.0.13", imap.port());
                open.add(client);
                assertThat(client.readLine()).startsWith("* OK");
            }
            try (ImapClient extra = ImapClient.plainFrom("127.0.0.13", imap.port())) {
                assertThat(extra.closedByServer()).isTrue();
            }
            try (ImapClient elsewhere = ImapClient.plainFrom("127.0.0.14", imap.port())) {
                assertThat(elsewhere.readLine()).startsWith("* OK");
            }
        } finally {
            for (ImapClient client : open) {
                client.close();
            }
        }
    }

    /**
     * Per account: a login past {@code max-connections-per-account} is answered {@code NO [LIMIT]} (RFC 5530) and the
     * connection closed; once a connection of the account ends, a new one may log in.
     */
    @Test
    void connectionsPerAccountAreLimited() throws Exception {
        List<ImapClient> open = new ArrayList<>();
        try {
            for (int i = 0; i < PER_ACCOUNT; i++) {
                ImapClient client = ImapClient.plainFrom("127.0.0." + (21 + i), imap.port());
                open.add(client);
                client.readLine();
                assertThat(client.status("LOGIN " + alice + " " + password)).startsWith("a1 OK");
            }
            try (ImapClient extra = ImapClient.plainFrom("127.0.0.25", imap.port())) {
                extra.readLine();
                assertThat(extra.status("LOGIN " + alice + " " + password)).startsWith("a1 NO [LIMIT]");
                assertThat(extra.closedByServer()).isTrue();
            }
            assertThat(open.getFirst().status("LOGOUT")).startsWith("a2 OK");
            open.removeFirst().close();
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                try (ImapClient again = ImapClient.plainFrom("127.0.0.26", imap.port())) {
                    again.readLine();
                    assertThat(again.status("LOGIN " + alice + " " + password)).startsWith("a1 OK");
                }
            });
        } finally {
            for (ImapClient client : open) {
                client.close();
            }
        }
    }

    /**
     * The idle timeout closes a silent connection. It is 30 minutes (RFC 9051 §5.4; James refuses less, see
     * ImapServerConfigurationTest), too long for a test: the listener's timeout is lowered to 2 seconds behind James's
     * back for this one, for connections made after the change; the other tests of this class do not stay silent that
     * long.
     */
    @Test
    void silentConnectionIsClosedAtTheIdleTimeout() throws Exception {
        Object server = field(ImapListener.class, "server").get(imap);
        Field timeout = field(IMAPServer.class, "timeout");
        int configured = timeout.getInt(server);
        assertThat(configured).isEqualTo(1800);
        timeout.setInt(server, 2);
        try (ImapClient client = ImapClient.plainFrom("127.0.0.41", imap.port())) {
            assertThat(client.readLine()).startsWith("* OK");
            long start = System.nanoTime();
            // the socket's read timeout (10 s) would end this loop with a SocketTimeoutException, not an EOF
            assertThatThrownBy(() -> {
                while (true) {
                    client.readLine();
                }
            }).isInstanceOf(EOFException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(1500));
        } finally {
            timeout.setInt(server, configured);
        }
    }

    private static Field field(Class<?> type, String name) throws NoSuchFieldException {
        Field field = type.getDeclaredField(name);
        field.setAccessible(true);
        return field;
    }

    /**
     * Failed logins are delayed, and after mailbox-api's {@code max-failures-per-account} (5) the account is locked
     * whatever the password: {@code NO [UNAVAILABLE]}, not a wrong-password answer, so that clients do not ask their
     * user again. The policy is mailbox-api's, shared by every replica and protocol.
     */
    @Test
    void failedLoginsAreDelayedThenTheAccountIsLocked() throws Exception {
        // James ends a connection after three failed logins: one connection per attempt
        for (int i = 1; i <= 5; i++) {
            try (ImapClient client = ImapClient.plainFrom("127.0.0.31", imap.port())) {
                client.readLine();
                long start = System.nanoTime();
                assertThat(client.status("LOGIN " + alice + " wrong-password-" + i)).startsWith("a1 NO [AUTHENTICATIONFAILED]");
                assertThat(Duration.ofNanos(System.nanoTime() - start))
                        .as("failure %d is delayed", i).isGreaterThanOrEqualTo(Duration.ofMillis(400));
            }
        }
        try (ImapClient client = ImapClient.plainFrom("127.0.0.31", imap.port())) {
            client.readLine();
            assertThat(client.status("LOGIN " + alice + " " + password)).startsWith("a1 NO [UNAVAILABLE]");
        }
    }
}
