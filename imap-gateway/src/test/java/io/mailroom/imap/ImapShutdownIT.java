package io.mailroom.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.mailroom.imap.server.ImapListener;
import io.mailroom.imap.support.RealMailboxApi;
import io.mailroom.mailbox.client.store.MailboxInfo;

/**
 * A listener that stops (SIGTERM in a rollout) stops accepting, lets a command in progress finish, and tells every
 * session {@code * BYE [UNAVAILABLE]} (RFC 9051 §7.1.5, RFC 5530) before it closes it, idling ones included, so that
 * clients reconnect to another replica at once. The listener is stopped for good, so this class gets a context of its
 * own.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = {
        "mailroom.imap.imap.host=127.0.0.1",
        "mailroom.imap.imap.port=0",
        "mailroom.imap.imaps.host=127.0.0.1",
        "mailroom.imap.imaps.port=0",
        "mailroom.imap.allow-plaintext-auth=true",
        "mailroom.imap.shutdown-timeout=20s",
        "mailroom.tls.self-signed-directory=target/test-tls"})
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class ImapShutdownIT {

    static final RealMailboxApi MAILBOX_API = RealMailboxApi.shared();
    static final String GOODBYE = "* BYE [UNAVAILABLE] Server shutting down";
    static final String MESSAGE = "From: bob@example.net\r\nTo: alice@example.com\r\nSubject: in flight\r\n\r\n"
            + "first half, second half\r\n";

    @DynamicPropertySource
    static void mailboxApi(DynamicPropertyRegistry registry) {
        registry.add("mailroom.mailbox-api.base-url", MAILBOX_API::baseUrl);
        registry.add("mailroom.internal.token", MAILBOX_API::internalToken);
    }

    @Autowired
    @Qualifier("imapListener")
    ImapListener imap;

    @Test
    void aCommandInProgressFinishesAndEverySessionIsToldBye() throws Exception {
        String alice = "alice@" + RealMailboxApi.uniqueDomain("bye");
        String password = RealMailboxApi.strongPassword();
        MAILBOX_API.createAccount(alice, password, true);
        int port = imap.port();
        byte[] message = MESSAGE.getBytes(StandardCharsets.US_ASCII);
        int half = MESSAGE.indexOf("second half");

        try (ImapClient quiet = loggedIn(port, alice, password);
             ImapClient idling = loggedIn(port, alice, password);
             ImapClient appending = loggedIn(port, alice, password)) {
            quiet.command("SELECT INBOX");
            idling.command("SELECT INBOX");
            String idle = idling.idle();
            appending.send("a9 APPEND INBOX {" + message.length + "}");
            assertThat(appending.readLine()).startsWith("+");
            appending.write(java.util.Arrays.copyOf(message, half));

            CountDownLatch stopped = new CountDownLatch(1);
            imap.stop(stopped::countDown);

            // quiet and idling sessions hear why they go, and go
            assertThat(quiet.readLine()).isEqualTo(GOODBYE);
            assertThat(quiet.closedByServer()).isTrue();
            assertThat(idling.readUntil(line -> !line.startsWith("* OK"))).as("IDLE %s", idle).isEqualTo(GOODBYE);
            assertThat(idling.closedByServer()).isTrue();
            // no new connections
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(IOException.class));

            // the APPEND whose literal is still arriving is let finish, and answered
            Thread.sleep(300);
            assertThat(stopped.getCount()).as("the listener waits for the command in progress").isEqualTo(1);
            appending.write(java.util.Arrays.copyOfRange(message, half, message.length));
            appending.send("");
            List<String> answer = untilTagged(appending, "a9");
            assertThat(answer.getLast()).matches("a9 OK \\[APPENDUID \\d+ 1\\] APPEND completed\\.");
            // then that session is let go as well, and the listener stops
            assertThat(appending.readLine()).isEqualTo(GOODBYE);
            assertThat(appending.closedByServer()).isTrue();
            assertThat(stopped.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(imap.isRunning()).isFalse();
        }
        MailboxInfo inbox = MAILBOX_API.store().mailboxByName(alice, "INBOX").orElseThrow();
        assertThat(inbox.messages()).isEqualTo(1);
    }

    private static List<String> untilTagged(ImapClient client, String tag) throws IOException {
        List<String> lines = new java.util.ArrayList<>();
        String line;
        do {
            line = client.readLine();
            lines.add(line);
        } while (!line.startsWith(tag + " "));
        return lines;
    }

    private static ImapClient loggedIn(int port, String user, String password) throws Exception {
        ImapClient client = ImapClient.plain(port);
        client.readLine();
        assertThat(client.status("LOGIN " + user + " \"" + password + "\"")).contains("OK");
        return client;
    }
}
