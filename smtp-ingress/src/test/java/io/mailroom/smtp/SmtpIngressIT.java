package io.mailroom.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.Locale;
import java.util.Properties;

import io.mailroom.protocol.server.ProtocolServer;
import io.mailroom.queue.QueuedMail;
import io.mailroom.smtp.server.SmtpServers;
import io.mailroom.smtp.support.InMemoryMailQueue;
import io.mailroom.smtp.support.InMemoryMailboxApi;
import io.mailroom.smtp.support.SmtpClient;
import io.mailroom.smtp.support.SmtpIngressTest;
import io.mailroom.smtp.support.SmtpClient.Reply;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * SMTP conversations with the running smtp-ingress, over real sockets, on all three listeners. mailbox-api and
 * the queue are small in-memory stand-ins for their interfaces: the real path is tested end to end elsewhere.
 */
@SmtpIngressTest
@ExtendWith(OutputCaptureExtension.class)
class SmtpIngressIT {

    static final String ALICE = "alice@example.test";
    static final String ALICE_PASSWORD = "correct horse battery staple";
    static final String BOB = "bob@example.test";

    /** A message with what tends to get lost: a line that starts with a dot, 8-bit text, trailing blanks. */
    static final byte[] MESSAGE = ("From: Carol <carol@remote.test>\r\n"
            + "To: bob@example.test\r\n"
            + "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\n"
            + "Message-ID: <1@remote.test>\r\n"
            + "Content-Type: text/plain; charset=UTF-8\r\n"
            + "Content-Transfer-Encoding: 8bit\r\n"
            + "\r\n"
            + "Grüße aus Köln\r\n"
            + ".a line that starts with a dot\r\n"
            + "..and one with two\r\n"
            + "\r\n"
            + "trailing blanks   \r\n").getBytes(StandardCharsets.UTF_8);

    @Autowired
    InMemoryMailQueue queue;
    @Autowired
    InMemoryMailboxApi mailboxApi;
    @Autowired
    @Qualifier(SmtpServers.MX)
    ProtocolServer mx;
    @Autowired
    @Qualifier(SmtpServers.SUBMISSION)
    ProtocolServer submission;
    @Autowired
    @Qualifier(SmtpServers.SUBMISSIONS)
    ProtocolServer submissions;

    @BeforeEach
    void reset() {
        queue.reset();
        mailboxApi.reset();
        mailboxApi.domain("example.test").account(ALICE, ALICE_PASSWORD).account(BOB, "bob's password");
    }

    @Nested
    class Capabilities {

        @Test
        void mxGreetsWithItsNameAndOffersStartTlsAndSizeButNoAuth() throws Exception {
            try (SmtpClient client = SmtpClient.connect(mx.port())) {
                Reply greeting = client.reply().expect("220");
                assertThat(greeting.text()).startsWith("mx.test ESMTP");

                Reply ehlo = client.ehlo("client.test").expect("250");

                assertThat(ehlo.lines().getFirst()).startsWith("250-mx.test");
                assertThat(ehlo.extensions()).contains("STARTTLS", "SIZE 65536", "PIPELINING", "ENHANCEDSTATUSCODES", "8BITMIME");
                assertThat(ehlo.extensions()).noneMatch(extension -> extension.startsWith("AUTH"));

                client.startTls();
                Reply afterTls = client.ehlo("client.test").expect("250");
                assertThat(afterTls.extensions()).doesNotContain("STARTTLS").noneMatch(extension -> extension.startsWith("AUTH"));
            }
        }

        @Test
        void submissionOffersAuthOnlyAfterStartTls() throws Exception {
            try (SmtpClient client = SmtpClient.connect(submission.port())) {
                client.reply().expect("220");
                Reply ehlo = client.ehlo("client.test").expect("250");
                assertThat(ehlo.extensions()).contains("STARTTLS").noneMatch(extension -> extension.startsWith("AUTH"));

                client.startTls();
                Reply afterTls = client.ehlo("client.test").expect("250");

                assertThat(afterTls.extensions()).contains("AUTH LOGIN PLAIN").doesNotContain("STARTTLS");
            }
        }

        @Test
        void submissionRefusesAuthAndMailBeforeTls() throws Exception {
            try (SmtpClient client = SmtpClient.connect(submission.port())) {
                client.reply().expect("220");
                client.ehlo("client.test").expect("250");

                client.authPlain(ALICE, ALICE_PASSWORD).expect("538", "5.7.11");
                client.command("MAIL FROM:<" + ALICE + ">").expect("530", "5.7.0");
            }
            assertThat(queue.messages()).isEmpty();
        }

        @Test
        void implicitTlsSubmissionOffersAuthAtOnce() throws Exception {
            try (SmtpClient client = SmtpClient.connectTls(submissions.port())) {
                client.reply().expect("220");

                Reply ehlo = client.ehlo("client.test").expect("250");

                assertThat(ehlo.extensions()).contains("AUTH LOGIN PLAIN", "SIZE 65536").doesNotContain("STARTTLS");
            }
        }
    }

    @Nested
    class Mx {

        @Test
        void anAcceptedMessageReachesTheQueueByteForByteUnderAReceivedHeader(CapturedOutput output) throws Exception {
            Reply queued;
            try (SmtpClient client = SmtpClient.connect(mx.port())) {
                client.reply().expect("220");
                client.ehlo("client.test").expect("250");
                client.command("MAIL FROM:<carol@remote.test>").expect("250");
                client.command("RCPT TO:<" + BOB + ">").expect("250");
                queued = client.data(MESSAGE).expect("250", "2.0.0");
                client.command("QUIT").expect("221");
            }

            assertThat(queue.messages()).hasSize(1);
            QueuedMail mail = queue.messages().getFirst();
            assertThat(queued.text()).isEqualTo("2.0.0 Ok: queued as " + mail.id());
            assertThat(mail.traceId()).isEqualTo(mail.id());
            assertThat(mail.envelopeFrom()).isEqualTo("carol@remote.test");
            assertThat(mail.recipients()).containsExactly(BOB);

            String header = receivedHeader(mail);
            assertThat(header).startsWith("Received: from client.test ([127.0.0.1])\r\n\tby mx.test (Mailroom) with ESMTP id "
                    + mail.id() + "\r\n\tfor <" + BOB + ">; ");
            ZonedDateTime stamped = ZonedDateTime.parse(header.substring(header.indexOf("; ") + 2).strip(),
                    DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.US));
            assertThat(stamped.toInstant()).isEqualTo(mail.receivedAt().truncatedTo(java.time.temporal.ChronoUnit.SECONDS));
            // Each log line of the transaction carries its trace id.
            assertThat(output.getOut()).contains("[smtp-ingress," + mail.id() + "]");
        }

        @Test
        void startTlsThenAFullTransactionRecordsTheTlsSession() throws Exception {
            try (SmtpClient client = SmtpClient.connect(mx.port())) {
                client.reply().expect("220");
                client.ehlo("client.test").expect("250");
                client.startTls();
                client.ehlo("client.test").expect("250");
                client.command("MAIL FROM:<>").expect("250");
                client.command("RCPT TO:<" + BOB + ">").expect("250");
                client.command("RCPT TO:<" + ALICE + ">").expect("250");
                client.data(MESSAGE).expect("250", "2.0.0");
            }

            QueuedMail mail = queue.messages().getFirst();
            assertThat(mail.envelopeFrom()).isEmpty();
            assertThat(mail.recipients()).containsExactly(BOB, ALICE);
            String header = receivedHeader(mail);
            assertThat(header).contains(" with ESMTPS id " + mail.id()).containsPattern("\\(using TLSv1\\.[23] with cipher \\w+\\)")
                    .doesNotContain("for <");
        }

        @Test
        void refusesUnknownUsersAndForeignDomainsAndWaitsWhenMailboxApiIsDown() throws Exception {
            try (SmtpClient client = SmtpClient.connect(mx.port())) {
                client.reply().expect("220");
                client.ehlo("client.test").expect("250");
                client.command("MAIL FROM:<carol@remote.test>").expect("250");

                client.command("RCPT TO:<nobody@example.test>").expect("550", "5.1.1");
                client.command("RCPT TO:<someone@elsewhere.test>").expect("554", "5.7.1");
                mailboxApi.unavailable(true);
                client.command("RCPT TO:<new-user@example.test>").expect("451", "4.4.3");
                mailboxApi.unavailable(false);
                client.command("RCPT TO:<" + BOB + ">").expect("250");
            }
        }

        /** A full mailbox is a temporary refusal at RCPT; an alias with room in one of its accounts still takes mail. */
        @Test
        void aFullMailboxIsRefusedForNowAtRcpt() throws Exception {
            String full = "full-" + System.nanoTime() + "@example.test";
            String roomy = "roomy-" + System.nanoTime() + "@example.test";
            String team = "team-" + System.nanoTime() + "@example.test";
            String allFull = "allfull-" + System.nanoTime() + "@example.test";
            mailboxApi.account(full, "x").account(roomy, "x").full(full)
                    .alias(team, full, roomy).alias(allFull, full);
            try (SmtpClient client = SmtpClient.connect(mx.port())) {
                client.reply().expect("220");
                client.ehlo("client.test").expect("250");
                client.command("MAIL FROM:<carol@remote.test>").expect("250");

                client.command("RCPT TO:<" + full + ">").expect("452", "4.2.2");
                client.command("RCPT TO:<" + allFull + ">").expect("452", "4.2.2");
                client.command("RCPT TO:<" + team + ">").expect("250");
                client.command("RCPT TO:<" + roomy + ">").expect("250");
                client.data("Subject: to the roomy ones\r\n\r\nhi\r\n".getBytes(StandardCharsets.US_ASCII)).expect("250");
            }
            assertThat(queue.messages()).singleElement()
                    .satisfies(mail -> assertThat(mail.recipients()).containsExactly(team, roomy));
        }

        @Test
        void aQueueFailureIsATemporaryFailureAndNothingIsQueued() throws Exception {
            queue.failing(true);
            try (SmtpClient client = SmtpClient.connect(mx.port())) {
                client.reply().expect("220");
                client.ehlo("client.test").expect("250");
                client.command("MAIL FROM:<carol@remote.test>").expect("250");
                client.command("RCPT TO:<" + BOB + ">").expect("250");

                client.data(MESSAGE).expect("451", "4.3.0");

                // The session goes on: the client may try again at once.
                queue.failing(false);
                client.command("MAIL FROM:<carol@remote.test>").expect("250");
                client.command("RCPT TO:<" + BOB + ">").expect("250");
                client.data(MESSAGE).expect("250", "2.0.0");
            }
            assertThat(queue.messages()).hasSize(1);
        }

        @Test
        void refusesMessagesOverTheSizeLimit() throws Exception {
            try (SmtpClient client = SmtpClient.connect(mx.port())) {
                client.reply().expect("220");
                client.ehlo("client.test").expect("250");

                client.command("MAIL FROM:<carol@remote.test> SIZE=100000").expect("552", "5.3.4");

                client.command("MAIL FROM:<carol@remote.test>").expect("250");
                client.command("RCPT TO:<" + BOB + ">").expect("250");
                client.data(largeMessage(70 * 1024)).expect("552", "5.3.4");

                client.command("NOOP").expect("250");
            }
            assertThat(queue.messages()).isEmpty();
        }

        @Test
        void limitsRecipientsPerTransaction() throws Exception {
            // An address no other test has asked about, so that the cache starts empty for it.
            String member = "member-" + java.util.UUID.randomUUID() + "@example.test";
            mailboxApi.account(member, "secret");
            try (SmtpClient client = SmtpClient.connect(mx.port())) {
                client.reply().expect("220");
                client.ehlo("client.test").expect("250");
                client.command("MAIL FROM:<carol@remote.test>").expect("250");
                for (int i = 0; i < 100; i++) {
                    client.command("RCPT TO:<" + member + ">").expect("250");
                }

                client.command("RCPT TO:<" + member + ">").expect("452", "4.5.3");
            }
            assertThat(mailboxApi.recipientLookups()).as("recipient answers are cached").isEqualTo(1);
        }

        @Test
        void anAmbiguousEndOfDataClosesTheConnectionInsteadOfSmugglingASecondMessage() throws Exception {
            try (SmtpClient client = SmtpClient.connect(mx.port())) {
                client.reply().expect("220");
                client.ehlo("client.test").expect("250");
                client.command("MAIL FROM:<carol@remote.test>").expect("250");
                client.command("RCPT TO:<" + BOB + ">").expect("250");
                client.command("DATA").expect("354");

                client.write(("Subject: first\r\n\r\nhello\n.\r\n"
                        + "MAIL FROM:<ceo@example.test>\r\nRCPT TO:<" + BOB + ">\r\nDATA\r\n"
                        + "Subject: forged\r\n\r\npay the invoice\r\n.\r\n").getBytes(StandardCharsets.US_ASCII));

                client.reply().expect("554", "5.6.0");
                assertThat(client.closedByServer()).isTrue();
            }
            assertThat(queue.messages()).isEmpty();
        }
    }

    @Nested
    class Submission {

        @Test
        void authenticatedClientsSendToAnyRecipientAfterStartTls() throws Exception {
            try (SmtpClient client = SmtpClient.connect(submission.port())) {
                client.reply().expect("220");
                client.ehlo("laptop.test").expect("250");
                client.startTls();
                client.ehlo("laptop.test").expect("250");

                client.authPlain(ALICE, ALICE_PASSWORD).expect("235", "2.7.0");

                client.command("MAIL FROM:<" + ALICE + ">").expect("250");
                client.command("RCPT TO:<someone@elsewhere.test>").expect("250");
                client.data(MESSAGE).expect("250", "2.0.0");
            }

            QueuedMail mail = queue.messages().getFirst();
            assertThat(mail.recipients()).containsExactly("someone@elsewhere.test");
            assertThat(receivedHeader(mail)).startsWith("Received: from laptop.test ([127.0.0.1])")
                    .contains(" with ESMTPSA id " + mail.id(), "(authenticated as " + ALICE + ")");
        }

        @Test
        void wrongCredentialsAreRefusedAndAnUnreachableMailboxApiIsTemporary() throws Exception {
            try (SmtpClient client = SmtpClient.connect(submission.port())) {
                client.reply().expect("220");
                client.ehlo("laptop.test").expect("250");
                client.startTls();
                client.ehlo("laptop.test").expect("250");

                client.authPlain(ALICE, "wrong").expect("535", "5.7.8");
                client.command("MAIL FROM:<" + ALICE + ">").expect("530", "5.7.0");

                mailboxApi.unavailable(true);
                client.authPlain(ALICE, ALICE_PASSWORD).expect("454", "4.7.0");
            }
            assertThat(queue.messages()).isEmpty();
        }

        @Test
        void authLoginWorksToo() throws Exception {
            try (SmtpClient client = SmtpClient.connectTls(submissions.port())) {
                client.reply().expect("220");
                client.ehlo("laptop.test").expect("250");

                client.command("AUTH LOGIN").expect("334");
                client.command(base64(ALICE)).expect("334");
                client.command(base64(ALICE_PASSWORD)).expect("235", "2.7.0");
            }
        }

        @Test
        void aRealMailClientSubmitsWithStartTlsAndAuth() throws Exception {
            Properties properties = new Properties();
            properties.put("mail.smtp.host", "127.0.0.1");
            properties.put("mail.smtp.port", String.valueOf(submission.port()));
            properties.put("mail.smtp.localhost", "laptop.test");
            properties.put("mail.smtp.auth", "true");
            properties.put("mail.smtp.starttls.enable", "true");
            properties.put("mail.smtp.starttls.required", "true");
            properties.put("mail.smtp.ssl.trust", "*");
            properties.put("mail.smtp.timeout", "15000");
            Session session = Session.getInstance(properties);

            Transport.send(message(session, "via STARTTLS"), ALICE, ALICE_PASSWORD);

            assertThat(queue.messages()).singleElement().satisfies(mail -> {
                assertThat(mail.envelopeFrom()).isEqualTo(ALICE);
                assertThat(mail.recipients()).containsExactly("someone@elsewhere.test");
                assertThat(new String(mail.content(), StandardCharsets.UTF_8)).contains("Subject: via STARTTLS", "with ESMTPSA");
            });
        }

        @Test
        void aRealMailClientSubmitsOverImplicitTls() throws Exception {
            Properties properties = new Properties();
            properties.put("mail.smtps.auth", "true");
            properties.put("mail.smtps.localhost", "laptop.test");
            properties.put("mail.smtps.ssl.trust", "*");
            properties.put("mail.smtps.timeout", "15000");
            Session session = Session.getInstance(properties);

            try (Transport transport = session.getTransport("smtps")) {
                transport.connect("127.0.0.1", submissions.port(), ALICE, ALICE_PASSWORD);
                MimeMessage message = message(session, "via implicit TLS");
                transport.sendMessage(message, message.getAllRecipients());
            }

            assertThat(queue.messages()).singleElement()
                    .satisfies(mail -> assertThat(new String(mail.content(), StandardCharsets.UTF_8)).contains("Subject: via implicit TLS"));
        }
    }

    private static MimeMessage message(Session session, String subject) throws Exception {
        MimeMessage message = new MimeMessage(session);
        message.setFrom(new InternetAddress(ALICE));
        message.setRecipient(Message.RecipientType.TO, new InternetAddress("someone@elsewhere.test"));
        message.setSubject(subject);
        message.setText("Hello from a real client.\n", "UTF-8");
        return message;
    }

    /** The header smtp-ingress put on top, after checking that the rest is the message exactly as sent. */
    private static String receivedHeader(QueuedMail mail) {
        byte[] content = mail.content();
        assertThat(content.length).isGreaterThan(MESSAGE.length);
        byte[] tail = Arrays.copyOfRange(content, content.length - MESSAGE.length, content.length);
        assertThat(tail).as("the message after the Received header").isEqualTo(MESSAGE);
        String header = new String(content, 0, content.length - MESSAGE.length, StandardCharsets.US_ASCII);
        assertThat(header).startsWith("Received: ").endsWith("\r\n");
        return header;
    }

    private static byte[] largeMessage(int size) {
        ByteArrayOutputStream message = new ByteArrayOutputStream(size + 100);
        message.writeBytes("Subject: big\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        byte[] line = ("x".repeat(98) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        while (message.size() < size) {
            message.writeBytes(line);
        }
        return message.toByteArray();
    }

    private static String base64(String text) {
        return java.util.Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }
}
