package io.mailroom.pop3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;

import io.mailroom.protocol.server.ProtocolServer;

/**
 * The login policy through a real socket: passwords without TLS only from this machine, blocks after failed
 * logins per address and per account, LOGIN-DELAY and EXPIRE as configured. The listener expects a PROXY
 * protocol header, as behind a load balancer, so that each test can speak from an address of its own.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "mailroom.pop3.pop3.host=127.0.0.1",
        "mailroom.pop3.pop3.port=0",
        "mailroom.pop3.pop3s.host=127.0.0.1",
        "mailroom.pop3.pop3s.port=0",
        "mailroom.pop3.proxy-required=true",
        "mailroom.pop3.allow-plaintext-auth-on-loopback=true",
        "mailroom.pop3.login-failures.delay=20ms",
        "mailroom.pop3.login-failures.max-delay=50ms",
        "mailroom.pop3.login-failures.max-per-ip=3",
        "mailroom.pop3.login-failures.max-per-account=4",
        "mailroom.pop3.login-failures.block-duration=10m",
        "mailroom.pop3.expire=30",
        "mailroom.pop3.login-delay=2s",
        "mailroom.pop3.implementation=",
        "mailroom.tls.self-signed-directory=target/test-tls",
        "mailroom.internal.token=test"})
@Import(TestMailboxApiConfiguration.class)
class Pop3LoginPolicyIT {

    static final String PASSWORD = "s3cret-s3cret";

    @Autowired
    InMemoryMailboxApi mailboxApi;

    @Autowired
    @Qualifier("pop3Listener")
    ProtocolServer pop3;

    @BeforeEach
    void accounts() {
        mailboxApi.reset();
        for (String name : new String[] {"alice", "bob", "carol", "dave", "erin"}) {
            mailboxApi.createAccount(name + "@example.com", PASSWORD, 9);
            mailboxApi.deliver(name + "@example.com", 1, Pop3ConversationIT.SECOND);
        }
    }

    @Test
    void aClientOnThisMachineMayLogInWithoutTlsAndCapaSaysWhatIsConfigured() throws Exception {
        try (Pop3Client client = from("127.0.0.1")) {
            assertThat(client.multiLine("CAPA")).containsExactly("TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING",
                    "EXPIRE 30", "LOGIN-DELAY 2", "STLS", "USER", "SASL PLAIN LOGIN");
            assertThat(login(client, "alice@example.com", PASSWORD)).isEqualTo("+OK Logged in");
        }
        assertThat(mailboxApi.logins()).extracting(InMemoryMailboxApi.Login::remoteIp).containsExactly("127.0.0.1");
    }

    @Test
    void aClientElsewhereBehindTheBalancerMayNot() throws Exception {
        try (Pop3Client client = from("192.0.2.7")) {
            assertThat(client.multiLine("CAPA")).contains("STLS").doesNotContain("USER", "SASL PLAIN LOGIN");
            assertThat(client.command("USER bob@example.com")).startsWith("-ERR [AUTH] ");
            assertThat(client.command("AUTH PLAIN " + Pop3Client.base64("\0bob@example.com\0" + PASSWORD))).startsWith("-ERR [AUTH] ");
        }
        assertThat(mailboxApi.logins()).isEmpty();
    }

    @Test
    void anAddressIsBlockedAfterTooManyFailuresEvenWithTheRightPassword() throws Exception {
        for (int i = 0; i < 3; i++) {
            try (Pop3Client client = from("127.0.0.10")) {
                assertThat(login(client, "carol@example.com", "guess-" + i)).isEqualTo("-ERR [AUTH] Authentication failed");
            }
        }
        try (Pop3Client client = from("127.0.0.10")) {
            assertThat(login(client, "carol@example.com", PASSWORD)).isEqualTo("-ERR [SYS/TEMP] Too many failed logins, try again later");
        }
        assertThat(mailboxApi.logins()).as("the blocked attempt never reached mailbox-api").hasSize(3);
        try (Pop3Client client = from("127.0.0.11")) {
            assertThat(login(client, "carol@example.com", PASSWORD)).isEqualTo("+OK Logged in");
        }
    }

    @Test
    void anAccountIsBlockedAfterTooManyFailuresButNotForItsOwnersClient() throws Exception {
        try (Pop3Client owner = from("127.0.0.20")) {
            assertThat(login(owner, "dave@example.com", PASSWORD)).isEqualTo("+OK Logged in");
            assertThat(owner.command("QUIT")).startsWith("+OK");
        }
        for (int i = 0; i < 4; i++) {
            try (Pop3Client attacker = from("127.0.0." + (21 + i))) {
                assertThat(login(attacker, "dave@example.com", "guess-" + i)).isEqualTo("-ERR [AUTH] Authentication failed");
            }
        }
        try (Pop3Client attacker = from("127.0.0.30")) {
            assertThat(login(attacker, "dave@example.com", PASSWORD)).startsWith("-ERR [SYS/TEMP] ");
        }
        // the owner's client gets in once LOGIN-DELAY (2 s) since its last login is over
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            try (Pop3Client owner = from("127.0.0.20")) {
                assertThat(login(owner, "dave@example.com", PASSWORD)).isEqualTo("+OK Logged in");
            }
        });
    }

    @Test
    void loginDelayRefusesALoginTooSoonAfterThePreviousOne() throws Exception {
        try (Pop3Client client = from("127.0.0.40")) {
            assertThat(login(client, "erin@example.com", PASSWORD)).isEqualTo("+OK Logged in");
            assertThat(client.command("QUIT")).startsWith("+OK");
        }
        try (Pop3Client client = from("127.0.0.40")) {
            assertThat(login(client, "erin@example.com", PASSWORD)).startsWith("-ERR [LOGIN-DELAY] ");
        }
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            try (Pop3Client client = from("127.0.0.40")) {
                assertThat(login(client, "erin@example.com", PASSWORD)).isEqualTo("+OK Logged in");
            }
        });
    }

    private Pop3Client from(String address) throws Exception {
        Pop3Client client = Pop3Client.viaProxy(pop3.port(), address);
        assertThat(client.readLine()).startsWith("+OK");
        return client;
    }

    private static String login(Pop3Client client, String user, String password) throws Exception {
        assertThat(client.command("USER " + user)).startsWith("+OK");
        return client.command("PASS " + password);
    }
}
