package io.mailroom.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.test.annotation.DirtiesContext;

import io.mailroom.protocol.server.ProtocolServer;
import io.mailroom.smtp.server.SmtpServers;
import io.mailroom.smtp.support.InMemoryMailQueue;
import io.mailroom.smtp.support.InMemoryMailboxApi;
import io.mailroom.smtp.support.SmtpClient;
import io.mailroom.smtp.support.SmtpIngressTest;

/**
 * A listener that stops (SIGTERM in a rollout) lets a transaction in progress finish and tells quiet sessions to go
 * elsewhere with {@code 421 4.3.2}. The listener is stopped for good, so this class gets a context of its own.
 */
@SmtpIngressTest
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
class SmtpShutdownIT {

    static final String BOB = "bob@example.test";

    @Autowired
    InMemoryMailQueue queue;
    @Autowired
    InMemoryMailboxApi mailboxApi;
    @Autowired
    @Qualifier(SmtpServers.MX)
    ProtocolServer mx;

    @Test
    void aTransactionInProgressFinishesAndQuietSessionsAreToldToGo() throws Exception {
        queue.reset();
        mailboxApi.reset();
        mailboxApi.domain("example.test").account(BOB, "bob's password");
        int port = mx.port();

        try (SmtpClient quiet = SmtpClient.connect(port); SmtpClient sending = SmtpClient.connect(port)) {
            quiet.reply().expect("220");
            quiet.ehlo("quiet.test").expect("250");
            sending.reply().expect("220");
            sending.ehlo("sender.test").expect("250");
            sending.command("MAIL FROM:<carol@remote.test>").expect("250");
            sending.command("RCPT TO:<" + BOB + ">").expect("250");
            sending.command("DATA").expect("354");
            sending.write("Subject: in flight\r\n\r\nfirst half\r\n".getBytes(StandardCharsets.US_ASCII));

            CountDownLatch stopped = new CountDownLatch(1);
            mx.stop(stopped::countDown);

            // the quiet session hears why it goes, and goes
            SmtpClient.Reply goodbye = quiet.reply();
            assertThat(goodbye).isNotNull();
            assertThat(goodbye.lines().getFirst()).startsWith("421 4.3.2 ").contains("shutting down");
            assertThat(quiet.closedByServer()).isTrue();
            // no new connections
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThatThrownBy(() -> new Socket("127.0.0.1", port).close()).isInstanceOf(IOException.class));

            // the message being sent is still taken, and acknowledged
            Thread.sleep(300);
            assertThat(stopped.getCount()).as("the listener waits for the transaction").isEqualTo(1);
            sending.write("second half\r\n.\r\n".getBytes(StandardCharsets.US_ASCII));
            sending.reply().expect("250");
            assertThat(queue.messages()).singleElement()
                    .satisfies(mail -> assertThat(new String(mail.content(), StandardCharsets.US_ASCII))
                            .contains("Subject: in flight", "first half\r\nsecond half"));
            // then that session is let go as well, and the listener has stopped
            assertThat(sending.reply().lines().getFirst()).startsWith("421 4.3.2 ");
            assertThat(stopped.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(mx.isRunning()).isFalse();
        }
    }
}
