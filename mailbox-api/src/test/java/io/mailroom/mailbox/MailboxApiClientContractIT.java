package io.mailroom.mailbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.MDC;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

import io.mailroom.mailbox.client.AuthenticatedAccount;
import io.mailroom.mailbox.client.AuthenticationFailedException;
import io.mailroom.mailbox.client.FiledMessage;
import io.mailroom.mailbox.client.HttpMailboxApiClient;
import io.mailroom.mailbox.client.MailboxApiClient;
import io.mailroom.mailbox.client.MailboxApiException;
import io.mailroom.mailbox.client.MailboxApiProperties;
import io.mailroom.mailbox.client.MailboxApiUnavailableException;
import io.mailroom.mailbox.client.Maildrop;
import io.mailroom.mailbox.client.RecipientResolution;

/**
 * mailbox-client's {@link HttpMailboxApiClient} against the real mailbox-api: every method of
 * {@link MailboxApiClient}, and the failure mapping its javadoc promises (against peers that refuse, stay silent,
 * stall half-way or fail).
 */
@ExtendWith(OutputCaptureExtension.class)
class MailboxApiClientContractIT extends MailboxApiITBase {

    private static final Duration SHORT_TIMEOUT = Duration.ofMillis(500);

    private HttpMailboxApiClient client;
    private final List<AutoCloseable> peers = new CopyOnWriteArrayList<>();

    @BeforeEach
    void connect() {
        client = clientFor(URI.create("http://127.0.0.1:" + port), INTERNAL_TOKEN, Duration.ofSeconds(10));
    }

    @AfterEach
    void disconnect() throws Exception {
        client.close();
        for (AutoCloseable peer : peers) {
            peer.close();
        }
        MDC.clear();
    }

    @Test
    void authenticates() {
        String address = newAccount();

        AuthenticatedAccount account = client.authenticate(address.toUpperCase(), PASSWORD, "pop3", "192.0.2.7");

        assertThat(account.address()).isEqualTo(address);
        assertThat(account.accountId()).isEqualTo(get("/api/v1/accounts/" + address, admin()).json().path("id").asLong());
    }

    @Test
    void wrongCredentialsAreAnAuthenticationFailure() {
        String address = newAccount();

        Throwable failure = catchThrowable(() -> client.authenticate(address, "not the password", "smtp", "192.0.2.7"));

        assertThat(failure).isInstanceOf(AuthenticationFailedException.class);
        AuthenticationFailedException refused = (AuthenticationFailedException) failure;
        assertThat(refused.status()).isEqualTo(401);
        assertThat(refused.code()).isEqualTo("auth-failed");
        assertThat(refused.temporary()).isFalse();
    }

    @Test
    void aWrongServiceTokenIsNotMistakenForWrongUserCredentials() {
        String address = newAccount();
        try (HttpMailboxApiClient misconfigured = clientFor(URI.create("http://127.0.0.1:" + port), "wrong-token", Duration.ofSeconds(5))) {

            Throwable failure = catchThrowable(() -> misconfigured.authenticate(address, PASSWORD, "imap", "192.0.2.7"));

            assertThat(failure).isExactlyInstanceOf(MailboxApiException.class);
            assertThat(((MailboxApiException) failure).code()).isEqualTo("unauthenticated");
        }
    }

    @Test
    void resolvesRecipients() {
        String domain = newDomain();
        String address = newAccount(domain, "erin");

        RecipientResolution deliverable = client.resolveRecipient("Erin@" + domain);
        RecipientResolution unknown = client.resolveRecipient("frank+tag@" + domain);
        RecipientResolution foreign = client.resolveRecipient("erin@not-ours.example");

        assertThat(deliverable.status()).isEqualTo(RecipientResolution.Status.DELIVERABLE);
        assertThat(deliverable.accounts()).containsExactly(address);
        assertThat(deliverable.address()).isEqualTo("Erin@" + domain);
        assertThat(unknown.status()).isEqualTo(RecipientResolution.Status.UNKNOWN_USER);
        assertThat(unknown.accounts()).isEmpty();
        assertThat(foreign.status()).isEqualTo(RecipientResolution.Status.NON_LOCAL_DOMAIN);
    }

    @Test
    void filesIdempotentlyAndCarriesTheTraceId(CapturedOutput output) {
        String address = newAccount();
        byte[] message = message("via client", "hello");
        // delivery ids are queue id + recipient: characters that mean something in URLs must survive
        String deliveryId = "q-7f3a:<0123@mx.example>;+tag%20 =" + address;

        FiledMessage first = client.fileMessage(address, deliveryId, message, "trace-file-42");
        FiledMessage repeat = client.fileMessage(address, deliveryId, message, "trace-file-43");

        assertThat(first.duplicate()).isFalse();
        assertThat(first.uid()).isEqualTo(1);
        assertThat(first.mailboxId()).isEqualTo(mailboxId(address, "INBOX"));
        assertThat(repeat).isEqualTo(new FiledMessage(first.messageId(), first.mailboxId(), first.uid(), first.modSeq(), true));
        assertThat(jdbc.sql("SELECT delivery_id FROM deliveries WHERE message_id = ?").param(first.messageId())
                .query(String.class).single()).isEqualTo(deliveryId);
        assertThat(output.getAll()).containsPattern("\\[mailbox-api,trace-file-42\\].*Filed delivery");

        MDC.put("traceId", "trace-from-mdc-7");
        client.fileMessage(address, "second-delivery", message("second", "one"), null);
        assertThat(output.getAll()).containsPattern("\\[mailbox-api,trace-from-mdc-7\\].*Filed delivery second-delivery");
    }

    @Test
    void refusesDeliveryIdsThatCannotBeAPathSegment() {
        String address = newAccount();

        assertThatThrownBy(() -> client.fileMessage(address, "queue/1", message("x", "y"), null))
                .isInstanceOfSatisfying(MailboxApiException.class, e -> assertThat(e.code()).isEqualTo("validation"));
    }

    @Test
    void fourHundredsCarryTheProblemCode() {
        String nobody = "nobody@" + newDomain();

        Throwable failure = catchThrowable(() -> client.fileMessage(nobody, "d-1", message("x", "y"), null));

        assertThat(failure).isExactlyInstanceOf(MailboxApiException.class);
        assertThat(((MailboxApiException) failure).status()).isEqualTo(404);
        assertThat(((MailboxApiException) failure).code()).isEqualTo("account-not-found");
        assertThatThrownBy(() -> client.maildrop(nobody))
                .isInstanceOfSatisfying(MailboxApiException.class, e -> assertThat(e.code()).isEqualTo("account-not-found"));
    }

    @Test
    void readsTheMaildropStreamsMessagesAndExpunges() throws IOException {
        String address = newAccount();
        byte[] one = message("one", "first");
        byte[] two = message("two", "second, longer");
        client.fileMessage(address, "m-1", one, null);
        client.fileMessage(address, "m-2", two, null);

        Maildrop maildrop = client.maildrop(address);
        assertThat(maildrop.mailboxId()).isEqualTo(mailboxId(address, "INBOX"));
        assertThat(maildrop.uidValidity()).isPositive();
        assertThat(maildrop.messages()).containsExactly(new Maildrop.Entry(1, one.length), new Maildrop.Entry(2, two.length));

        try (InputStream stream = client.openMessage(address, maildrop.mailboxId(), 2)) {
            assertThat(stream.readAllBytes()).isEqualTo(two);
        }

        client.expunge(address, maildrop.mailboxId(), List.of(1L, 404L));
        client.expunge(address, maildrop.mailboxId(), List.of());

        assertThat(client.maildrop(address).messages()).containsExactly(new Maildrop.Entry(2, two.length));
        assertThatThrownBy(() -> client.openMessage(address, maildrop.mailboxId(), 1))
                .isInstanceOfSatisfying(MailboxApiException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.code()).isEqualTo("message-not-found");
                });
        assertThat(jdbc.sql("SELECT count(*) FROM expunged WHERE mailbox_id = ? AND uid = 1").param(maildrop.mailboxId())
                .query(Long.class).single()).isEqualTo(1);
    }

    @Test
    void connectionRefusedIsUnavailableAtOnce() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        try (HttpMailboxApiClient refused = clientFor(URI.create("http://127.0.0.1:" + closedPort), INTERNAL_TOKEN, SHORT_TIMEOUT)) {
            assertUnavailableWithin(Duration.ofSeconds(3), () -> refused.resolveRecipient("a@b.example"));
            assertUnavailableWithin(Duration.ofSeconds(3), () -> refused.fileMessage("a@b.example", "d", message("x", "y"), null));
            assertUnavailableWithin(Duration.ofSeconds(3), () -> refused.openMessage("a@b.example", 1, 1));
        }
    }

    @Test
    void aPeerThatNeverAnswersIsUnavailableAfterTheReadTimeout() throws IOException {
        URI silent = peer(socket -> {
            // accept, read nothing, say nothing: a hung mailbox-api
        });
        try (HttpMailboxApiClient client = clientFor(silent, INTERNAL_TOKEN, SHORT_TIMEOUT)) {
            assertUnavailableWithin(Duration.ofSeconds(3), () -> client.authenticate("a@b.example", "pw", "imap", "192.0.2.1"));
            assertUnavailableWithin(Duration.ofSeconds(3), () -> client.fileMessage("a@b.example", "d", message("x", "y"), null));
            assertUnavailableWithin(Duration.ofSeconds(3), () -> client.openMessage("a@b.example", 1, 1));
        }
    }

    @Test
    void aBodyThatStallsHalfWayFailsTheReadInsteadOfHanging() throws IOException {
        URI stalling = peer(socket -> write(socket, """
                HTTP/1.1 200 OK\r
                Content-Type: message/rfc822\r
                Content-Length: 1000\r
                \r
                Subject: half""".getBytes(StandardCharsets.US_ASCII)));
        try (HttpMailboxApiClient client = clientFor(stalling, INTERNAL_TOKEN, SHORT_TIMEOUT);
             InputStream stream = client.openMessage("a@b.example", 1, 1)) {
            long start = System.nanoTime();

            assertThatThrownBy(stream::readAllBytes).isInstanceOf(IOException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        }
    }

    @Test
    void serverErrorsAreUnavailable() throws IOException {
        byte[] problem = "{\"status\":503,\"code\":\"unavailable\",\"detail\":\"database down\"}".getBytes(StandardCharsets.US_ASCII);
        URI failing = peer(socket -> write(socket, concat(("HTTP/1.1 503 Service Unavailable\r\n"
                + "Content-Type: application/problem+json\r\nContent-Length: " + problem.length
                + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII), problem)));
        try (HttpMailboxApiClient client = clientFor(failing, INTERNAL_TOKEN, Duration.ofSeconds(5))) {
            assertUnavailableWithin(Duration.ofSeconds(3), () -> client.maildrop("a@b.example"));
            assertUnavailableWithin(Duration.ofSeconds(3), () -> client.authenticate("a@b.example", "pw", "pop3", "192.0.2.1"));
            assertUnavailableWithin(Duration.ofSeconds(3), () -> client.openMessage("a@b.example", 1, 1));
            assertThatThrownBy(() -> client.expunge("a@b.example", 1, List.of(1L)))
                    .isInstanceOf(MailboxApiUnavailableException.class).hasMessageContaining("database down");
        }
    }

    private static HttpMailboxApiClient clientFor(URI baseUrl, String token, Duration readTimeout) {
        return HttpMailboxApiClient.create(new MailboxApiProperties(baseUrl, Duration.ofSeconds(2), readTimeout), token);
    }

    private static void assertUnavailableWithin(Duration limit, Runnable call) {
        long start = System.nanoTime();
        assertThatThrownBy(call::run).isInstanceOf(MailboxApiUnavailableException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(limit);
    }

    /** A TCP peer on a random port that does {@code behaviour} with each connection and then holds it open. */
    private URI peer(Consumer<Socket> behaviour) throws IOException {
        ServerSocket server = new ServerSocket(0);
        List<Socket> connections = new CopyOnWriteArrayList<>();
        Thread acceptor = Thread.ofVirtual().start(() -> {
            while (!server.isClosed()) {
                try {
                    Socket socket = server.accept();
                    connections.add(socket);
                    behaviour.accept(socket);
                } catch (IOException closed) {
                    return;
                }
            }
        });
        peers.add(() -> {
            server.close();
            for (Socket socket : connections) {
                socket.close();
            }
            acceptor.join(Duration.ofSeconds(5));
        });
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    private static void write(Socket socket, byte[] bytes) {
        try {
            OutputStream out = socket.getOutputStream();
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] both = new byte[a.length + b.length];
        System.arraycopy(a, 0, both, 0, a.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }
}
