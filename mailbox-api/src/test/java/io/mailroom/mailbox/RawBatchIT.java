package io.mailroom.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;

import org.junit.jupiter.api.Test;

import io.mailroom.mailbox.client.HttpMailboxApiClient;
import io.mailroom.mailbox.client.MailboxApiException;
import io.mailroom.mailbox.client.MailboxApiProperties;
import io.mailroom.mailbox.client.RawMessageSink;

/**
 * {@code POST /internal/v1/accounts/{address}/mailboxes/{mailboxId}/messages/raw}: several messages' exact bytes in one
 * framed answer (docs/rest-api.md, "Read several messages"), over a real socket and PostgreSQL, and mailbox-client's
 * {@link HttpMailboxApiClient#readMessages} reading it.
 */
class RawBatchIT extends MailboxApiITBase {

    static final String MEDIA_TYPE = "application/vnd.mailroom.raw-batch";

    @Test
    void answersEveryUidInTheOrderAskedWithTheExactBytesAndSaysWhichAreMissing() {
        String address = newAccount();
        byte[] first = message("first", ".a line with a dot\r\nand some more");
        byte[] second = message("second", "to be expunged");
        byte[] third = message("third", "x".repeat(3000));
        long mailboxId = file(address, "b-1", first).json().path("mailboxId").asLong();
        file(address, "b-2", second);
        file(address, "b-3", third);
        file(address, "b-4", first); // the same content again: one blob, two messages
        assertThat(post(path(address, mailboxId, "/expunge"), internal(), Map.of("uids", List.of(2))).status()).isEqualTo(200);

        Response answer = post(path(address, mailboxId, "/messages/raw"), internal(), Map.of("uids", List.of(3, 1, 2, 99, 4)));

        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        assertThat(answer.header("Content-Type")).isEqualTo(MEDIA_TYPE);
        assertThat(answer.header("Content-Length")).isEqualTo(Integer.toString(answer.body().length));
        assertThat(answer.body()).isEqualTo(concat(entry(3, third), entry(1, first), line("2 missing"), line("99 missing"),
                entry(4, first)));
    }

    @Test
    void messagesBeyondTheByteBudgetAreDeferredAndTheOthersStillCome() {
        String address = newAccount();
        byte[] small = message("small", "short");
        byte[] large = message("large", "y".repeat(20_000));
        byte[] other = message("other", "also short");
        long mailboxId = file(address, "d-1", small).json().path("mailboxId").asLong();
        file(address, "d-2", large);
        file(address, "d-3", other);

        Response answer = post(path(address, mailboxId, "/messages/raw"), internal(),
                Map.of("uids", List.of(1, 2, 3), "maxBytes", small.length + other.length));

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.body()).isEqualTo(concat(entry(1, small), line("2 deferred"), entry(3, other)));
    }

    @Test
    void refusesEmptyOrLongListsAndFindsNothingOfAnotherAccount() {
        String alice = newAccount();
        String bob = newAccount();
        long aliceInbox = file(alice, "a-1", message("alice's", "mine")).json().path("mailboxId").asLong();
        byte[] secret = message("bob's", "secret");
        long bobInbox = file(bob, "b-1", secret).json().path("mailboxId").asLong();
        String raw = path(alice, aliceInbox, "/messages/raw");

        assertThat(post(raw, internal(), Map.of("uids", List.of())).code()).isEqualTo("validation");
        assertThat(post(raw, internal(), Map.of("uids", LongStream.rangeClosed(1, 65).boxed().toList())).code())
                .isEqualTo("validation");
        assertThat(post(raw, internal(), Map.of("uids", List.of(0))).code()).isEqualTo("validation");
        assertThat(post(raw, internal(), Map.of("uids", List.of(1), "maxBytes", 0)).code()).isEqualTo("validation");
        assertThat(post(raw, internal(), Map.of("uids", LongStream.rangeClosed(1, 64).boxed().toList())).status())
                .as("sixty-four is the limit").isEqualTo(200);

        Response bobsThroughAlice = post(path(alice, bobInbox, "/messages/raw"), internal(), Map.of("uids", List.of(1)));
        assertThat(bobsThroughAlice.status()).isEqualTo(404);
        assertThat(bobsThroughAlice.code()).isEqualTo("mailbox-not-found");
        assertThat(bobsThroughAlice.text()).doesNotContain("secret");
        assertThat(post(path("nobody@" + newDomain(), bobInbox, "/messages/raw"), internal(), Map.of("uids", List.of(1))).code())
                .isEqualTo("account-not-found");

        // the gateway route is the internal token's alone: not the account's owner, not a key scoped to the account
        String aliceKey = post("/api/v1/api-keys", admin(), Map.of("name", "alice-tool", "scope", "ACCOUNTS",
                "accounts", List.of(alice))).json().path("key").asString();
        for (String credentials : List.of("Bearer " + aliceKey, basic(alice, PASSWORD), admin())) {
            Response refused = post(raw, credentials, Map.of("uids", List.of(1)));
            assertThat(refused.status()).as(credentials.substring(0, 6)).isEqualTo(403);
            assertThat(refused.text()).doesNotContain("alice's");
        }
    }

    @Test
    void theHttpClientReadsEachMessageAsItArrivesSixteenPerRequest() throws IOException {
        String address = newAccount();
        List<byte[]> contents = new ArrayList<>();
        long mailboxId = 0;
        for (int i = 1; i <= 20; i++) {
            byte[] content = message("message " + i, ("line " + i + "\r\n").repeat(i * 20));
            contents.add(content);
            mailboxId = file(address, "c-" + i, content).json().path("mailboxId").asLong();
        }
        long inbox = mailboxId;
        post(path(address, inbox, "/expunge"), internal(), Map.of("uids", List.of(5)));
        List<Long> uids = LongStream.rangeClosed(1, 21).boxed().toList();
        List<String> events = new ArrayList<>();
        List<byte[]> read = new ArrayList<>();

        try (HttpMailboxApiClient client = HttpMailboxApiClient.create(
                new MailboxApiProperties(URI.create("http://127.0.0.1:" + port), Duration.ofSeconds(2), Duration.ofSeconds(10)),
                INTERNAL_TOKEN)) {
            client.readMessages(address, inbox, uids, 1024 * 1024, new RawMessageSink() {
                @Override
                public void message(long uid, InputStream content) throws IOException {
                    events.add(uid + " message");
                    // message 3 is read only in part: the next ones must still come whole
                    read.add(uid == 3 ? content.readNBytes(10) : content.readAllBytes());
                }

                @Override
                public void missing(long uid) {
                    events.add(uid + " missing");
                }

                @Override
                public void deferred(long uid) {
                    events.add(uid + " deferred");
                }
            });

            List<String> expected = new ArrayList<>();
            for (long uid : uids) {
                expected.add(uid + (uid == 5 || uid == 21 ? " missing" : " message"));
            }
            assertThat(events).isEqualTo(expected);
            int at = 0;
            for (long uid : uids) {
                if (uid == 5 || uid == 21) {
                    continue;
                }
                byte[] content = contents.get((int) uid - 1);
                assertThat(read.get(at++)).as("message %d", uid)
                        .isEqualTo(uid == 3 ? java.util.Arrays.copyOf(content, 10) : content);
            }

            assertThat(catchMailboxApiException(() -> client.readMessages(address, inbox + 1_000_000, List.of(1L), 100,
                    new RawMessageSink() {
                        @Override
                        public void message(long uid, InputStream content) {
                            throw new AssertionError("no message expected");
                        }

                        @Override
                        public void missing(long uid) {
                            throw new AssertionError("no answer expected");
                        }

                        @Override
                        public void deferred(long uid) {
                            throw new AssertionError("no answer expected");
                        }
                    })).code()).isEqualTo("mailbox-not-found");
        }
    }

    private static MailboxApiException catchMailboxApiException(IoCall call) throws IOException {
        try {
            call.run();
        } catch (MailboxApiException e) {
            return e;
        }
        throw new AssertionError("no MailboxApiException");
    }

    @FunctionalInterface
    private interface IoCall {
        void run() throws IOException;
    }

    private static String path(String address, long mailboxId, String rest) {
        return "/internal/v1/accounts/" + segment(address) + "/mailboxes/" + mailboxId + rest;
    }

    private static byte[] entry(long uid, byte[] content) {
        return concat(line(uid + " " + content.length), content);
    }

    private static byte[] line(String text) {
        return (text + "\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }
}
