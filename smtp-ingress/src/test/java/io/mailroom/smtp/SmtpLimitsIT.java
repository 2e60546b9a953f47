package io.mailroom.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.mailroom.protocol.server.ProtocolServer;
import io.mailroom.queue.QueuedMail;
import io.mailroom.smtp.server.SmtpServers;
import io.mailroom.smtp.support.InMemoryMailQueue;
import io.mailroom.smtp.support.InMemoryMailboxApi;
import io.mailroom.smtp.support.SmtpClient;
import io.mailroom.smtp.support.SmtpIngressTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;

/**
 * Every limit of smtp-ingress, set low, through real sockets. The implicit-TLS submission listener expects a
 * PROXY protocol header here, so that tests can be different clients (and the limits per address are seen to
 * count the address in the header).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "mailroom.smtp.hostname=mx.test",
        "mailroom.smtp.max-message-size=64KB",
        "mailroom.smtp.max-line-length=1000",
        "mailroom.smtp.max-connections=5",
        "mailroom.smtp.max-connections-per-ip=3",
        "mailroom.smtp.idle-timeout=2s",
        "mailroom.smtp.max-commands-per-connection=25",
        "mailroom.smtp.max-errors=4",
        "mailroom.smtp.max-messages-per-hour=2",
        "mailroom.smtp.auth-failures.max-per-ip=3",
        "mailroom.smtp.auth-failures.max-per-account=2",
        "mailroom.smtp.auth-failures.delay=300ms",
        "mailroom.smtp.auth-failures.block=10m",
        "mailroom.smtp.spool.directory=target/test-spool",
        "mailroom.smtp.listeners.mx.port=0",
        "mailroom.smtp.listeners.mx.bind-address=127.0.0.1",
        "mailroom.smtp.listeners.submission.enabled=false",
        "mailroom.smtp.listeners.submissions.port=0",
        "mailroom.smtp.listeners.submissions.bind-address=127.0.0.1",
        "mailroom.smtp.listeners.submissions.proxy-protocol=true",
        "mailroom.tls.hostname=localhost",
        "mailroom.tls.self-signed-directory=target/test-tls"})
@Import(SmtpIngressTest.StandIns.class)
class SmtpLimitsIT {

    static final String ALICE = "alice@example.test";
    static final String BOB = "bob@example.test";
    static final String CAROL = "carol@example.test";
    static final String PASSWORD = "secret";

    @Autowired
    InMemoryMailQueue queue;
    @Autowired
    InMemoryMailboxApi mailboxApi;
    @Autowired
    @Qualifier(SmtpServers.MX)
    ProtocolServer mx;
    @Autowired
    @Qualifier(SmtpServers.SUBMISSIONS)
    ProtocolServer submissions;

    private final List<SmtpClient> clients = new ArrayList<>();

    @BeforeEach
    void reset() {
        queue.reset();
        mailboxApi.reset();
        mailboxApi.domain("example.test").account(ALICE, PASSWORD).account(BOB, PASSWORD).account(CAROL, PASSWORD);
        // Connections of the test before are closed by now, on the server's side too.
        await().atMost(Duration.ofSeconds(10)).until(() -> mx.openConnections() == 0 && submissions.openConnections() == 0);
    }

    @AfterEach
    void closeClients() throws Exception {
        for (SmtpClient client : clients) {
            client.close();
        }
    }

    @Test
    void tooLongLinesAreRefusedAndTheSessionGoesOn() throws Exception {
        SmtpClient client = mx();
        client.command("NOOP " + "x".repeat(1500)).expect("500", "5.5.2");
        client.command("MAIL FROM:<someone@remote.test>").expect("250");
        client.command("RCPT TO:<" + BOB + ">").expect("250");

        client.data(("Subject: long\r\n\r\n" + "y".repeat(1500) + "\r\nshort\r\n").getBytes(StandardCharsets.US_ASCII))
                .expect("500", "5.5.2");

        client.command("NOOP").expect("250");
        assertThat(queue.messages()).isEmpty();
    }

    @Test
    void connectionsFromOneAddressAreLimitedWithA421() throws Exception {
        for (int i = 0; i < 3; i++) {
            mx();
        }

        SmtpClient fourth = SmtpClient.connect(mx.port());
        clients.add(fourth);

        fourth.reply().expect("421", "4.7.0");
        assertThat(fourth.closedByServer()).isTrue();
        clients.getFirst().command("NOOP").expect("250");
    }

    @Test
    void connectionsInTotalAreLimitedWithA421() throws Exception {
        for (int i = 1; i <= 5; i++) {
            SmtpClient client = SmtpClient.connectTlsBehindProxy(submissions.port(), "192.0.2." + i);
            clients.add(client);
            client.reply().expect("220");
        }

        SmtpClient sixth = SmtpClient.connectTlsBehindProxy(submissions.port(), "192.0.2.6");
        clients.add(sixth);

        sixth.reply().expect("421", "4.7.0");
        assertThat(sixth.closedByServer()).isTrue();
    }

    @Test
    void commandsPerConnectionAreLimited() throws Exception {
        SmtpClient client = mx();
        for (int i = 2; i <= 25; i++) {
            client.command("NOOP").expect("250");
        }

        client.command("NOOP").expect("421", "4.7.0");
        assertThat(client.closedByServer()).isTrue();
    }

    @Test
    void tooManyErrorsEndTheConnectionButAnAcceptedMessageForgivesThem() throws Exception {
        SmtpClient client = mx();
        for (int i = 0; i < 3; i++) {
            client.command("FOO").expect("500", "5.5.1");
        }
        client.command("MAIL FROM:<someone@remote.test>").expect("250");
        client.command("RCPT TO:<" + BOB + ">").expect("250");
        client.data("Subject: ok\r\n\r\nhi\r\n".getBytes(StandardCharsets.US_ASCII)).expect("250");
        for (int i = 0; i < 4; i++) {
            client.command("FOO").expect("500", "5.5.1");
        }

        client.command("FOO").expect("421", "4.7.0");
        assertThat(client.closedByServer()).isTrue();
    }

    @Test
    void anIdleClientIsToldAndDisconnected() throws Exception {
        SmtpClient client = mx();
        long started = System.nanoTime();

        client.reply().expect("421", "4.4.2");

        assertThat(Duration.ofNanos(System.nanoTime() - started)).isBetween(Duration.ofMillis(1500), Duration.ofSeconds(10));
        assertThat(client.closedByServer()).isTrue();
    }

    @Test
    void failedLoginsAreSlowedAndThenBlockedPerAddress() throws Exception {
        SmtpClient guesser = submission("198.51.100.1");
        for (int i = 0; i < 3; i++) {
            long started = System.nanoTime();
            guesser.authPlain("nobody-" + i + "@example.test", "guess").expect("535", "5.7.8");
            assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(250));
        }

        guesser.authPlain(ALICE, PASSWORD).expect("454", "4.7.0");
        submission("198.51.100.2").authPlain(ALICE, PASSWORD).expect("235");
    }

    @Test
    void failedLoginsAreBlockedPerAccountFromAnyAddress() throws Exception {
        submission("198.51.100.11").authPlain(BOB, "guess").expect("535");
        submission("198.51.100.12").authPlain(BOB, "guess").expect("535");

        submission("198.51.100.13").authPlain(BOB, PASSWORD).expect("454", "4.7.0");
        submission("198.51.100.13").authPlain(ALICE, PASSWORD).expect("235");
    }

    @Test
    void messagesPerHourPerAccountAreLimitedAndTheProxiedClientIsWhoTheTraceHeaderNames() throws Exception {
        SmtpClient client = submission("203.0.113.9");
        client.authPlain(CAROL, PASSWORD).expect("235");
        for (int i = 0; i < 2; i++) {
            client.command("MAIL FROM:<" + CAROL + ">").expect("250");
            client.command("RCPT TO:<" + BOB + ">").expect("250");
            client.data("Subject: hourly\r\n\r\nhi\r\n".getBytes(StandardCharsets.US_ASCII)).expect("250");
        }

        client.command("MAIL FROM:<" + CAROL + ">").expect("450", "4.7.1");

        QueuedMail mail = queue.messages().getFirst();
        assertThat(new String(mail.content(), StandardCharsets.US_ASCII)).startsWith("Received: from laptop.test ([203.0.113.9])");
        assertThat(mail.options().clientIp()).isEqualTo("203.0.113.9");
    }

    private SmtpClient mx() throws Exception {
        SmtpClient client = SmtpClient.connect(mx.port());
        clients.add(client);
        client.reply().expect("220");
        client.ehlo("client.test").expect("250");
        return client;
    }

    private SmtpClient submission(String clientIp) throws Exception {
        SmtpClient client = SmtpClient.connectTlsBehindProxy(submissions.port(), clientIp);
        clients.add(client);
        client.reply().expect("220");
        client.ehlo("laptop.test").expect("250");
        return client;
    }
}
