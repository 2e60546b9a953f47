package io.mailroom.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.mailroom.protocol.server.ProtocolServer;
import io.mailroom.queue.MailOptions;
import io.mailroom.queue.QueuedMail;
import io.mailroom.smtp.server.SmtpServers;
import io.mailroom.smtp.server.SpoolingMessageBuffer;
import io.mailroom.smtp.support.InMemoryMailQueue;
import io.mailroom.smtp.support.InMemoryMailboxApi;
import io.mailroom.smtp.support.SmtpClient;
import io.mailroom.smtp.support.SmtpClient.Reply;
import io.mailroom.smtp.support.SmtpIngressTest;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;

/**
 * What smtp-ingress adds to James's SMTP, as socket conversations: smuggling defence, CHUNKING/BDAT,
 * SMTPUTF8, DSN parameters, enhanced status codes on every reply, submission rules, spooling, metrics, and
 * real clients (Python's smtplib, curl, swaks, nodemailer; Jakarta Mail in SmtpIngressIT).
 */
@SmtpIngressTest
class SmtpProtocolIT {

    static final String ALICE = "alice@example.test";
    static final String ALICE_PASSWORD = "correct horse battery staple";
    static final String BOB = "bob@example.test";
    static final String UMLAUT_USER = "\u00fcser@example.test";

    @Autowired
    InMemoryMailQueue queue;
    @Autowired
    InMemoryMailboxApi mailboxApi;
    @Autowired
    SpoolingMessageBuffer spool;
    @Autowired
    MeterRegistry meters;
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
        mailboxApi.domain("example.test").account(ALICE, ALICE_PASSWORD).account(BOB, "bob's password").account(UMLAUT_USER, "x");
    }

    @Nested
    class Smuggling {

        /**
         * Every end-of-data look-alike of the SMTP smuggling research (SEC Consult, 2023) and Postfix's and
         * Sendmail's fixes, followed by a forged second transaction and a proper end. Whatever the server does,
         * it must not split this into two messages.
         */
        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"<LF>.<CRLF>", "<LF>.<LF>", "<CR>.<CR>", "<CR>.<LF>", "<CR>.<CRLF>", "<CRLF>.<LF>",
                "<CRLF>.<CR>", "<LF>.<CR>", "<CRLF>.<CR><CRLF>", "<CR><LF><NUL>.<CRLF>", "<CRLF>.<SP><CRLF>",
                "<LF><LF>.<LF><LF>"})
        void noVariantSplitsOneMessageIntoTwo(String variant) throws Exception {
            byte[] ending = variant.replace("<CRLF>", "\r\n").replace("<CR>", "\r").replace("<LF>", "\n")
                    .replace("<NUL>", "\0").replace("<SP>", " ").getBytes(StandardCharsets.US_ASCII);
            ByteArrayOutputStream data = new ByteArrayOutputStream();
            data.writeBytes("Subject: first\r\n\r\nhello".getBytes(StandardCharsets.US_ASCII));
            data.writeBytes(ending);
            data.writeBytes(("MAIL FROM:<ceo@example.test>\r\nRCPT TO:<" + BOB + ">\r\nDATA\r\n"
                    + "Subject: forged\r\n\r\nsmuggled\r\n.\r\nQUIT\r\n").getBytes(StandardCharsets.US_ASCII));

            List<Reply> replies = new ArrayList<>();
            try (SmtpClient client = SmtpClient.connect(mx.port())) {
                client.reply().expect("220");
                client.ehlo("client.test").expect("250");
                client.command("MAIL FROM:<carol@remote.test>").expect("250");
                client.command("RCPT TO:<" + BOB + ">").expect("250");
                client.command("DATA").expect("354");
                client.write(data.toByteArray());
                for (Reply reply = client.reply(); reply != null; reply = client.reply()) {
                    replies.add(reply);
                }
            }

            assertThat(replies.stream().filter(reply -> reply.code().equals("250"))).as("replies %s", replies).hasSizeLessThanOrEqualTo(1);
            assertThat(queue.messages()).hasSizeLessThanOrEqualTo(1);
            assertThat(queue.messages()).noneMatch(mail -> body(mail).startsWith("Subject: forged"));
            if (ending.length > 0 && new String(ending, StandardCharsets.US_ASCII).matches("(?s).*(\r(?!\n)|(?<!\r)\n).*")) {
                // A bare CR or LF: refused at once, and the connection closed.
                assertThat(replies.getFirst().lines().getFirst()).startsWith("554 5.6.0 ");
                assertThat(queue.messages()).isEmpty();
            }
        }

        @Test
        void aBareLineFeedAnywhereInTheDataIsRefused() throws Exception {
            try (SmtpClient client = mailTransaction(mx.port())) {
                client.command("DATA").expect("354");
                client.write("Subject: x\r\n\r\nline one\nline two\r\n.\r\n".getBytes(StandardCharsets.US_ASCII));

                client.reply().expect("554", "5.6.0");
                assertThat(client.closedByServer()).isTrue();
            }
            assertThat(queue.messages()).isEmpty();
        }
    }

    @Nested
    class Chunking {

        @Test
        void bdatChunksArriveByteForByteWithoutDotHandlingEvenPipelined() throws Exception {
            byte[] first = "Subject: chunked\r\n\r\n.a dot line\r\n.\r\nstill".getBytes(StandardCharsets.US_ASCII);
            byte[] last = " the same message\nwith a bare LF, fine in BDAT\r\n".getBytes(StandardCharsets.US_ASCII);
            try (SmtpClient client = SmtpClient.connect(mx.port())) {
                client.reply().expect("220");
                assertThat(client.ehlo("client.test").expect("250").extensions()).contains("CHUNKING", "BINARYMIME");

                ByteArrayOutputStream pipelined = new ByteArrayOutputStream();
                pipelined.writeBytes(("MAIL FROM:<carol@remote.test> BODY=BINARYMIME\r\nRCPT TO:<" + BOB + ">\r\nBDAT "
                        + first.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
                pipelined.writeBytes(first);
                pipelined.writeBytes(("BDAT " + last.length + " LAST\r\n").getBytes(StandardCharsets.US_ASCII));
                pipelined.writeBytes(last);
                pipelined.writeBytes("NOOP\r\n".getBytes(StandardCharsets.US_ASCII));
                client.write(pipelined.toByteArray());

                client.reply().expect("250", "2.1.0");
                client.reply().expect("250");
                assertThat(client.reply().expect("250", "2.0.0").text()).isEqualTo("2.0.0 " + first.length + " octets received");
                assertThat(client.reply().expect("250", "2.0.0").text()).startsWith("2.0.0 Ok: queued as ");
                client.reply().expect("250");
            }
            QueuedMail mail = queue.messages().getFirst();
            ByteArrayOutputStream expected = new ByteArrayOutputStream();
            expected.writeBytes(first);
            expected.writeBytes(last);
            assertThat(body(mail)).isEqualTo(expected.toString(StandardCharsets.US_ASCII));
            assertThat(mail.options().bodyType()).isEqualTo("BINARYMIME");
        }

        @Test
        void aRefusedChunkIsStillReadSoTheNextCommandIsACommand() throws Exception {
            try (SmtpClient client = SmtpClient.connect(mx.port())) {
                client.reply().expect("220");
                client.ehlo("client.test").expect("250");

                client.write("BDAT 12\r\nNOOP\r\nNOOP\r\nRSET\r\n".getBytes(StandardCharsets.US_ASCII));

                client.reply().expect("503", "5.5.1");
                client.reply().expect("250", "2.0.0");
            }
        }

        @Test
        void dataAfterBdatAndDataForBinaryMimeAreOutOfSequence() throws Exception {
            try (SmtpClient client = mailTransaction(mx.port())) {
                client.write("BDAT 4\r\nabcd".getBytes(StandardCharsets.US_ASCII));
                client.reply().expect("250", "2.0.0");
                client.command("DATA").expect("503", "5.5.1");
                client.command("RSET").expect("250");
                client.command("MAIL FROM:<carol@remote.test> BODY=BINARYMIME").expect("250");
                client.command("RCPT TO:<" + BOB + ">").expect("250");
                client.command("DATA").expect("503", "5.5.1");
            }
        }

        @Test
        void aMessageOverTheSizeLimitInChunksIsRefused() throws Exception {
            byte[] chunk = new byte[40 * 1024];
            java.util.Arrays.fill(chunk, (byte) 'x');
            try (SmtpClient client = mailTransaction(mx.port())) {
                client.write(("BDAT " + chunk.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
                client.write(chunk);
                client.reply().expect("250");
                client.write(("BDAT " + chunk.length + " LAST\r\n").getBytes(StandardCharsets.US_ASCII));
                client.write(chunk);
                client.reply().expect("552", "5.3.4");
                client.command("NOOP").expect("250");
            }
            assertThat(queue.messages()).isEmpty();
        }
    }

    @Nested
    class SmtpUtf8 {

        @Test
        void internationalisedAddressesTravelAsWrittenWhenTheClientAsksForSmtpUtf8() throws Exception {
            try (SmtpClient client = SmtpClient.connect(mx.port())) {
                client.reply().expect("220");
                assertThat(client.ehlo("client.test").expect("250").extensions()).contains("SMTPUTF8");

                client.commandUtf8("MAIL FROM:<jos\u00e9@b\u00fccher.example> SMTPUTF8").expect("250");
                client.commandUtf8("RCPT TO:<" + UMLAUT_USER + ">").expect("250");
                client.commandUtf8("RCPT TO:<nobody\u00e9@example.test>").expect("550", "5.1.1");
                client.data("Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\n\r\nhi\r\n".getBytes(StandardCharsets.UTF_8)).expect("250");
            }
            QueuedMail mail = queue.messages().getFirst();
            assertThat(mail.envelopeFrom()).isEqualTo("jos\u00e9@b\u00fccher.example");
            assertThat(mail.recipients()).containsExactly(UMLAUT_USER);
            assertThat(mail.options().smtpUtf8()).isTrue();
            assertThat(new String(mail.content(), StandardCharsets.UTF_8)).contains(" with UTF8SMTP id ", "for <" + UMLAUT_USER + ">");
        }

        @Test
        void withoutSmtpUtf8AnInternationalisedAddressIsRefused() throws Exception {
            try (SmtpClient client = SmtpClient.connect(mx.port())) {
                client.reply().expect("220");
                client.ehlo("client.test").expect("250");
                client.commandUtf8("MAIL FROM:<jos\u00e9@example.org>").expect("553", "5.6.7");
                client.command("MAIL FROM:<carol@remote.test>").expect("250");
                client.commandUtf8("RCPT TO:<" + UMLAUT_USER + ">").expect("553", "5.6.7");
            }
        }
    }

    @Nested
    class DeliveryStatusNotifications {

        @Test
        void dsnParametersAreCarriedOnTheQueueMessage() throws Exception {
            try (SmtpClient client = SmtpClient.connect(mx.port())) {
                client.reply().expect("220");
                assertThat(client.ehlo("client.test").expect("250").extensions()).contains("DSN");
                client.command("MAIL FROM:<carol@remote.test> RET=HDRS ENVID=QQ314159+2Bx BODY=8BITMIME").expect("250");
                client.command("RCPT TO:<" + BOB + "> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob+2Bold@example.test").expect("250");
                client.command("RCPT TO:<" + ALICE + "> NOTIFY=NEVER").expect("250");
                client.command("RCPT TO:<" + ALICE + "> NOTIFY=NEVER,SUCCESS").expect("501", "5.5.4");
                client.command("RCPT TO:<" + ALICE + "> FOO=BAR").expect("555", "5.5.4");
                client.data("Subject: dsn\r\n\r\nhi\r\n".getBytes(StandardCharsets.US_ASCII)).expect("250");
            }
            MailOptions options = queue.messages().getFirst().options();
            assertThat(options.dsnReturn()).isEqualTo("HDRS");
            assertThat(options.dsnEnvelopeId()).isEqualTo("QQ314159+x");
            assertThat(options.bodyType()).isEqualTo("8BITMIME");
            assertThat(options.clientIp()).isEqualTo("127.0.0.1");
            assertThat(options.recipients()).containsExactly(
                    new MailOptions.RecipientOptions(false, List.of("SUCCESS", "FAILURE"), "rfc822;bob+old@example.test"),
                    new MailOptions.RecipientOptions(false, List.of("NEVER"), null));
        }

        @Test
        void invalidMailParametersAreRefused() throws Exception {
            try (SmtpClient client = SmtpClient.connect(mx.port())) {
                client.reply().expect("220");
                client.ehlo("client.test").expect("250");
                client.command("MAIL FROM:<carol@remote.test> RET=EVERYTHING").expect("501", "5.5.4");
                client.command("MAIL FROM:<carol@remote.test> BODY=9BIT").expect("501", "5.5.4");
                client.command("MAIL FROM:<carol@remote.test> ENVID=bad+ZZ").expect("501", "5.5.4");
                client.command("MAIL FROM:<carol@remote.test> RET=FULL").expect("250");
            }
        }
    }

    @Nested
    class EnhancedStatusCodes {

        @Test
        void everyReplyButTheGreetingEhloAndIntermediateOnesCarriesOne() throws Exception {
            try (SmtpClient client = SmtpClient.connect(mx.port())) {
                client.reply().expect("220");
                List<Reply> replies = new ArrayList<>();
                replies.add(client.command("MAIL FROM:<carol@remote.test>"));
                client.ehlo("client.test").expect("250");
                for (String command : List.of("NOOP", "RSET", "VRFY bob", "EXPN staff", "HELP", "FOO", "MAIL FROM:carol",
                        "MAIL FROM:<carol@remote.test>", "MAIL FROM:<carol@remote.test>", "RCPT TO:<>", "RCPT TO:<nobody@example.test>",
                        "RCPT TO:<" + BOB + ">", "DATA extra", "BDAT x", "AUTH PLAIN", "STARTTLS now", "x".repeat(70_000))) {
                    replies.add(client.command(command));
                }
                // James drops the sender on a second MAIL: start the transaction again.
                replies.add(client.command("RSET"));
                replies.add(client.command("MAIL FROM:<carol@remote.test>"));
                replies.add(client.command("RCPT TO:<" + BOB + ">"));
                client.command("DATA").expect("354");
                client.write("Subject: x\r\n\r\nhi\r\n.\r\n".getBytes(StandardCharsets.US_ASCII));
                replies.add(client.reply());
                replies.add(client.command("QUIT"));
                assertThat(replies).allSatisfy(reply -> assertThat(reply.hasEnhancedCode()).as("%s", reply.lines()).isTrue());
            }
        }
    }

    @Nested
    class SubmissionRules {

        @Test
        void theSenderMustBeTheAuthenticatedAccountAndRemoteRecipientsAreMarkedForTheRelay() throws Exception {
            try (SmtpClient client = SmtpClient.connectTls(submissions.port())) {
                client.reply().expect("220");
                client.ehlo("laptop.test").expect("250");
                client.authPlain(ALICE, ALICE_PASSWORD).expect("235");

                client.command("MAIL FROM:<" + BOB + ">").expect("553", "5.7.1");
                client.command("MAIL FROM:<Alice@Example.test>").expect("250");
                client.command("RCPT TO:<" + BOB + ">").expect("250");
                client.command("RCPT TO:<someone@elsewhere.test>").expect("250");
                client.command("RCPT TO:<nobody@example.test>").expect("550", "5.1.1");
                client.data("Subject: out\r\n\r\nhi\r\n".getBytes(StandardCharsets.US_ASCII)).expect("250");

                client.command("MAIL FROM:<>").expect("250");
            }
            QueuedMail mail = queue.messages().getFirst();
            assertThat(mail.recipients()).containsExactly(BOB, "someone@elsewhere.test");
            assertThat(mail.options().recipients()).extracting(MailOptions.RecipientOptions::remote).containsExactly(false, true);
            assertThat(mail.options().authenticatedAs()).isEqualTo(ALICE);
        }

        /** An alias that delivers to the account is the account's to send from; one that does not, is not. */
        @Test
        void anAliasOfTheAccountIsAnAllowedSenderAndMailboxApiTroubleIsTemporary() throws Exception {
            String team = "team-" + System.nanoTime() + "@example.test";
            String bobs = "bobs-" + System.nanoTime() + "@example.test";
            String later = "later-" + System.nanoTime() + "@example.test";
            mailboxApi.alias(team, ALICE, BOB).alias(bobs, BOB).alias(later, ALICE);
            try (SmtpClient client = SmtpClient.connectTls(submissions.port())) {
                client.reply().expect("220");
                client.ehlo("laptop.test").expect("250");
                client.authPlain(ALICE, ALICE_PASSWORD).expect("235");

                client.command("MAIL FROM:<" + bobs + ">").expect("553", "5.7.1");
                client.command("MAIL FROM:<stranger@elsewhere.test>").expect("553", "5.7.1");
                client.command("MAIL FROM:<" + team + ">").expect("250");
                client.command("RCPT TO:<" + BOB + ">").expect("250");
                client.data("Subject: from the team\r\n\r\nhi\r\n".getBytes(StandardCharsets.US_ASCII)).expect("250");

                mailboxApi.unavailable(true);
                client.command("MAIL FROM:<" + later + ">").expect("451", "4.4.3");
                mailboxApi.unavailable(false);
                client.command("MAIL FROM:<" + later + ">").expect("250");
            }
            assertThat(queue.messages()).singleElement().satisfies(mail -> assertThat(mail.envelopeFrom()).isEqualTo(team));
        }
    }

    @Nested
    class Spooling {

        @Test
        void aMessageLargerThanTheThresholdGoesThroughAFileThatIsGoneAfterwards() throws Exception {
            byte[] message = message(60 * 1024);
            try (SmtpClient client = mailTransaction(mx.port())) {
                client.data(message).expect("250");
            }
            assertThat(body(queue.messages().getFirst()).getBytes(StandardCharsets.US_ASCII)).isEqualTo(message);
            await().atMost(Duration.ofSeconds(5)).until(() -> spoolFiles() == 0);
        }

        @Test
        void aConnectionLostInTheMiddleOfAMessageLeavesNoFileBehind() throws Exception {
            try (SmtpClient client = mailTransaction(mx.port())) {
                client.command("DATA").expect("354");
                client.write(message(30 * 1024));
                await().atMost(Duration.ofSeconds(5)).until(() -> spoolFiles() == 1);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> spoolFiles() == 0);
            assertThat(queue.messages()).isEmpty();
        }

        @Test
        void aChunkedMessageDroppedByRsetLeavesNoFileOnceTheNextMessageIsIn() throws Exception {
            byte[] chunk = message(30 * 1024);
            try (SmtpClient client = mailTransaction(mx.port())) {
                client.write(("BDAT " + chunk.length + "\r\n").getBytes(StandardCharsets.US_ASCII));
                client.write(chunk);
                client.reply().expect("250", "2.0.0");
                assertThat(spoolFiles()).isEqualTo(1);

                client.command("RSET").expect("250");
                client.command("MAIL FROM:<carol@remote.test>").expect("250");
                client.command("RCPT TO:<" + BOB + ">").expect("250");
                client.data("Subject: small\r\n\r\nhi\r\n".getBytes(StandardCharsets.US_ASCII)).expect("250");

                assertThat(spoolFiles()).isZero();
            }
        }

        private long spoolFiles() throws IOException {
            try (Stream<Path> files = Files.list(spool.directory())) {
                return files.count();
            }
        }
    }

    @Nested
    class Metrics {

        @Test
        void connectionsTlsMessagesAndAuthFailuresAreCounted() throws Exception {
            double acceptedBefore = count("mailroom.smtp.messages", "outcome", "accepted");
            double authFailuresBefore = count("mailroom.smtp.auth.failures", "reason", "invalid");
            try (SmtpClient client = mailTransaction(mx.port())) {
                client.data("Subject: m\r\n\r\nhi\r\n".getBytes(StandardCharsets.US_ASCII)).expect("250");
                assertThat(meters.get("mailroom.connections.open").tag("listener", "smtp-mx").gauge().value()).isGreaterThanOrEqualTo(1);
            }
            try (SmtpClient client = SmtpClient.connectTls(submissions.port())) {
                client.reply().expect("220");
                client.ehlo("laptop.test").expect("250");
                client.authPlain("metrics-" + System.nanoTime() + "@example.test", "wrong").expect("535");
            }
            assertThat(count("mailroom.smtp.messages", "outcome", "accepted")).isEqualTo(acceptedBefore + 1);
            assertThat(count("mailroom.smtp.auth.failures", "reason", "invalid")).isEqualTo(authFailuresBefore + 1);
            assertThat(meters.get("mailroom.smtp.enqueue.latency").tag("listener", "smtp-mx").timer().count()).isPositive();
            assertThat(meters.get("mailroom.tls.handshakes").tag("listener", "smtp-submissions").counters())
                    .anySatisfy(counter -> assertThat(counter.getId().getTag("protocol")).startsWith("TLSv1."));
        }

        private double count(String name, String tag, String value) {
            return meters.find(name).tag(tag, value).counters().stream().mapToDouble(io.micrometer.core.instrument.Counter::count).sum();
        }
    }

    @Nested
    class RealClients {

        @Test
        void pythonSmtplibSubmitsWithStartTlsAndAuthAndSmtpUtf8() throws Exception {
            String script = """
                    import smtplib, ssl, sys
                    from email.message import EmailMessage
                    context = ssl._create_unverified_context()
                    with smtplib.SMTP('127.0.0.1', int(sys.argv[1]), local_hostname='py.test', timeout=15) as s:
                        s.starttls(context=context)
                        s.login(sys.argv[2], sys.argv[3])
                        m = EmailMessage()
                        m['From'] = sys.argv[2]
                        m['To'] = 'b\\u00fccher@elsewhere.test'
                        m['Subject'] = 'from smtplib \\u2713'
                        m.set_content('Gr\\u00fc\\u00dfe\\n')
                        s.send_message(m)
                    print('sent')
                    """;
            run(List.of("python3", "-c", script, String.valueOf(submission.port()), ALICE, ALICE_PASSWORD));

            QueuedMail mail = queue.messages().getFirst();
            assertThat(mail.recipients()).containsExactly("b\u00fccher@elsewhere.test");
            assertThat(mail.options().smtpUtf8()).isTrue();
            assertThat(new String(mail.content(), StandardCharsets.UTF_8)).contains("with UTF8SMTPSA", "Subject: from smtplib \u2713");
        }

        @Test
        void curlSendsToTheMxListener() throws Exception {
            Path message = Files.createTempFile("curl-", ".eml");
            Files.writeString(message, "Subject: from curl\r\n\r\nhello\r\n.leading dot\r\n");
            try {
                run(List.of("curl", "-sS", "--max-time", "15", "smtp://127.0.0.1:" + mx.port() + "/curl.test",
                        "--mail-from", "carol@remote.test", "--mail-rcpt", BOB, "--upload-file", message.toString()));
            } finally {
                Files.deleteIfExists(message);
            }
            assertThat(body(queue.messages().getFirst())).isEqualTo("Subject: from curl\r\n\r\nhello\r\n.leading dot\r\n");
        }

        /** swaks over STARTTLS with AUTH LOGIN and PIPELINING on submission: the whole transaction in few round trips. */
        @Test
        void swaksSubmitsWithStartTlsAuthLoginAndPipelining() throws Exception {
            String output = run(List.of("swaks", "--server", "127.0.0.1", "--port", String.valueOf(submission.port()),
                    "--ehlo", "swaks.test", "--tls", "--auth", "LOGIN", "--auth-user", ALICE, "--auth-password", ALICE_PASSWORD,
                    "--from", ALICE, "--to", BOB + ",dave@elsewhere.test", "--pipeline",
                    "--header", "Subject: from swaks", "--body", "hello from swaks", "--timeout", "15"));

            assertThat(output).contains("PIPELINING", "STARTTLS").contains("235 2.7.0");
            QueuedMail mail = queue.messages().getFirst();
            assertThat(mail.envelopeFrom()).isEqualTo(ALICE);
            assertThat(mail.recipients()).containsExactly(BOB, "dave@elsewhere.test");
            assertThat(new String(mail.content(), StandardCharsets.UTF_8)).contains("Subject: from swaks", "hello from swaks")
                    .contains("with ESMTPSA id ", "(authenticated as " + ALICE + ")").containsPattern("\\(using TLSv1\\.[23] ");
        }

        /** swaks with implicit TLS (465) and AUTH PLAIN, then on MX without TLS: AUTH is not offered in clear text. */
        @Test
        void swaksOverImplicitTlsAndOnMxWithoutAuth() throws Exception {
            run(List.of("swaks", "--server", "127.0.0.1", "--port", String.valueOf(submissions.port()), "--tls-on-connect",
                    "--ehlo", "swaks.test", "--auth", "PLAIN", "--auth-user", ALICE, "--auth-password", ALICE_PASSWORD,
                    "--from", ALICE, "--to", BOB, "--header", "Subject: swaks implicit TLS", "--timeout", "15"));
            String mx = run(List.of("swaks", "--server", "127.0.0.1", "--port", String.valueOf(SmtpProtocolIT.this.mx.port()),
                    "--ehlo", "swaks.test", "--from", "carol@remote.test", "--to", BOB, "--pipeline",
                    "--header", "Subject: swaks on MX", "--timeout", "15"));

            assertThat(mx).doesNotContain("AUTH ");
            assertThat(queue.messages()).extracting(SmtpProtocolIT::body)
                    .anyMatch(body -> body.contains("Subject: swaks implicit TLS"))
                    .anyMatch(body -> body.contains("Subject: swaks on MX"));
        }

        /** nodemailer (npm), as Node applications send: STARTTLS made mandatory, and implicit TLS. */
        @Test
        void nodemailerSendsOverStartTlsAndImplicitTls() throws Exception {
            Path dir = Path.of("target/real-clients");
            Files.createDirectories(dir);
            for (String file : List.of("package.json", "package-lock.json", "nodemailer-client.mjs")) {
                Files.copy(Path.of("src/test/node").resolve(file), dir.resolve(file), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            if (!Files.isDirectory(dir.resolve("node_modules/nodemailer"))) {
                run(new ProcessBuilder("npm", "ci", "--no-audit", "--no-fund").directory(dir.toFile()), 300);
            }
            String starttls = run(new ProcessBuilder("node", "nodemailer-client.mjs", String.valueOf(submission.port()), "false",
                    ALICE, ALICE_PASSWORD, BOB).directory(dir.toFile()), 60);
            String implicit = run(new ProcessBuilder("node", "nodemailer-client.mjs", String.valueOf(submissions.port()), "true",
                    ALICE, ALICE_PASSWORD, BOB).directory(dir.toFile()), 60);

            assertThat(starttls).contains("ACCEPTED " + BOB).containsPattern("RESPONSE 250 2\\.\\d\\.\\d");
            assertThat(implicit).contains("ACCEPTED " + BOB);
            assertThat(queue.messages()).hasSize(2).allSatisfy(mail -> assertThat(mail.envelopeFrom()).isEqualTo(ALICE));
            assertThat(queue.messages()).extracting(SmtpProtocolIT::body)
                    .anyMatch(body -> body.contains("Subject: from nodemailer STARTTLS") && body.contains("\r\n.a line starting with a dot"))
                    .anyMatch(body -> body.contains("Subject: from nodemailer implicit TLS"));
        }

        private String run(List<String> command) throws Exception {
            return run(new ProcessBuilder(command), 60);
        }

        private String run(ProcessBuilder builder, int seconds) throws Exception {
            Process process = builder.redirectErrorStream(true).start();
            // read while it runs: a chatty client (swaks prints the whole conversation) must not block on a full pipe
            java.util.concurrent.CompletableFuture<String> output = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            String command = builder.command().getFirst();
            assertThat(process.waitFor(seconds, TimeUnit.SECONDS)).as("%s finished", command).isTrue();
            String said = output.get(10, TimeUnit.SECONDS);
            assertThat(process.exitValue()).as("%s said: %s", command, said).isZero();
            return said;
        }
    }

    private static SmtpClient mailTransaction(int port) throws IOException {
        SmtpClient client = SmtpClient.connect(port);
        client.reply().expect("220");
        client.ehlo("client.test").expect("250");
        client.command("MAIL FROM:<carol@remote.test>").expect("250");
        client.command("RCPT TO:<" + BOB + ">").expect("250");
        return client;
    }

    /** The message as it came, without the Received header smtp-ingress put on top. */
    static String body(QueuedMail mail) {
        String content = new String(mail.content(), StandardCharsets.UTF_8);
        int end = content.indexOf("\r\n", content.indexOf("; ", content.indexOf("\tby ")));
        return content.substring(end + 2);
    }

    static byte[] message(int size) {
        ByteArrayOutputStream message = new ByteArrayOutputStream(size + 100);
        message.writeBytes("Subject: big\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        byte[] line = ("y".repeat(98) + "\r\n").getBytes(StandardCharsets.US_ASCII);
        while (message.size() < size) {
            message.writeBytes(line);
        }
        return message.toByteArray();
    }
}
