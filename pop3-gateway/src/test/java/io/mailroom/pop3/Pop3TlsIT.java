package io.mailroom.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;

import io.mailroom.protocol.server.ProtocolServer;
import io.mailroom.protocol.tls.TlsMaterial;

/**
 * The production default: USER/PASS only over TLS, reached with STLS on the first listener
 * (RFC 2595 §4) or from the first byte on the second (RFC 8314). Also the service's HTTP side.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "mailroom.pop3.pop3.host=127.0.0.1",
        "mailroom.pop3.pop3.port=0",
        "mailroom.pop3.pop3s.host=127.0.0.1",
        "mailroom.pop3.pop3s.port=0",
        "mailroom.tls.self-signed-directory=target/test-tls",
        "mailroom.internal.token=test"})
@Import(TestMailboxApiConfiguration.class)
class Pop3TlsIT {

    static final String ALICE = "alice@example.com";
    static final String PASSWORD = "s3cret";

    @Autowired
    InMemoryMailboxApi mailboxApi;

    @Autowired
    TlsMaterial tls;

    @Autowired
    @Qualifier("pop3Listener")
    ProtocolServer pop3;

    @Autowired
    @Qualifier("pop3sListener")
    ProtocolServer pop3s;

    @Value("${local.server.port}")
    int httpPort;

    @BeforeEach
    void aliceHasOneMessage() {
        mailboxApi.reset();
        mailboxApi.createAccount(ALICE, PASSWORD, 42);
        mailboxApi.deliver(ALICE, 1, Pop3ConversationIT.SECOND);
    }

    @Test
    void refusesPlaintextLoginAndDoesNotOfferIt() throws Exception {
        try (Pop3Client client = Pop3Client.plain(pop3.port())) {
            assertThat(client.readLine()).startsWith("+OK");
            assertThat(client.multiLine("CAPA")).containsExactly("TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING",
                    "STLS", "IMPLEMENTATION Mailroom");
            assertThat(client.command("USER " + ALICE)).startsWith("-ERR [AUTH] ");
            assertThat(client.command("PASS " + PASSWORD)).startsWith("-ERR [AUTH] ");
            assertThat(client.command("AUTH PLAIN " + Pop3Client.base64("\0" + ALICE + "\0" + PASSWORD))).startsWith("-ERR [AUTH] ");
            assertThat(client.command("AUTH LOGIN")).startsWith("-ERR [AUTH] ");
            assertThat(client.command("AUTH")).startsWith("+OK");
            assertThat(client.restOfMultiLine()).as("no mechanism is usable yet").isEmpty();
        }
        assertThat(mailboxApi.logins()).as("the password never reached mailbox-api").isEmpty();
    }

    @Test
    void stlsThenLogin() throws Exception {
        try (Pop3Client client = Pop3Client.plain(pop3.port())) {
            assertThat(client.readLine()).startsWith("+OK");
            assertThat(client.command("STLS")).startsWith("+OK");
            SSLSocket socket = client.startTls(tls);
            assertThat(socket.getSession().getProtocol()).isIn("TLSv1.3", "TLSv1.2");

            assertThat(client.multiLine("CAPA")).containsExactly("TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING",
                    "USER", "SASL PLAIN LOGIN", "IMPLEMENTATION Mailroom");
            assertThat(client.command("STLS")).startsWith("-ERR");
            assertThat(client.command("AUTH PLAIN " + Pop3Client.base64("\0" + ALICE + "\0" + PASSWORD))).isEqualTo("+OK Logged in");
            assertThat(client.command("STAT")).isEqualTo("+OK 1 " + Pop3ConversationIT.SECOND.length);
            assertThat(client.command("QUIT")).startsWith("+OK");
        }
    }

    @Test
    void implicitTlsListenerGreetsAndServes() throws Exception {
        try (Pop3Client client = Pop3Client.implicitTls(pop3s.port(), tls)) {
            assertThat(client.readLine()).startsWith("+OK");
            assertThat(client.multiLine("CAPA")).contains("USER", "SASL PLAIN LOGIN").doesNotContain("STLS");
            assertThat(client.command("USER " + ALICE)).startsWith("+OK");
            assertThat(client.command("PASS " + PASSWORD)).startsWith("+OK");
            assertThat(Pop3ConversationIT.undoDotStuffing(client.rawBody("RETR 1"))).isEqualTo(Pop3ConversationIT.SECOND);
            assertThat(client.command("QUIT")).startsWith("+OK");
        }
    }

    @Test
    void healthAndPrometheusMetricsOverHttp() throws Exception {
        try (Pop3Client client = Pop3Client.implicitTls(pop3s.port(), tls)) {
            client.readLine();
            client.command("USER " + ALICE);
            assertThat(client.command("PASS " + PASSWORD)).startsWith("+OK");
        }
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> health = http.send(get("/actuator/health/readiness"), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"UP\"");

        HttpResponse<String> prometheus = http.send(get("/actuator/prometheus"), HttpResponse.BodyHandlers.ofString());
        assertThat(prometheus.statusCode()).isEqualTo(200);
        assertThat(prometheus.body())
                .containsPattern("james_timer_seconds_count\\{[^}]*application=\"pop3-gateway\"[^}]*name=\"pop3-pass\"");
    }

    private HttpRequest get(String path) {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + path)).GET().build();
    }
}
